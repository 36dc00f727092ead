"""The list's revised items (issue 18): the Revised view and the Rev. column read from indexes, and agree with the
stored versions."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from monitor.core.models import ArticleQuery, Assessment, ParsedItem
from monitor.core.storage.store import Store

FEED = "https://wire.example/rss"


def _item(n: int, title: str) -> ParsedItem:
    return ParsedItem(
        guid=f"g{n}",
        link=f"https://wire.example/{n}",
        title=title,
        summary="",
        content=f"texte {n}",
        content_html="",
        published=f"2025-11-{1 + n % 28:02d}T12:00:00+00:00",
    )


def _save(store: Store, feed_id: int, items: list[ParsedItem], when: str) -> None:
    pending = store.prepare(FEED, items)
    store.save_items(
        source=FEED, feed_id=feed_id, items=[(p, Assessment()) for p in pending], fetched_at=when, poll_id=1
    )


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """30 articles; every fifth changed once by its feed, article 0 three times."""
    store = Store.open(tmp_path / "v.sqlite3")
    feed = store.add_feed(FEED, "Wire")[0]
    _save(store, feed.id, [_item(n, f"titre {n}") for n in range(30)], "2025-11-30T00:00:00+00:00")
    for version in range(1, 4):
        changed = [_item(n, f"titre {n} v{version}") for n in range(0, 30, 5) if version == 1 or n == 0]
        _save(store, feed.id, changed, f"2025-12-0{version}T00:00:00+00:00")
    return store


def _plan(store: Store, sql: str, *args: object) -> str:
    return " ".join(r[3] for r in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}", args))


def test_the_revised_view_lists_the_articles_with_more_than_one_version(store: Store) -> None:
    query = ArticleQuery(view="revised")
    rows = store.rows(query, 0, 100)
    assert store.count(query) == len(rows) == 6 == store.view_counts()["revised"]
    for row in rows:
        assert row.revisions == len(store.versions(row.id)) - 1 > 0
    assert max(rows, key=lambda r: r.revisions).revisions == 3  # article 0, changed three times
    # Every other article has one version and no Rev. figure.
    others = [r for r in store.rows(ArticleQuery(), 0, 100) if r.id not in {x.id for x in rows}]
    assert len(others) == 24 and all(r.revisions == 0 for r in others)


def test_the_revised_view_and_the_rev_sort_read_indexes(store: Store) -> None:
    """Counts and the first page read an index of the revised articles (the partial one holds only them), never
    the table; the page needs no sort."""
    where, args = store._where(ArticleQuery(view="revised"))
    for sql in (
        f"SELECT count(*) FROM articles a{where}",
        "SELECT count(*) FROM articles WHERE revisions > 0",
        f"SELECT a.id FROM articles a{where} ORDER BY a.published DESC, a.id DESC LIMIT 200",
    ):
        plan = _plan(store, sql, *args)
        assert "INDEX articles_revis" in plan and "TEMP B-TREE" not in plan, plan
    plan = _plan(store, "SELECT a.id FROM articles a ORDER BY a.revisions DESC, a.id DESC LIMIT 200")
    assert "articles_revisions" in plan and "TEMP B-TREE" not in plan


@pytest.mark.parametrize("descending", [False, True])
def test_sorting_by_revisions_pages_in_the_order_of_the_versions(store: Store, descending: bool) -> None:
    query = replace(ArticleQuery(), sort="revisions", descending=descending)
    ids = [r.id for page in range(5) for r in store.rows(query, page * 7, 7)]
    assert len(ids) == len(set(ids)) == 30
    counts = [len(store.versions(i)) for i in ids]
    assert counts == sorted(counts, reverse=descending)
