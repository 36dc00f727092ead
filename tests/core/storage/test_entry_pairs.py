"""The entry pairs of schema 15 (who appears with whom) are kept by triggers on article_entries, the same way on
both engines: a pair per two entries of an article, with the article's date, gone with either entry."""

from __future__ import annotations

from tests.core.storage.conftest import OpenStore


def _pairs(store) -> list[tuple[str, str, int, str | None]]:
    rows = store.conn.execute(
        "SELECT entry_a, entry_b, article_id, published FROM article_entry_pairs ORDER BY article_id, entry_a, entry_b"
    ).fetchall()
    return [(r[0], r[1], int(r[2]), r[3]) for r in rows]


def test_entry_pairs_follow_the_entries_and_the_date(open_store: OpenStore) -> None:
    store = open_store()
    conn = store.conn
    conn.execute(
        "INSERT INTO articles(source, dedup_key, title, fetched, content_hash, first_seen, last_updated, published)"
        " VALUES ('seed', 'k', 'T', '2026-01-02', 'h', '2026-01-02', '2026-01-02', '2026-01-01T10:00:00Z')"
    )
    article = int(conn.execute("SELECT id FROM articles WHERE dedup_key = 'k'").fetchone()[0])
    for entry in ("Vasseur", "Durand", "PNACO"):
        conn.execute("INSERT INTO article_entries(article_id, entry) VALUES (?, ?)", (article, entry))
    day = "2026-01-01T10:00:00Z"
    assert _pairs(store) == [
        ("Durand", "PNACO", article, day),
        ("Durand", "Vasseur", article, day),
        ("PNACO", "Vasseur", article, day),
    ]
    conn.execute("UPDATE articles SET published = ? WHERE id = ?", ("2026-01-03T08:00:00Z", article))
    assert {p[3] for p in _pairs(store)} == {"2026-01-03T08:00:00Z"}
    conn.execute("DELETE FROM article_entries WHERE article_id = ? AND entry = 'PNACO'", (article,))
    assert _pairs(store) == [("Durand", "Vasseur", article, "2026-01-03T08:00:00Z")]
