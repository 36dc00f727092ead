"""The name index (schema 16): the candidate names of the highlighted articles, so that emerging names add up
indexed rows instead of reading a month of text again (matching/article_names.py says what a row holds).

Written where the text is already at hand: the store writes a highlighted item's names as it stores it (made in a
parser process during a large poll, else here), a re-score writes those of the articles it highlights, and
`index_missing` catches up the rest (the articles stored before schema 16, or highlighted by a judgement), in
short transactions, newest first, on the window's task runner or before emerging names are computed.

The SQL is SQLite's and runs on PostgreSQL too (team mode): the connection adapter (pg.py `translate`) drops the
INDEXED BY hints and writes group_concat as string_agg. There, the catch-up is emerging names' own (the articles
of their period), never the window's start-up's.
"""

from __future__ import annotations

import itertools
import logging
import sqlite3
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from monitor.core.matching.article_names import AggregateRow, article_names
from monitor.core.models import ArticleNames
from monitor.core.storage.db import connect, transaction
from monitor.core.support.workers import close_pool, cores, process_pool

log = logging.getLogger(__name__)

CATCH_UP_BATCH = 200  # articles per transaction while catching up: each is about a millisecond of CPU
PARALLEL_ARTICLES = 2_000  # from this many to catch up, worker processes find the names (starting them: ~1 s)
_CHUNK = 400  # host parameters per statement, under SQLite's oldest limit
IndexedNames = tuple[int, ArticleNames]  # (article id, its names)


def write_names(conn: sqlite3.Connection, indexed: Sequence[IndexedNames]) -> None:
    """Store articles' names (inside the caller's transaction); an article indexed again is replaced."""
    if not indexed:
        return
    ids = [(article_id,) for article_id, _ in indexed]
    # One DELETE a chunk of ids, not one an article: on PostgreSQL each statement is parsed and planned apart.
    for start in range(0, len(ids), _CHUNK):
        chunk = [article_id for (article_id,) in ids[start : start + _CHUNK]]
        conn.execute(f"DELETE FROM article_names WHERE article_id IN ({','.join('?' * len(chunk))})", chunk)
    conn.executemany("INSERT INTO names_indexed(article_id) VALUES (?) ON CONFLICT DO NOTHING", ids)
    # ON CONFLICT: on a shared PostgreSQL store, two clients may index the same article at once.
    conn.executemany(
        "INSERT INTO article_names(article_id, key, forms, mentions, running, not_initial, person, organisation,"
        " place, aliases) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [(article_id, *row) for article_id, (rows, _) in indexed for row in rows],
    )
    words = sorted({w for _, (_, lower) in indexed for w in lower})
    conn.executemany(
        "INSERT INTO name_lower_words(word) VALUES (?) ON CONFLICT DO NOTHING", [(w,) for w in words]
    )


def missing_count(conn: sqlite3.Connection) -> int:
    """How many highlighted articles the index lacks."""
    return int(
        conn.execute(
            "SELECT count(*) FROM articles a WHERE a.highlighted = 1"
            " AND NOT EXISTS (SELECT 1 FROM names_indexed n WHERE n.article_id = a.id)"
        ).fetchone()[0]
    )


def index_ids(conn: sqlite3.Connection, ids: Sequence[int], *, pause: float = 0.0) -> int:
    """Index the articles among `ids` not indexed yet (whatever their highlight), in this process, in short
    transactions; returns how many. `pause` seconds after each lets a thread sharing this interpreter run."""
    done = 0
    for start in range(0, len(ids), CATCH_UP_BATCH):
        rows = _unindexed_texts(conn, ids[start : start + CATCH_UP_BATCH])
        if rows:
            done += _write(conn, _names_of(rows))
            if pause:
                time.sleep(pause)
    return done


_Text = tuple[int, str, str, str]  # id, title, summary, content


def _unindexed_texts(conn: sqlite3.Connection, ids: Sequence[int]) -> list[_Text]:
    marks = ",".join("?" * len(ids))
    rows = conn.execute(
        f"SELECT a.id, a.title, a.summary, a.content FROM articles a WHERE a.id IN ({marks})"
        " AND NOT EXISTS (SELECT 1 FROM names_indexed n WHERE n.article_id = a.id)",
        list(ids),
    ).fetchall()
    return [(int(r[0]), r[1] or "", r[2] or "", r[3] or "") for r in rows]


