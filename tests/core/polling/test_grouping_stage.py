"""A poll's grouping stage: on PostgreSQL on a thread of its own, on SQLite on the poll's thread. Either way every
new article of a poll is in a story when the poll returns, the parser processes' features are used, a storage
failure on the grouping thread reaches the poll, and any other failure leaves the articles for the next poll.
Real polls of feeds served on 127.0.0.1 into real stores on both engines."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from monitor.core.matching.matcher import Matcher
from monitor.core.matching.watchlist import load_default_watchlist
from monitor.core.polling import grouping_stage
from monitor.core.polling.grouping_stage import GroupingStage
from monitor.core.polling.poller import PollResult, poll_once
from monitor.core.storage.store import Store
from monitor.core.web.fetch import Fetcher, FetchSettings
from tests.core.bulk_server import BulkServer

FEEDS, ITEMS = 8, 20


@pytest.fixture(scope="module")
def bulk() -> Iterator[BulkServer]:
    server = BulkServer(FEEDS, ITEMS)
    yield server
    server.close()


def _poll(store: Store, server: BulkServer, workers: int) -> PollResult:
    for number in range(FEEDS):
        store.add_feed(server.url(number))
    with Fetcher(FetchSettings(per_host_delay=0)) as fetcher:
        return poll_once(
            store.list_feeds(), store, fetcher, Matcher(load_default_watchlist()), workers=workers
        )


def _ungrouped(store: Store) -> int:
    return int(store.conn.execute("SELECT count(*) FROM articles WHERE story IS NULL").fetchone()[0])


def test_every_new_article_is_in_a_story_when_the_poll_returns(
    open_store: Callable[[], Store], engine: str, bulk: BulkServer, caplog: pytest.LogCaptureFixture
) -> None:
    store = open_store()
    with caplog.at_level(logging.DEBUG, logger="monitor.core.polling.grouping_stage"):
        result = _poll(store, bulk, workers=2)
    assert result.new == FEEDS * ITEMS
    assert _ungrouped(store) == 0
    # Every article's features came from the parser processes, on the grouping thread's grouper too.
    assert "story features of 0 articles made in the poll's process" in caplog.text
    stories = store.conn.execute("SELECT count(DISTINCT story) FROM articles").fetchone()[0]
    assert 0 < stories < FEEDS * ITEMS  # the bulk feeds' items are reports of a few events


def test_the_stage_runs_on_its_own_thread_on_postgresql_only(
    open_store: Callable[[], Store], engine: str
) -> None:
    store = open_store()
    stage = GroupingStage(store, own_thread=not store.dialect.is_sqlite)
    try:
        assert (stage.threaded) == (engine == "postgresql")
        stage.finish()
        assert not stage.threaded
    finally:
        stage.close()


@pytest.mark.parametrize("own_thread", [False, True], ids=["poll-thread", "own-thread"])
def test_a_storage_failure_while_grouping_ends_the_poll(
    open_store: Callable[[], Store], own_thread: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(*args: object, **kwargs: object) -> None:
        failure = sqlite3.OperationalError("database or disk is full")
        failure.sqlite_errorcode = 13  # type: ignore[attr-defined]
        raise failure

    monkeypatch.setattr(grouping_stage, "group_new_articles", disk_full)
    stage = GroupingStage(open_store(), own_thread=own_thread)
    try:
        with pytest.raises(sqlite3.OperationalError, match="disk is full"):
            stage.feed_landed(40)
            stage.finish()
    finally:
        stage.close()  # ends the thread (it waits for nothing more)
    assert not stage.threaded


@pytest.mark.parametrize("own_thread", [False, True], ids=["poll-thread", "own-thread"])
def test_a_grouping_bug_is_logged_and_the_articles_wait_for_the_next_poll(
    open_store: Callable[[], Store],
    own_thread: bool,
    bulk: BulkServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = open_store()

    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("a bug in grouping")

    real = grouping_stage.group_new_articles, grouping_stage.group_feeds
    monkeypatch.setattr(grouping_stage, "group_new_articles", broken)
    monkeypatch.setattr(grouping_stage, "group_feeds", broken)
    monkeypatch.setattr(
        grouping_stage.GroupingStage,
        "__init__",
        _with_thread(grouping_stage.GroupingStage.__init__, own_thread),
    )
    with caplog.at_level(logging.ERROR, logger="monitor.core.polling.grouping_stage"):
        result = _poll(store, bulk, workers=0)
    assert result.new == FEEDS * ITEMS
    assert "they stay ungrouped until the next poll" in caplog.text
    assert _ungrouped(store) == FEEDS * ITEMS
    monkeypatch.setattr(grouping_stage, "group_new_articles", real[0])
    monkeypatch.setattr(grouping_stage, "group_feeds", real[1])
    with Fetcher(FetchSettings(per_host_delay=0)) as fetcher:
        poll_once(store.list_feeds(), store, fetcher, Matcher(load_default_watchlist()), workers=0)
    assert _ungrouped(store) == 0


def _with_thread(init: Callable[..., None], own_thread: bool) -> Callable[..., None]:
    """GroupingStage.__init__ with `own_thread` forced (the poll chooses it by engine)."""

    def forced(self: GroupingStage, store: Store, **_: object) -> None:
        init(self, store, own_thread=own_thread)

    return forced


def test_close_ends_the_grouping_thread_without_grouping(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "v.sqlite3")
    try:
        stage = GroupingStage(store, own_thread=True)
        stage.feed_landed(40)
        stage.close()
        assert not stage.threaded
        stage.close()  # twice is harmless
    finally:
        store.close()
