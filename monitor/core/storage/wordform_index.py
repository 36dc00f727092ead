"""The index of word forms (schema 10): each article's distinct Snowball stems, by its language, in an FTS5 table
beside the index of the text as written (parsing/wordforms.py says what goes in it, searchsyntax.py how a search
reads it).

articles_stems keeps its own copy of the stems (an FTS5 table with content): a row can then be deleted by its id
alone, which a contentless table cannot do on SQLite before 3.43, and a trigger can do it without Python. The
store writes the rows (new articles in Store.save_items, existing ones in the migration); the triggers only
remove the rows of deleted articles and of articles whose text or language changed (save_items writes their new
row after the update).
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Sequence

from monitor.core.parsing import language, wordforms

log = logging.getLogger(__name__)

# Rows per read and write while the migration indexes the articles already stored.
MIGRATION_BATCH = 2_000

# columnsize=0: no per-row token counts (they serve bm25 ranking, which Vigie does not use).
_TABLE = """CREATE VIRTUAL TABLE articles_stems USING fts5(
    fr, en, tokenize='unicode61 remove_diacritics 2', columnsize=0
)"""
_TRIGGERS = (
    """CREATE TRIGGER articles_stems_delete AFTER DELETE ON articles BEGIN
    DELETE FROM articles_stems WHERE rowid = old.id;
END""",
    """CREATE TRIGGER articles_stems_update AFTER UPDATE OF title, summary, content, lang ON articles BEGIN
    DELETE FROM articles_stems WHERE rowid = old.id;
END""",
)
_INSERT = "INSERT INTO articles_stems(rowid, fr, en) VALUES (?, ?, ?)"

FormsRow = tuple[int, str, str]  # (article id, French stems, English stems)


def forms_row(article_id: int, title: str, summary: str, content: str, lang: str | None) -> FormsRow:
    return (article_id, *wordforms.index_forms(title, summary, content, lang))


def write_forms(conn: sqlite3.Connection, rows: Sequence[FormsRow]) -> None:
    """Index articles' word forms, in one statement (FTS5 writes its pending terms at each statement's end)."""
    if rows:
        conn.executemany(_INSERT, rows)


def migrate_v10(conn: sqlite3.Connection) -> None:
    """Schema 10: the word-form index, built for every stored article, each tagged "fr", "en" or "other".

    Runs inside the migration's transaction; docs/BENCHMARKS.md has its time on 200,000 articles."""
    conn.execute(_TABLE)
    index_articles(conn)
    for trigger in _TRIGGERS:
        conn.execute(trigger)
    # The list's Lang column sorts on this index (queries.SORT_INDEXES), as the other columns do on theirs.
    conn.execute("CREATE INDEX articles_lang ON articles(lang)")


def index_articles(conn: sqlite3.Connection, after_id: int = 0) -> tuple[int, int]:
    """Tag and index the word forms of every article with an id above `after_id`, none of them indexed yet:
    (articles, how many were tagged by detection).

    An article whose stored language is a declared one ("fr-FR", "es") is tagged from it, without detection;
    one with none is tagged by the detector on its title and the start of its summary."""
    started = time.perf_counter()
    last_id = after_id
    done = detected = 0
    while True:
        rows = conn.execute(
            "SELECT id, title, summary, content, lang FROM articles WHERE id > ? ORDER BY id LIMIT ?",
            (last_id, MIGRATION_BATCH),
        ).fetchall()
        if not rows:
            break
        retagged: list[tuple[str, int]] = []
        forms: list[FormsRow] = []
        for article_id, title, summary, content, stored in rows:
            tag = language.tag_of(stored)
            if tag is None:
                tag = language.detect(language.sample(title, summary, content))
                detected += 1
            if tag != stored:
                retagged.append((tag, article_id))
            forms.append(forms_row(article_id, title, summary, content, tag))
        conn.executemany("UPDATE articles SET lang = ? WHERE id = ?", retagged)
        write_forms(conn, forms)
        last_id = rows[-1][0]
        done += len(rows)
        if done % 50_000 < MIGRATION_BATCH:
            log.info("word-form index: %d articles (%.0f s)", done, time.perf_counter() - started)
    log.info(
        "word-form index built for %d articles (%d tagged by detection) in %.1f s",
        done,
        detected,
        time.perf_counter() - started,
    )
    return done, detected
