"""What a poll's save costs PostgreSQL (issue 19 item 8): a feed's new articles in a fixed number of statements,
whatever their number, and no ANALYZE work for the word pairs' index expression (pg_schema v26), the phrase's
plan unchanged."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from monitor.core.models import Assessment, Match, ParsedItem
from monitor.core.storage.ingest import PendingItem, content_hash, dedup_key
from monitor.core.storage.pg_search import search_ids
from monitor.core.storage.store import Store
from tests.pg_server import empty_database

FEED = "http://news.invalid/feed"


def _batch(start: int, count: int) -> list[tuple[PendingItem, Assessment]]:
    """New items, one in three matched (so highlighted, with names to index and entries to write)."""
    out = []
    for n in range(start, start + count):
        text = f"La police de Marseille a saisi {n} kilos. Le préfet Jean Dupont salue l'enquête numéro {n}."
        item = ParsedItem(
            guid=f"g{n}",
            link=f"http://news.invalid/{n}",
            title=f"Saisie record numéro {n} à Marseille",
            summary=text,
            content="",
            content_html=f"<p>{text}</p>",
            published="2026-12-01T10:00:00+00:00",
            lang="fr",
        )
        matches = (Match("police", "keyword", "summary", 3, 9, "police"),) if n % 3 == 0 else ()
        out.append(
            (
                PendingItem(item, dedup_key(item), content_hash(item.title, item.summary, item.content)),
                Assessment(matches=matches, score=float(len(matches)), highlighted=bool(matches)),
            )
        )
    return out


def _statements_to_save(store: Store, batch: list[tuple[PendingItem, Assessment]], monkeypatch) -> int:  # type: ignore[no-untyped-def]
    """How many statements the store's connection sends while save_items stores `batch` (executemany's rows each
    count)."""
    import psycopg

    sent: Counter[str] = Counter()
    execute, executemany = psycopg.Cursor.execute, psycopg.Cursor.executemany

    raw = store.conn.raw  # type: ignore[attr-defined]  # (the pool's own threads open connections meanwhile)

    def counted_execute(self, query, params=None, **kwargs):  # type: ignore[no-untyped-def]
        sent[str(query)[:60]] += self.connection is raw
        return execute(self, query, params, **kwargs)

    def counted_executemany(self, query, params_seq, **kwargs):  # type: ignore[no-untyped-def]
        rows = list(params_seq)
        sent[str(query)[:60]] += len(rows) if self.connection is raw else 0
        return executemany(self, query, rows, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(psycopg.Cursor, "execute", counted_execute)
        patch.setattr(psycopg.Cursor, "executemany", counted_executemany)
        store.save_items(
            source=FEED, feed_id=1, items=batch, fetched_at="2026-12-07T01:00:00+00:00", poll_id=1
        )
    return sum(sent.values())


def test_a_feeds_new_articles_take_the_same_statements_whatever_their_number(
    tmp_path: Path, postgres_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every write of a feed's new articles (the rows, their entries, versions and names) is one statement for
    the lot: 12 new articles and 60 send the same number, and everything lands."""
    store = Store.open(tmp_path / "unused.sqlite3", database=empty_database(postgres_server))
    try:
        store.add_feeds([(FEED, "")], 60)
        few = _statements_to_save(store, _batch(0, 12), monkeypatch)
        many = _statements_to_save(store, _batch(100, 60), monkeypatch)
        assert many == few
        counts = store.conn.execute(
            "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM article_versions),"
            " (SELECT count(*) FROM article_entries), (SELECT count(*) FROM names_indexed)"
        ).fetchone()
        assert tuple(counts) == (72, 72, 4 + 20, 4 + 20)
    finally:
        store.close()


def test_analyze_leaves_the_pairs_index_expression_alone_and_phrases_still_read_it(
    tmp_path: Path, postgres_server: str
) -> None:
    """ANALYZE computes no statistics for vigie_pair_keys (pg_schema v26: it computed the pairs of every sampled
    row again), and a phrase is still found through the pairs' index after it."""
    store = Store.open(tmp_path / "unused.sqlite3", database=empty_database(postgres_server))
    try:
        store.add_feeds([(FEED, "")], 60)
        store.save_items(
            source=FEED, feed_id=1, items=_batch(0, 60), fetched_at="2026-12-07T01:00:00+00:00", poll_id=1
        )
        store.conn.execute("ANALYZE articles_search")
        stats = store.conn.execute(
            "SELECT count(*) FROM pg_stats WHERE tablename = 'articles_search_pair_keys'"
        ).fetchone()[0]
        assert stats == 0
        assert store.conn.execute(
            "SELECT count(*) FROM pg_stats WHERE tablename = 'articles_search' AND attname = 'simple'"
        ).fetchone()[0]  # the vectors keep theirs: the words' selectivity decides the searches' plans
        sql, args = search_ids('"la police"')  # type: ignore[misc]
        plan = "\n".join(r[0] for r in store.conn.execute(f"EXPLAIN {sql}", list(args)).fetchall())
        assert "articles_search_pair_keys" in plan
        assert len(store.conn.execute(sql, list(args)).fetchall()) == 60
    finally:
        store.close()