def _names_of(rows: list[_Text]) -> list[IndexedNames]:
    """The names of each article (in a worker process, or this one)."""
    return [
        (article_id, article_names(title, summary, content)) for article_id, title, summary, content in rows
    ]


def _write(conn: sqlite3.Connection, indexed: list[IndexedNames]) -> int:
    with transaction(conn):
        write_names(conn, indexed)
    return len(indexed)


def index_missing(
    conn: sqlite3.Connection,
    on_progress: Callable[[int, int], None] | None = None,
    *,
    should_stop: Callable[[], bool] = lambda: False,
    pause: float = 0.002,
    workers: int | None = None,
) -> int:
    """Index every highlighted article the index lacks, newest first; returns how many. `on_progress(done,
    total)` after each batch; `should_stop()` ends it early (what is done stays done).

    From PARALLEL_ARTICLES articles (on a database file), worker processes (`workers`, default one per core; 0
    or 1: none) do all of it: each reads the texts of the ids it is handed through its own connection, finds
    their names and writes them in its own short transactions, and sends back a count. This thread only hands
    out ids, so the window's thread, which shares its interpreter, has nothing to wait for: no texts decoded,
    pickled or written here (a start-up catch-up of 60,000 articles did all three beside the window)."""
    total = missing_count(conn)
    if not total:
        return 0
    if workers is None:
        workers = cores() if total >= PARALLEL_ARTICLES else 0
    path = database_file(conn) if workers > 1 else None
    started = time.perf_counter()
    if path is not None:
        done = _in_workers(conn, path, workers, total, on_progress, should_stop)
    else:
        workers, done = 0, 0
        for batch in _missing_batches(conn, should_stop):
            for start in range(0, len(batch), CATCH_UP_BATCH):
                done += _write(conn, _names_of(batch[start : start + CATCH_UP_BATCH]))
                time.sleep(pause)
            if on_progress:
                on_progress(min(done, total), total)
    log.info(
        "name index: %d articles caught up in %.1f s (%d worker processes)",
        done,
        time.perf_counter() - started,
        workers,
    )
    return done


def database_file(conn: sqlite3.Connection) -> Path | None:
    """The file of the connection's main database (None in memory: worker processes could not open it)."""
    for _seq, name, file in conn.execute("PRAGMA database_list").fetchall():
        if name == "main" and file:
            return Path(file)
    return None


def _in_workers(
    conn: sqlite3.Connection,
    path: Path,
    workers: int,
    total: int,
    on_progress: Callable[[int, int], None] | None,
    should_stop: Callable[[], bool],
) -> int:
    """The ids to index, newest first, handed out CATCH_UP_BATCH at a time with at most two batches per worker
    in flight; an id indexed meanwhile (a poll stored it) is skipped by its worker."""
    ids = [int(r[0]) for r in conn.execute(_MISSING_IDS)]
    batches = iter([ids[i : i + CATCH_UP_BATCH] for i in range(0, len(ids), CATCH_UP_BATCH)])
    done = 0
    pool = process_pool(workers, _start_worker, (path,))
    try:
        pending = deque(
            pool.submit(_index_in_worker, batch) for batch in itertools.islice(batches, 2 * workers)
        )
        while pending:
            done += pending.popleft().result()
            following = None if should_stop() else next(batches, None)
            if following is not None:
                pending.append(pool.submit(_index_in_worker, following))
            if on_progress:
                on_progress(min(done, total), total)
    finally:
        close_pool(pool)
    return done


_worker_conn: sqlite3.Connection | None = None


def _start_worker(path: Path) -> None:
    global _worker_conn
    _worker_conn = connect(path)


def _index_in_worker(ids: list[int]) -> int:
    assert _worker_conn is not None, "worker not initialised"
    return index_ids(_worker_conn, ids)


_MISSING_IDS = (
    "SELECT a.id FROM articles a INDEXED BY articles_highlighted WHERE a.highlighted = 1"
    " AND NOT EXISTS (SELECT 1 FROM names_indexed n WHERE n.article_id = a.id)"
    " ORDER BY a.published DESC"
)


