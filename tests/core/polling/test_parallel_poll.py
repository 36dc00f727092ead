"""Large polls parse and match in worker processes: they store exactly what a poll in one process stores, and a
worker that dies hands its feeds back to the poll's own process."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.core.matching.matcher import Matcher
from monitor.core.matching.watchlist import load_default_watchlist
from monitor.core.polling import poller
from monitor.core.polling.poller import PollResult, poll_once
from monitor.core.storage.store import Store
from monitor.core.web.fetch import Fetcher, FetchRequest, FetchSettings
from tests.core.bulk_server import BulkServer
from tests.core.polling.dying import DyingMatcher

FEEDS, ITEMS = 12, 30


@pytest.fixture(scope="module")
def bulk() -> Iterator[BulkServer]:
    server = BulkServer(FEEDS, ITEMS)
    yield server
    server.close()


def _poll(
    store: Store, server: BulkServer, workers: int, matcher: Matcher | None = None, *, stories: bool = True
) -> PollResult:
    for number in range(FEEDS):
        store.add_feed(server.url(number))
    with Fetcher(FetchSettings(per_host_delay=0)) as fetcher:
        return poll_once(
            store.list_feeds(),
            store,
            fetcher,
            matcher or Matcher(load_default_watchlist()),
            workers=workers,
            stories=stories,
        )


def _stored(store: Store) -> list[tuple]:
    rows = store.conn.execute(
        "SELECT source, guid, title, content, content_html, score, highlighted, matches, lang, s.fr, s.en "
        "FROM articles a LEFT JOIN articles_stems s ON s.rowid = a.id ORDER BY guid"
    )
    return [tuple(r) for r in rows]


def test_workers_store_what_one_process_stores(bulk: BulkServer, tmp_path: Path) -> None:
    stored = []
    for workers in (0, 2):
        store = Store.open(tmp_path / f"w{workers}.sqlite3")
        result = _poll(store, bulk, workers)
        assert sum(r.new for r in result.reports) == FEEDS * ITEMS
        assert not [r for r in result.reports if r.status == "error"]
        stored.append(_stored(store))
        store.close()
    assert stored[0] == stored[1]  # the workers' language tags and word forms too
    assert all(row[8] in ("fr", "en", "other") and (row[9] or row[10]) for row in stored[0])
    assert (
        sum(1 for row in stored[0] if row[6]) == FEEDS * ITEMS
    )  # every bulk item names narcotrafic and Marseille


def _story_features(store: Store) -> list[tuple]:
    """Each article's story features, by guid (ids depend on which feed landed first)."""
    rows = store.conn.execute(
        "SELECT a.guid, f.lang, f.stems, f.anchors, f.sketch FROM articles a"
        " JOIN story_features f ON f.article_id = a.id ORDER BY a.guid"
    )
    return [tuple(r) for r in rows]


def test_story_features_made_by_the_workers_group_as_the_poll_s_own(
    bulk: BulkServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    found = []
    for workers in (0, 2):
        store = Store.open(tmp_path / f"s{workers}.sqlite3")
        with caplog.at_level(logging.DEBUG, logger="monitor.core.polling.grouping_stage"):
            caplog.clear()
            _poll(store, bulk, workers)
        made_here = "story features of 0 articles made in the poll's process" in caplog.text
        assert made_here == (workers == 2)  # with workers, every article's features came from them
        found.append(_story_features(store))
        store.close()
    assert len(found[0]) == FEEDS * ITEMS
    # The same features, wherever they were made. (Not the same stories: which earlier report an article chains
    # to follows the order the feeds land in, which differs from one poll to the other.)
    assert found[0] == found[1]


def test_a_poll_without_stories_makes_no_features_and_the_next_poll_groups(
    bulk: BulkServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    offered: list[list] = []
    real_offered = poller.offered
    monkeypatch.setattr(poller, "offered", lambda future: offered.append(list(real_offered(future))) or ())
    store = Store.open(tmp_path / "plain.sqlite3")
    result = _poll(store, bulk, workers=2, stories=False)
    assert result.new == FEEDS * ITEMS
    assert len(offered) == FEEDS and not any(offered)  # the parser processes made no story features
    assert (
        store.conn.execute("SELECT count(*) FROM articles WHERE story IS NULL").fetchone()[0] == FEEDS * ITEMS
    )
    _poll(store, bulk, workers=2)  # nothing new: the poll groups the backlog
    assert store.conn.execute("SELECT count(*) FROM articles WHERE story IS NULL").fetchone()[0] == 0
    assert len(_story_features(store)) == FEEDS * ITEMS
    store.close()


def test_a_killed_worker_hands_the_poll_back(
    bulk: BulkServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Whichever worker parses feed 3 dies at its first item, every time.
    dying = DyingMatcher(load_default_watchlist(), fatal="-f3-i0 ")
    store = Store.open(tmp_path / "v.sqlite3")
    with caplog.at_level(logging.WARNING, logger="monitor.core.polling.poller"):
        result = _poll(store, bulk, workers=2, matcher=dying)
    assert "terminated abruptly" in caplog.text
    assert "parsing in the poll's process" in caplog.text or "parsing it in the poll's process" in caplog.text
    assert sum(r.new for r in result.reports) == FEEDS * ITEMS
    assert not [r for r in result.reports if r.status == "error"]
    assert (
        store.conn.execute("SELECT count(*) FROM articles WHERE highlighted = 1").fetchone()[0]
        == FEEDS * ITEMS
    )
    store.close()


def test_parser_processes_stem_only_for_a_store_that_keeps_word_forms(
    open_store: Callable[[], Store], engine: str, bulk: BulkServer
) -> None:
    store = open_store()
    with Fetcher(FetchSettings(per_host_delay=0)) as fetcher:
        response = fetcher.fetch(FetchRequest(bulk.url(0)))
    poller._start_parser(Matcher(load_default_watchlist()))
    parsed, _, _ = poller._parse_and_assess(
        response.content, bulk.url(0), response.headers, datetime.now(UTC), store.dialect.fts5
    )
    stemmed = [item.word_forms is not None for item in parsed.items]
    assert len(stemmed) == ITEMS
    # SQLite's stems table is written from them; PostgreSQL stems in its search trigger and would drop them.
    assert stemmed == [engine == "sqlite"] * ITEMS
