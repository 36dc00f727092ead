"""`vigie migrate`'s copy into an empty PostgreSQL store (pg_bulk.py): the articles go in with COPY and the search
indexes are built once after them; the searches then find what the profile's do. A copy interrupted with its
indexes dropped leaves them to the next run, which builds them."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.core.models import ArticleQuery, Assessment, ParsedItem
from monitor.core.storage import pg_bulk
from monitor.core.storage.profile_copy import copy_profile
from monitor.core.storage.store import Store
from tests.pg_server import empty_database

TITLES = [
    "La police enquête sur une fusillade à Marseille",
    "Saisie de cocaïne au port : la douane intervient",
    "Le préfet et le maire répondent aux habitants",
    "Police : la brigade des stupéfiants démantèle un point de deal",
    "Orages sur la Provence, la préfecture en alerte",
    "The police said the investigation into the shooting continues",
]
SEARCHES = ["police", '"la police"', "polic*", "douane OR préfet", "police -fusillade", "investigation"]


def _search_indexes(store: Store, *, columns_only: bool = False) -> set[tuple[str, str]]:
    """The GIN indexes of articles_search (name, definition); `columns_only`: not those on an expression."""
    rows = store.conn.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('articles_search') "
        "AND indexdef LIKE '% USING gin %'"
    ).fetchall()
    return {(str(r[0]), str(r[1])) for r in rows if not (columns_only and "(vigie_" in str(r[1]))}


def _profile(tmp_path: Path) -> Store:
    source = Store.open(tmp_path / "profile.sqlite3")
    items = [
        ParsedItem(
            guid=f"g{n}",
            link=f"https://example.org/{n}",
            title=TITLES[n % len(TITLES)],
            summary=f"Article {n}",
            content=TITLES[(n + 1) % len(TITLES)],
            content_html="",
            published=f"2026-11-{1 + n % 28:02d}T08:00:00+00:00",
        )
        for n in range(40)
    ]
    source.save_items(
        source="https://example.org/feed.xml",
        feed_id=None,
        items=[(p, Assessment()) for p in source.prepare("https://example.org/feed.xml", items)],
        fetched_at="2026-11-30T00:00:00+00:00",
        poll_id=1,
    )
    return source


def _found(store: Store, text: str) -> list[str]:
    return sorted(str(r.link) for r in store.rows(ArticleQuery(search=text), 0, 1000))


def test_a_copy_into_an_empty_store_builds_its_search_indexes_after_the_articles(
    postgres_server: str, tmp_path: Path
) -> None:
    source = _profile(tmp_path)
    target = Store.open(tmp_path / "unused.sqlite3", database=empty_database(postgres_server))
    try:
        indexes = _search_indexes(target)
        deferred = _search_indexes(target, columns_only=True)
        assert len(deferred) == 3  # simple, french, english; the word pairs' (an expression) is kept
        said: list[str] = []
        report = copy_profile(source, target, batch=7, say=said.append)
        assert report.ok and report.articles.copied == report.articles.source == 40
        assert any("built once the articles are in" in s for s in said)
        assert sum("building the search index" in s for s in said) == len(deferred)
        assert _search_indexes(target) == indexes and pg_bulk.pending_indexes(target) == []
        for text in SEARCHES:
            assert _found(target, text) == _found(source, text) and _found(source, text), text
        said.clear()
        again = copy_profile(source, target, say=said.append)  # not empty now: nothing dropped, nothing built
        assert again.ok and again.articles.copied == 0 and again.articles.present == 40 and said == []
        assert _search_indexes(target) == indexes
    finally:
        source.close()
        target.close()


def test_an_interrupted_copy_leaves_its_indexes_to_the_next_run(postgres_server: str, tmp_path: Path) -> None:
    source = _profile(tmp_path)
    target = Store.open(tmp_path / "unused.sqlite3", database=empty_database(postgres_server))
    try:
        indexes = _search_indexes(target)
        deferred = _search_indexes(target, columns_only=True)

        def stop(done: int, total: int) -> None:
            if done >= 10:
                raise KeyboardInterrupt  # the analyst's Ctrl+C after two batches

        with pytest.raises(KeyboardInterrupt):
            copy_profile(source, target, batch=5, on_progress=stop)
        assert _search_indexes(target) == indexes - deferred  # dropped, and remembered
        assert sorted(pg_bulk.pending_indexes(target)) == sorted(name for name, _ in deferred)
        there = int(target.conn.execute("SELECT count(*) FROM articles").fetchone()[0])
        assert 10 <= there < 40 and there % 5 == 0  # whole batches (those in flight finish)
        assert _found(target, "police")  # answered without the indexes, slower
        said: list[str] = []
        report = copy_profile(source, target, say=said.append)
        assert report.ok and report.articles.copied == 40 - there and report.articles.present == there
        assert any("stopped before building the search indexes" in s for s in said)
        assert _search_indexes(target) == indexes and pg_bulk.pending_indexes(target) == []
        for text in SEARCHES:
            assert _found(target, text) == _found(source, text), text
    finally:
        source.close()
        target.close()