def _missing_batches(conn: sqlite3.Connection, should_stop: Callable[[], bool]) -> Iterator[list[_Text]]:
    """The texts of the highlighted articles the index lacks, newest first, a few batches at a time."""
    while not should_stop():
        ids = [int(r[0]) for r in conn.execute(f"{_MISSING_IDS} LIMIT ?", (CATCH_UP_BATCH * 5,))]
        if not ids:
            return
        yield _unindexed_texts(conn, ids)


class PeriodNames:
    """The name index's rows for one set of articles (a temporary table of their ids on this connection)."""

    def __init__(self, conn: sqlite3.Connection, ids: Iterable[int]) -> None:
        self._conn = conn
        self._naming: dict[str, str] = {}  # key -> the ids of the articles naming it, comma-separated
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS name_period(id INTEGER PRIMARY KEY)")
        conn.execute("DELETE FROM temp.name_period")
        conn.executemany(
            "INSERT INTO temp.name_period(id) VALUES (?) ON CONFLICT DO NOTHING", [(i,) for i in ids]
        )

    def close(self) -> None:
        self._conn.execute("DELETE FROM temp.name_period")

    def totals(self) -> list[AggregateRow]:
        """Each name's rows summed over the articles (forms and aliases joined), as collector_from reads them;
        the articles naming each are kept for `articles_naming` (the same pass)."""
        sql = """SELECT key, group_concat(forms, char(30)), sum(mentions), sum(running), sum(not_initial),
                        sum(person), sum(organisation), sum(place), group_concat(aliases, char(30)),
                        group_concat(article_id)
                 FROM article_names WHERE article_id IN (SELECT id FROM temp.name_period) GROUP BY key"""
        rows = self._conn.execute(sql).fetchall()
        self._naming = {r[0]: r[9] for r in rows}
        return [tuple(r[:9]) for r in rows]  # type: ignore[misc]

    def articles_naming(self, keys: Iterable[str]) -> dict[str, list[int]]:
        """The articles of the set naming each key (keys named by none are left out); after `totals`."""
        found: dict[str, list[int]] = {}
        for key in set(keys):
            ids = self._naming.get(key)
            if ids:
                found[key] = [int(i) for i in ids.split(",")]
        return found

    def entries(self) -> dict[int, tuple[str, ...]]:
        """The watched entries each article of the set names (articles naming none left out)."""
        named: dict[int, list[str]] = {}
        sql = "SELECT article_id, entry FROM article_entries WHERE article_id IN (SELECT id FROM temp.name_period)"
        for article_id, entry in self._conn.execute(sql):
            named.setdefault(int(article_id), []).append(entry)
        return {k: tuple(sorted(v)) for k, v in named.items()}


def lower_words_known(conn: sqlite3.Connection, words: Iterable[str]) -> set[str]:
    """Which of `words` the indexed articles use in lower case."""
    wanted = sorted(set(words))
    known: set[str] = set()
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        known.update(
            r[0] for r in conn.execute(f"SELECT word FROM name_lower_words WHERE word IN ({marks})", chunk)
        )
    return known


def highlighted_since(conn: sqlite3.Connection, since: str, limit: int) -> list[tuple[int, str]]:
    """(id, published) of the highlighted articles published since `since`, newest first, at most `limit`."""
    rows = conn.execute(
        """SELECT id, published FROM articles INDEXED BY articles_highlighted
           WHERE highlighted = 1 AND published >= ? ORDER BY published DESC LIMIT ?""",
        (since, limit),
    )
    return [(int(r[0]), r[1]) for r in rows]


def article_texts(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, str]:
    """The text (title, summary, content) of each article of `ids`."""
    texts: dict[int, str] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = list(ids[start : start + _CHUNK])
        marks = ",".join("?" * len(chunk))
        for r in conn.execute(
            f"SELECT id, title, summary, content FROM articles WHERE id IN ({marks})", chunk
        ):
            texts[int(r[0])] = f"{r[1]}\n\n{r[2]}\n\n{r[3]}"
    return texts
