"""The reads a watchlist proposal needs: the judged articles, every article's text by ranges of ids, titles.

Plain tuples rather than Article objects: a worker process sends nothing back but ids, and the proposal reads
every stored text once per computation.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

# (id, title, summary, content, judgement or None)
TextRow = tuple[int, str, str, str, str | None]


def judged_texts(conn: sqlite3.Connection) -> list[TextRow]:
    """Every judged article's text and judgement, by id."""
    return [
        (int(r[0]), r[1] or "", r[2] or "", r[3] or "", r[4])
        for r in conn.execute(
            "SELECT id, title, summary, content, judgement FROM articles WHERE judgement IS NOT NULL ORDER BY id"
        )
    ]


def id_bounds(conn: sqlite3.Connection) -> tuple[int, int]:
    """(one below the smallest id, the largest id): the ranges low < id <= high cover every article."""
    low, high = conn.execute("SELECT coalesce(min(id), 1) - 1, coalesce(max(id), 0) FROM articles").fetchone()
    return int(low), int(high)


def texts_in_range(conn: sqlite3.Connection, low: int, high: int) -> list[TextRow]:
    """The articles with low < id <= high."""
    return [
        (int(r[0]), r[1] or "", r[2] or "", r[3] or "", r[4])
        for r in conn.execute(
            "SELECT id, title, summary, content, judgement FROM articles WHERE id > ? AND id <= ?",
            (low, high),
        )
    ]


def titles_of(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, str]:
    """The titles of these articles (ids that do not exist are left out)."""
    out: dict[int, str] = {}
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(f"SELECT id, title FROM articles WHERE id IN ({marks})", chunk):
            out[int(row[0])] = row[1] or ""
    return out
