"""Re-scoring after a watchlist edit: only changed articles are written, and worker processes give the same
result as matching in this process."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from monitor.core.matching.matcher import Matcher
from monitor.core.matching.watchlist import Entry, Watchlist, load_default_watchlist
from monitor.core.models import Assessment, ParsedItem
from monitor.core.polling import rescore
from monitor.core.polling.rescore import rescore_store
from monitor.core.storage.store import Store
from tests.core.polling.dying import DyingMatcher
from tests.core.storage.conftest import OpenStore

TEXTS = [
    "Amine Kessaci menacé après le meurtre de son frère Mehdi à Marseille.",
    "Le parquet national anticriminalité organisée (Pnaco) ouvre une enquête sur le narcotrafic.",
    "Recette de la tarte aux pommes, cuite au four pendant quarante minutes.",
    "Un point de deal démantelé dans les quartiers nord ; la zorglub brigade salue l'opération.",
    "The Senate inquiry heard that drug trafficking now reaches every French city.",
    "Le port de Marseille accueille un nouveau paquebot de croisière.",
]


def _store_with_articles(path: Path | Store, count: int) -> Store:
    store = path if isinstance(path, Store) else Store.open(path)
    items = [
        ParsedItem(
            guid=f"g{n}",
            link=None,
            title=f"Article {n}",
            summary="",
            content=TEXTS[n % len(TEXTS)],
            content_html="",
            published="2025-11-20T08:00:00+00:00",
        )
        for n in range(count)
    ]
    pending = store.prepare("https://feed.example/rss", items)
    store.save_items(
        source="https://feed.example/rss",
        feed_id=None,
        items=[(p, Assessment()) for p in pending],
        fetched_at="2025-11-20T09:00:00+00:00",
        poll_id=1,
    )
    return store


def _scores(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT id, score, highlighted, matches FROM articles ORDER BY id").fetchall()
        entries = conn.execute("SELECT article_id, entry FROM article_entries ORDER BY 1, 2").fetchall()
    return rows + entries


def _count_updates(store: Store) -> None:
    store.conn.executescript(
        """CREATE TABLE updated(id INTEGER);
           CREATE TRIGGER count_updates AFTER UPDATE OF score ON articles BEGIN
               INSERT INTO updated VALUES (new.id);
           END;"""
    )


def test_an_edit_writes_only_the_articles_it_changes(tmp_path: Path) -> None:
    store = _store_with_articles(tmp_path / "v.sqlite3", 60)
    watchlist = load_default_watchlist()
    assert rescore_store(store, Matcher(watchlist), workers=0) == 60
    _count_updates(store)

    edited = watchlist.with_entry(
        Entry(name="Zorglub brigade", kind="organisation", aliases=("zorglub brigade",))
    )
    assert rescore_store(store, Matcher(edited), workers=0) == 60

    updated = {r[0] for r in store.conn.execute("SELECT id FROM updated")}
    assert len(updated) == 10  # the ten articles with the new name, every sixth one
    for article_id in updated:
        article = store.article(article_id)
        assert article is not None and "zorglub" in article.content
        assert "Zorglub brigade" in {m.entry for m in article.matches}


def test_writes_go_in_bounded_transactions_with_a_pause_after_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _store_with_articles(tmp_path / "v.sqlite3", 60)
    watchlist = load_default_watchlist()
    rescore_store(store, Matcher(watchlist), workers=0)
    events: list[str] = []
    store.conn.set_trace_callback(lambda sql: events.append("commit") if sql == "COMMIT" else None)
    monkeypatch.setattr(rescore, "WRITE_CHUNK", 3)
    monkeypatch.setattr(rescore, "_let_the_window_run", lambda: events.append("pause"))
    edited = watchlist.with_entry(
        Entry(name="Zorglub brigade", kind="organisation", aliases=("zorglub brigade",))
    )

    assert rescore_store(store, Matcher(edited), workers=0) == 60

    store.conn.set_trace_callback(None)
    # Ten articles change (every sixth one): four transactions of at most three, each followed by a pause.
    assert events == ["commit", "pause"] * 4
    assert (
        len(store.conn.execute("SELECT 1 FROM article_entries WHERE entry = 'Zorglub brigade'").fetchall())
        == 10
    )


def test_re_scoring_withdraws_the_alerts_of_articles_no_longer_highlighted(open_store: OpenStore) -> None:
    store = _store_with_articles(open_store(), 60)
    watchlist = load_default_watchlist()
    rescore_store(store, Matcher(watchlist), workers=0)
    store.conn.execute("UPDATE articles SET alert = highlighted")
    alerted = {r[0] for r in store.conn.execute("SELECT id FROM articles WHERE alert = 1")}
    plain = tuple(e for e in watchlist.entries if not e.context and e.name != "Amine Kessaci")
    kept = Watchlist(plain, watchlist.version)

    rescore_store(store, Matcher(kept), workers=0)

    still = {r[0] for r in store.conn.execute("SELECT id FROM articles WHERE alert = 1")}
    highlighted = {r[0] for r in store.conn.execute("SELECT id FROM articles WHERE highlighted = 1")}
    assert still == highlighted and still < alerted


def test_worker_processes_store_what_this_process_would(tmp_path: Path) -> None:
    watchlist = load_default_watchlist()
    edited = watchlist.with_entry(
        Entry(name="Zorglub brigade", kind="organisation", aliases=("zorglub brigade",))
    )
    results = []
    for name, workers in (("here", 0), ("pool", 2)):
        path = tmp_path / f"{name}.sqlite3"
        store = _store_with_articles(path, 5_000)
        rescore_store(store, Matcher(watchlist), workers=0)
        progress: list[tuple[int, int]] = []
        assert (
            rescore_store(
                store, Matcher(edited), lambda d, t, seen=progress: seen.append((d, t)), workers=workers
            )
            == 5_000
        )
        assert progress[-1] == (5_000, 5_000) and len(progress) == 3  # one step per range of 2,000 ids
        store.close()
        results.append(_scores(path))
    assert results[0] == results[1]
    assert sum(1 for row in results[0] if row[1:] == ("Zorglub brigade",)) == 833  # n % 6 == 3 for n < 5,000


def test_a_killed_worker_leaves_its_ranges_to_this_process(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    watchlist = load_default_watchlist()
    edited = watchlist.with_entry(
        Entry(name="Zorglub brigade", kind="organisation", aliases=("zorglub brigade",))
    )
    expected_store = _store_with_articles(tmp_path / "expected.sqlite3", 5_000)
    rescore_store(expected_store, Matcher(edited), workers=0)
    expected_store.close()

    store = _store_with_articles(tmp_path / "v.sqlite3", 5_000)
    # The worker given the second range of ids dies at its 500th article, every time.
    dying = DyingMatcher(edited, fatal="Article 2500")
    with caplog.at_level(logging.WARNING, logger="monitor.core.polling.rescore"):
        assert rescore_store(store, dying, workers=2) == 5_000
    store.close()
    assert "terminated abruptly" in caplog.text and "going on in this process" in caplog.text
    assert _scores(tmp_path / "v.sqlite3") == _scores(tmp_path / "expected.sqlite3")
