"""Who appears with whom through `vigie cooccurrence`: its counts are the export's matches counted by pair; the
pair table follows every write (ingest, re-score, a deleted article, a schema-13 database migrated); the list
filter "names all of these entries" finds the same articles."""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.core.models import ArticleQuery
from monitor.core.service import VigieCore
from monitor.core.storage import db, schema_steps, story_rows
from monitor.paths import AppPaths
from tests.conftest import write_opml


def _out(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    capsys.readouterr()
    assert main(list(argv)) == 0
    return capsys.readouterr().out


@pytest.fixture
def polled(
    data_dir: Path, database: str | None, dev_feeds: dict[str, str], tmp_path: Path, capsys
) -> list[dict]:
    """The dev feeds polled into the store of the test's engine (SQLite, or PostgreSQL through VIGIE_DATABASE)."""
    assert main(["feeds", "import", str(write_opml(tmp_path / "dev.opml", dev_feeds))]) == 0
    assert main(["poll"]) == 0
    return [json.loads(line) for line in _out(capsys, "articles", "export").splitlines()]


def _expected(records: list[dict], since: str = "") -> tuple[Counter, Counter]:
    """Pairs (as frozensets) and mentions counted from the export's matches."""
    pairs: Counter[frozenset[str]] = Counter()
    mentions: Counter[str] = Counter()
    for record in records:
        if (record["published"] or record["first_seen"]) < since:
            continue
        named = sorted({m["entry"] for m in record["matches"]})
        mentions.update(named)
        pairs.update(frozenset(p) for p in itertools.combinations(named, 2))
    return pairs, mentions


def _pair_table_is_the_self_join(conn: sqlite3.Connection) -> None:
    kept = conn.execute("SELECT entry_a, entry_b, article_id, published FROM article_entry_pairs").fetchall()
    joined = conn.execute(
        """SELECT x.entry, y.entry, x.article_id, x.published FROM article_entries x
           JOIN article_entries y ON y.article_id = x.article_id AND y.entry > x.entry"""
    ).fetchall()
    assert sorted(map(tuple, kept)) == sorted(map(tuple, joined))


def test_cooccurrence_counts_are_the_exports_matches_by_pair(polled: list[dict], capsys) -> None:
    pairs, mentions = _expected(polled)
    assert len(pairs) >= 5  # the dev feeds name several entries together: the comparison says something
    rows = list(csv.DictReader(io.StringIO(_out(capsys, "cooccurrence", "--format", "csv"))))
    assert list(rows[0]) == ["entry_a", "entry_b", "articles"]
    got_pairs = Counter({frozenset((r["entry_a"], r["entry_b"])): int(r["articles"]) for r in rows})
    got_mentions = Counter({r["entry_a"]: int(r["articles"]) for r in rows if r["entry_a"] == r["entry_b"]})
    assert got_mentions == mentions
    assert +Counter({k: v for k, v in got_pairs.items() if len(k) == 2}) == pairs
    # The text lists the pairs, most frequent first, then the mentions.
    text = _out(capsys, "cooccurrence")
    listed, _, named = text.partition("\nmentions:\n")
    counts = [int(line.split("\t")[2]) for line in listed.splitlines()]
    assert counts == sorted(counts, reverse=True) and sum(counts) == sum(pairs.values())
    assert {line.split("\t")[0]: int(line.split("\t")[1]) for line in named.splitlines()} == mentions


def test_since_counts_only_the_articles_published_from_that_date(polled: list[dict], capsys) -> None:
    dates = sorted(r["published"] or r["first_seen"] for r in polled if len(r["matches"]) > 1)
    cut = dates[len(dates) // 2][:10]
    pairs, mentions = _expected(polled, cut)
    everything, _ = _expected(polled)
    assert 0 < sum(pairs.values()) < sum(everything.values())
    rows = list(csv.DictReader(io.StringIO(_out(capsys, "cooccurrence", "--since", cut, "--format", "csv"))))
    got = Counter({frozenset((r["entry_a"], r["entry_b"])): int(r["articles"]) for r in rows})
    assert +Counter({k: v for k, v in got.items() if len(k) == 2}) == pairs
    assert {r["entry_a"]: int(r["articles"]) for r in rows if r["entry_a"] == r["entry_b"]} == mentions


def test_the_pair_table_follows_rescoring_deleting_and_the_list_filter(
    polled: list[dict], data_dir: Path, database: str | None
) -> None:
    core = VigieCore(AppPaths.resolve(data_dir), database=database)
    try:
        conn = core.store.conn
        _pair_table_is_the_self_join(conn)
        found = core.signals.cooccurrence()
        top = found.pairs[0]
        both = {r["id"] for r in polled if {top.a, top.b} <= {m["entry"] for m in r["matches"]}}
        query = ArticleQuery(entries_all=(top.a, top.b))
        assert core.store.count(query) == len(both) == top.articles
        assert {row.id for row in core.store.rows(query, 0, 1000)} == both
        assert core.store.count(ArticleQuery(entries_all=(top.b, top.a), highlighted_only=True)) == sum(
            1 for r in polled if r["id"] in both and r["highlighted"]
        )
        core.replace_watchlist(core.watchlist.without(top.a))  # the re-score drops its rows, and its pairs
        _pair_table_is_the_self_join(conn)
        assert top.a not in {e for p in core.signals.cooccurrence().pairs for e in (p.a, p.b)}
        with db.transaction(conn):
            conn.execute("DELETE FROM articles WHERE id = ?", (max(both),))
        _pair_table_is_the_self_join(conn)
    finally:
        core.close()


def _undo_story_rows(conn: sqlite3.Connection) -> None:
    """Drop what schema 17 (the story rows) created, read from its own script, so the steps after the pairs
    can run again as they would on a profile from before them."""
    for kind, name in re.findall(r"CREATE (TRIGGER|INDEX|TABLE) (\w+)", story_rows.V17):
        conn.execute(f"DROP {kind} {name}")
    for column in re.findall(r"ADD COLUMN (\w+)", story_rows.V17):
        conn.execute(f"ALTER TABLE stories DROP COLUMN {column}")


@pytest.mark.parametrize("engine", ["sqlite"])  # a SQLite file's migration
def test_a_database_from_before_the_pairs_gets_them_when_migrated(polled: list[dict], data_dir: Path) -> None:
    path = data_dir / "vigie.sqlite3"
    conn = db.connect(path)
    conn.executescript(
        """DROP TRIGGER article_entry_pairs_add; DROP TRIGGER article_entry_pairs_remove;
           DROP TRIGGER article_entry_pairs_date; DROP TABLE article_entry_pairs;
           DROP TRIGGER article_names_update; DROP TABLE article_names; DROP TABLE names_indexed;
           DROP TABLE name_lower_words; DROP INDEX articles_story_of;
           DROP TABLE story_outlets; DROP TABLE story_days; DROP TRIGGER story_days_inserted;
           DROP TRIGGER story_days_updated;"""  # and schema 16, 24 (outlets) and 30 (the days)
    )
    _undo_story_rows(conn)  # schema 17, after those
    for name in re.findall(r"CREATE INDEX (\w+)", schema_steps.V18):  # and schema 18 (the Rev. sort's index)
        conn.execute(f"DROP INDEX {name}")
    conn.execute(
        f"PRAGMA user_version = {db.MIGRATIONS.index(schema_steps.V15)}"
    )  # the step before the pairs
    conn.close()
    assert main(["cooccurrence", "--format", "csv"]) == 0
    conn = db.connect(path)
    try:
        assert db.schema_version(conn) == db.SCHEMA_VERSION
        _pair_table_is_the_self_join(conn)
        assert conn.execute("SELECT count(*) FROM article_entry_pairs").fetchone()[0] > 0
    finally:
        conn.close()


def test_bad_input_is_an_error_in_words(data_dir: Path, database: str | None, capsys) -> None:
    assert main(["cooccurrence", "--since", "last week"]) == 2
    assert "not an ISO date" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["cooccurrence", "--format", "jsonl"])
    capsys.readouterr()
    assert main(["cooccurrence", "--since", "2999-01-01"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and "no article names a watched entry in that period" in captured.err
