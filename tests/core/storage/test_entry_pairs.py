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


def test_entries_written_together_make_every_pair_once(open_store: OpenStore) -> None:
    """Many articles' entries in one statement (a feed's save; PostgreSQL's trigger runs once a statement since
    schema 26), then more entries beside the ones an article has: each article gets the pairs of all its entries,
    each once, with its date."""
    store = open_store()
    conn = store.conn
    ids = []
    for n in range(3):
        conn.execute(
            "INSERT INTO articles(source, dedup_key, title, fetched, content_hash, first_seen, last_updated,"
            " published) VALUES ('seed', ?, 'T', '2026-01-02', 'h', '2026-01-02', '2026-01-02', ?)",
            (f"k{n}", f"2026-01-0{n + 1}T10:00:00Z"),
        )
        ids.append(int(conn.execute("SELECT id FROM articles WHERE dedup_key = ?", (f"k{n}",)).fetchone()[0]))
    entries = {ids[0]: ["A", "B", "C", "D"], ids[1]: ["A", "B"], ids[2]: ["E"]}
    conn.executemany(
        "INSERT INTO article_entries(article_id, entry) VALUES (?, ?) ON CONFLICT DO NOTHING",
        [(article, entry) for article, names in entries.items() for entry in names],
    )
    conn.executemany(  # one more entry beside the ones written before, and one already there
        "INSERT INTO article_entries(article_id, entry) VALUES (?, ?) ON CONFLICT DO NOTHING",
        [(ids[1], "C"), (ids[1], "A"), (ids[2], "F")],
    )
    entries[ids[1]].append("C")
    entries[ids[2]].append("F")
    expected = sorted(
        (a, b, article, f"2026-01-0{ids.index(article) + 1}T10:00:00Z")
        for article, names in entries.items()
        for a in names
        for b in names
        if a < b
    )
    expected.sort(key=lambda pair: (pair[2], pair[0], pair[1]))  # as _pairs reads them
    assert _pairs(store) == expected
    assert len(expected) == 6 + 3 + 1
