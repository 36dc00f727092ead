"""The name index emerging names read (schema 16): written for the highlighted items as they are stored (by the
parser processes of a large poll too), dropped and written again when a text changes, caught up for the articles
stored before it, and giving the same emerging names as the index built at ingest."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.core.matching.article_names import article_names
from monitor.core.matching.matcher import Matcher
from monitor.core.matching.watchlist import Entry, Watchlist, save_watchlist
from monitor.core.models import ParsedItem
from monitor.core.polling import poller
from monitor.core.service import VigieCore
from monitor.core.storage import name_index
from monitor.core.support.clock import iso
from monitor.paths import AppPaths

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
WATCHED = Watchlist((Entry("Nicolas Bessone", "person", aliases=("Nicolas Bessone", "Bessone"), weight=5),))
NAMING = [
    "Nicolas Bessone met the lawyer Karim Zeroual in Marseille. Zeroual said the OFAST was there.",
    "The prosecutor Nicolas Bessone answered Karim Zeroual on Monday, after the Office anti-stupéfiants (OFAST).",
    "Karim Zeroual and Nicolas Bessone: the hearing goes on, the French press said.",
]
OURS = "source = 'https://news.example/rss'"
UNWATCHED = "The weather in Lyon: Jeanne Martin expects rain, said Météo-France."


def _item(i: int, text: str, when: datetime) -> ParsedItem:
    return ParsedItem(
        guid=f"n{i}",
        link=f"https://news.example/n{i}",
        title=text.split(". ")[0],
        summary="",
        content=text,
        content_html="",
        published=iso(when),
    )


def _save(core: VigieCore, items: list[ParsedItem]) -> None:
    feed, _ = core.store.add_feed("https://news.example/rss")
    pending = core.store.prepare(feed.url, items)
    assessed = [(p, core.matcher.assess(p.item.title, p.item.summary, p.item.content)) for p in pending]
    core.store.save_items(source=feed.url, feed_id=feed.id, items=assessed, fetched_at=iso(NOW), poll_id=1)


@pytest.fixture
def core(data_dir: Path, database: str | None) -> VigieCore:
    """Our items stored on each engine in turn (PostgreSQL's name index is its schema 21)."""
    paths = AppPaths.resolve(data_dir).ensure()
    save_watchlist(WATCHED, paths.watchlist)
    core = VigieCore(paths, clock=lambda: NOW, database=database)
    items = [_item(i, t, NOW - timedelta(days=1 + i)) for i, t in enumerate(NAMING)]
    _save(core, [*items, _item(9, UNWATCHED, NOW - timedelta(days=1))])
    yield core
    core.close()


def _indexed(core: VigieCore) -> dict[int, set[str]]:
    rows = core.store.conn.execute("SELECT article_id, key FROM article_names").fetchall()
    out: dict[int, set[str]] = {}
    for article_id, key in rows:
        out.setdefault(article_id, set()).add(key)
    return out


def test_the_highlighted_items_are_indexed_as_they_are_stored(core: VigieCore) -> None:
    indexed = _indexed(core)
    highlighted = {r[0] for r in core.store.conn.execute("SELECT id FROM articles WHERE highlighted = 1")}
    ours = {
        r[0] for r in core.store.conn.execute(f"SELECT id FROM articles WHERE {OURS} AND highlighted = 1")
    }
    assert len(ours) == 3  # the seeds highlighted as they were stored, and our three items
    marked = {r[0] for r in core.store.conn.execute("SELECT article_id FROM names_indexed")}
    assert marked == highlighted  # the unwatched item is not read
    assert ours <= set(indexed)
    assert all("karim zeroual" in indexed[i] for i in ours)
    assert not any({"the", "french", "monday"} & keys for keys in indexed.values())  # never proposed alone
    lower = {r[0] for r in core.store.conn.execute("SELECT word FROM name_lower_words")}
    assert {"lawyer", "prosecutor", "hearing"} <= lower
    assert core.signals.names_to_index() == 0


def test_a_changed_text_is_indexed_again(core: VigieCore) -> None:
    changed = _item(0, "Nicolas Bessone met Sophie Lambert in Marseille. Lambert said nothing.", NOW)
    _save(core, [changed])
    article_id = core.store.conn.execute("SELECT id FROM articles WHERE guid = 'n0'").fetchone()[0]
    keys = _indexed(core)[article_id]
    assert "sophie lambert" in keys and "karim zeroual" not in keys


@pytest.mark.parametrize("engine", ["sqlite"])  # the window's catch-up is SQLite's (Signals.index_names)
def test_articles_stored_before_the_index_are_caught_up(core: VigieCore) -> None:
    before = [n.to_dict() for n in core.signals.emerging()]
    assert before and before[0]["name"] == "Karim Zeroual"
    core.store.conn.execute("DELETE FROM article_names")
    core.store.conn.execute("DELETE FROM names_indexed")
    highlighted = core.store.conn.execute("SELECT count(*) FROM articles WHERE highlighted = 1").fetchone()[0]
    assert core.signals.names_to_index() == highlighted
    progress: list[tuple[int, int]] = []
    assert core.signals.index_names(lambda done, total: progress.append((done, total))) == highlighted
    assert progress[-1] == (highlighted, highlighted)
    assert core.signals.names_to_index() == 0
    assert [n.to_dict() for n in core.signals.emerging()] == before
    # Worker processes find the same names (what the window's catch-up does on a large profile).
    core.store.conn.execute("DELETE FROM article_names")
    core.store.conn.execute("DELETE FROM names_indexed")
    assert name_index.index_missing(core.store.conn, workers=2) == highlighted
    assert [n.to_dict() for n in core.signals.emerging()] == before
    # Emerging names catch up what is still missing in their period themselves.
    core.store.conn.execute("DELETE FROM names_indexed")
    assert [n.to_dict() for n in core.signals.emerging()] == before


def test_a_parser_process_names_the_highlighted_items() -> None:
    feed = "".join(
        f"<item><guid>g{i}</guid><title>Item {i}</title><description>{text}</description></item>"
        for i, text in enumerate([NAMING[0], UNWATCHED])
    )
    content = f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{feed}</channel></rss>'
    poller._start_parser(Matcher(WATCHED))
    parsed, assessments, _features = poller._parse_and_assess(
        content.encode(), "https://news.example/rss", {}, NOW
    )
    assert [a.highlighted for a in assessments] == [True, False]
    named, unwatched = parsed.items
    assert named.names == article_names(named.title, named.summary, named.content)
    assert unwatched.names is None


def test_a_rescore_indexes_the_articles_it_highlights(core: VigieCore) -> None:
    unwatched = core.store.conn.execute(f"SELECT id FROM articles WHERE {OURS} AND guid = 'n9'").fetchone()[0]
    assert unwatched not in _indexed(core)
    core.add_entry(
        Entry("Jeanne Martin", "person", aliases=("Jeanne Martin",), weight=5)
    )  # re-scores the store
    assert core.store.conn.execute("SELECT highlighted FROM articles WHERE id = ?", (unwatched,)).fetchone()[
        0
    ]
    assert {"jeanne martin", "lyon"} <= _indexed(core)[unwatched]
    assert core.signals.names_to_index() == 0


@pytest.mark.parametrize("engine", ["sqlite"])  # a SQLite file's writer lock
def test_a_busy_store_still_gives_the_names_indexed(core: VigieCore) -> None:
    before = [n.name for n in core.signals.emerging()]
    core.store.conn.execute(
        f"DELETE FROM names_indexed WHERE article_id IN (SELECT id FROM articles WHERE {OURS})"
    )
    writer = sqlite3.connect(core.store.path)
    writer.execute("BEGIN IMMEDIATE")  # another process writing: the catch-up before counting cannot
    core.store.conn.execute("PRAGMA busy_timeout = 50")
    try:
        assert [n.name for n in core.signals.emerging()] == before
    finally:
        writer.rollback()
        writer.close()


@pytest.mark.parametrize("engine", ["postgresql"])
def test_on_postgresql_emerging_names_catch_up_their_period_themselves(core: VigieCore) -> None:
    before = [n.to_dict() for n in core.signals.emerging()]
    assert before and before[0]["name"] == "Karim Zeroual"
    core.store.conn.execute("DELETE FROM article_names")
    core.store.conn.execute("DELETE FROM names_indexed")
    assert core.signals.names_to_index() == 0 and core.signals.index_names() == 0  # never the window's
    assert [n.to_dict() for n in core.signals.emerging()] == before
    assert core.store.conn.execute("SELECT count(*) FROM names_indexed").fetchone()[0] > 0
