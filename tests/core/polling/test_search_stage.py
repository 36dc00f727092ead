"""PostgreSQL's poll makes its articles' search vectors on a connection of their own (polling/search_stage.py,
schema 31): a finished poll leaves none to make and its vectors are those the synchronous trigger makes; the
notes of a poll that died are made by the next one; SQLite indexes in the transaction either way."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.core.matching.matcher import Matcher
from monitor.core.matching.watchlist import load_default_watchlist
from monitor.core.models import Assessment, ParsedItem
from monitor.core.polling.poller import poll_once
from monitor.core.polling.search_stage import SearchStage
from monitor.core.storage.store import Store
from monitor.core.web.fetch import Fetcher, FetchSettings
from tests.core.bulk_server import BulkServer
from tests.pg_server import empty_database

FEEDS, ITEMS = 6, 20


@pytest.fixture(scope="module")
def bulk() -> Iterator[BulkServer]:
    server = BulkServer(FEEDS, ITEMS)
    yield server
    server.close()


@pytest.fixture
def pg_store(tmp_path: Path, postgres_server: str) -> Iterator[Store]:
    store = Store.open(tmp_path / "unused.sqlite3", database=empty_database(postgres_server))
    yield store
    store.close()


def _vectors(store: Store) -> dict[int, tuple[str, str, str]]:
    rows = store.conn.execute(
        "SELECT article_id, simple::text, french::text, english::text FROM articles_search"
    )
    return {int(r[0]): (r[1], r[2], r[3]) for r in rows}


def _pending(store: Store) -> int:
    return int(store.conn.execute("SELECT count(*) FROM search_pending").fetchone()[0])


def test_a_poll_leaves_no_vector_to_make_and_makes_them_as_the_trigger_does(
    bulk: BulkServer, pg_store: Store
) -> None:
    for number in range(FEEDS):
        pg_store.add_feed(bulk.url(number))
    deferred_writes, save_items = [], pg_store.save_items

    def save_and_note(**named):  # type: ignore[no-untyped-def]
        deferred_writes.append(named["defer_search"])
        return save_items(**named)

    pg_store.save_items = save_and_note  # type: ignore[method-assign]
    with Fetcher(FetchSettings(per_host_delay=0)) as fetcher:
        result = poll_once(
            pg_store.list_feeds(), pg_store, fetcher, Matcher(load_default_watchlist()), workers=2
        )
    assert sum(r.new for r in result.reports) == FEEDS * ITEMS
    assert deferred_writes == [True] * FEEDS  # every feed left its vectors to the stage
    assert _pending(pg_store) == 0
    deferred = _vectors(pg_store)
    assert len(deferred) == FEEDS * ITEMS
    # Each article's text changed and changed back: its vectors made again by the trigger, in the transaction.
    pg_store.conn.execute("UPDATE articles SET title = title || ' x'")
    pg_store.conn.execute("UPDATE articles SET title = left(title, -2)")
    assert _vectors(pg_store) == deferred


def _save(store: Store, guid: str, defer: bool) -> None:
    item = ParsedItem(
        guid=guid,
        link=f"https://news.example.org/{guid}",
        title=f"Le quartier {guid} sous surveillance",
        summary="Un article sur Félix Arnaud-Bessières.",
        content="",
        content_html="",
        published="2026-03-01T10:00:00+00:00",
    )
    pending = store.prepare("https://news.example.org/rss", [item])
    store.save_items(
        source="https://news.example.org/rss",
        feed_id=None,
        items=[(p, Assessment()) for p in pending],
        fetched_at="2026-03-01T10:00:00+00:00",
        poll_id=1,
        defer_search=defer,
    )


def _found(store: Store, word: str) -> int:
    sql = "SELECT count(*) FROM articles_search WHERE simple @@ to_tsquery('simple', ?)"
    return int(store.conn.execute(sql, (word,)).fetchone()[0])


def test_the_notes_a_dead_poll_left_are_made_by_the_next_poll_s_stage(pg_store: Store) -> None:
    _save(pg_store, "belsunce", defer=True)  # stored by a poll that died before its stage made the vectors
    assert _pending(pg_store) == 1 and _found(pg_store, "belsunce") == 0
    _save(pg_store, "noailles", defer=False)  # any other write makes them in its transaction
    assert _found(pg_store, "noailles") == 1
    stage = SearchStage(pg_store)  # the next poll's: it takes the notes first
    stage.finish()
    assert _pending(pg_store) == 0 and _found(pg_store, "belsunce") == 1
    assert _found(pg_store, "bessieres") == 2  # unaccented, as the trigger's


def test_sqlite_indexes_in_the_transaction_whatever_is_asked(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "vigie.sqlite3")
    try:
        stage = SearchStage(store)
        assert not stage.defer
        _save(store, "belsunce", defer=True)
        stage.finish()
        assert store.conn.execute(
            "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'belsunce'"
        ).fetchone()[0]
    finally:
        store.close()
