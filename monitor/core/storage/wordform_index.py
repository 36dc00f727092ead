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
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future

from monitor.core.parsing import language, wordforms
from monitor.core.support.workers import close_pool, cores, process_pool

log = logging.getLogger(__name__)

# Rows per read and write while the migration indexes the articles already stored.
MIGRATION_BATCH = 2_000
# From this many articles to index, the migration stems in worker processes (starting them costs about a second).
PARALLEL_ARTICLES = 20_000

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
    """Schema 10: the word-form index, built for every stored article; the languages stored as declared become
    tags ("fr-FR" -> "fr", "es" -> "other"), the articles without one stay untagged (index_articles says why).

    Runs inside the migration's transaction; docs/BENCHMARKS.md has its time on 200,000 articles."""
    conn.execute(_TABLE)
    index_articles(conn)
    for trigger in _TRIGGERS:
        conn.execute(trigger)
    # The list's Lang column sorts on this index (queries.SORT_INDEXES), as the other columns do on theirs.
    conn.execute("CREATE INDEX articles_lang ON articles(lang)")


def index_articles(
    conn: sqlite3.Connection, after_id: int = 0, workers: int | None = None, detect: bool = False
) -> tuple[int, int]:
    """Tag and index the word forms of every article with an id above `after_id`, none of them indexed yet:
    (articles, how many were tagged by detection).

    An article whose stored language is a declared one ("fr-FR", "es") is tagged from it. One with none (its
    feed never said) is tagged by the detector when `detect`; the migration does not ask for it: detection
    costs several times the stemming (docs/BENCHMARKS.md), so those articles stay untagged (the list shows no
    language) and are indexed under both stemmers, as "other" items are. From PARALLEL_ARTICLES articles,
    worker processes (`workers`, default one per core; 0 or 1: none) tag and stem while this one reads and
    writes: stemming is most of the time."""
    started = time.perf_counter()
    if workers is None:
        pending = conn.execute("SELECT count(*) FROM articles WHERE id > ?", (after_id,)).fetchone()[0]
        workers = cores() if pending >= PARALLEL_ARTICLES else 0
    done = detected = 0
    for retagged, forms, guessed in _tagged_and_stemmed(_batches(conn, after_id), workers, detect):
        conn.executemany("UPDATE articles SET lang = ? WHERE id = ?", retagged)
        write_forms(conn, forms)
        done += len(forms)
        detected += guessed
        if done % 50_000 < MIGRATION_BATCH:
            log.info("word-form index: %d articles (%.0f s)", done, time.perf_counter() - started)
    log.info(
        "word-form index built for %d articles (%d tagged by detection, %d worker processes) in %.1f s",
        done,
        detected,
        workers if workers > 1 else 0,
        time.perf_counter() - started,
    )
    return done, detected


_Row = tuple[int, str, str, str, str | None]  # id, title, summary, content, stored language
_Tagged = tuple[list[tuple[str, int]], list[FormsRow], int]  # (new tag, id) pairs, forms, how many detected


def _batches(conn: sqlite3.Connection, after_id: int) -> Iterator[list[_Row]]:
    last_id = after_id
    while True:
        rows = conn.execute(
            "SELECT id, title, summary, content, lang FROM articles WHERE id > ? ORDER BY id LIMIT ?",
            (last_id, MIGRATION_BATCH),
        ).fetchall()
        if not rows:
            return
        last_id = rows[-1][0]
        yield [tuple(r) for r in rows]  # type: ignore[misc]  # plain tuples: they go to worker processes


def _tag_and_stem(rows: list[_Row], detect: bool = False) -> _Tagged:
    """Each article's tag (declared; else detected when `detect`, else none) and word forms; in a worker
    process or this one."""
    retagged: list[tuple[str, int]] = []
    forms: list[FormsRow] = []
    detected = 0
    for article_id, title, summary, content, stored in rows:
        tag = language.tag_of(stored)
        if tag is None and detect:
            tag = language.detect(language.sample(title, summary, content))
            detected += 1
        if tag is not None and tag != stored:
            retagged.append((tag, article_id))
        forms.append(forms_row(article_id, title, summary, content, tag))  # untagged: both stemmers
    return retagged, forms, detected


def _tagged_and_stemmed(batches: Iterator[list[_Row]], workers: int, detect: bool) -> Iterator[_Tagged]:
    """`_tag_and_stem` of each batch, in order; with workers, a few batches ahead in their processes (a few, so
    that the store's text is never all in memory at once)."""
    if workers <= 1:
        yield from (_tag_and_stem(batch, detect) for batch in batches)
        return
    pool = process_pool(workers)
    try:
        ahead: deque[Future[_Tagged]] = deque()
        for batch in batches:
            ahead.append(pool.submit(_tag_and_stem, batch, detect))
            if len(ahead) > 2 * workers:
                yield ahead.popleft().result()
        while ahead:
            yield ahead.popleft().result()
    finally:
        close_pool(pool)
