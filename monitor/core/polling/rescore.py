"""Re-scoring every stored article after a watchlist or threshold change.

Only the articles whose assessment changed are written: after a typical edit, a few of them; those it highlights
also get their candidate names in the name index of emerging names (storage/name_index.py) unless they have them.
The matching, which is most of the work, runs in worker processes (monitor.core.support.workers, one per core)
once the store holds PARALLEL_FROM articles or more; each worker reads its own ranges of ids through its own
connection and stores what changed itself, in bounded transactions (WAL and the busy timeout queue its writes
behind any other writer's), and sends back only counts. Nothing of the work then runs in this process, whose
interpreter the window's thread shares: after a watchlist change on a large store, the window stays as quick as
when idle.
Below PARALLEL_FROM the work runs in this process, writes in bounded transactions with a short sleep after each,
so that the window's thread is never kept waiting behind a long run of writes.
"""

from __future__ import annotations

import itertools
import logging
import sqlite3
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, TypeVar

from monitor.core.matching.matcher import Matcher
from monitor.core.models import matched_content
from monitor.core.storage import db, name_index
from monitor.core.storage.ingest import SCORES_PER_WRITE, ScoreRow, apply_scores, score_row
from monitor.core.storage.judged import id_bounds
from monitor.core.storage.store import Store
from monitor.core.support.workers import close_pool, cores, process_pool

log = logging.getLogger(__name__)

BATCH = 2_000  # ids per range
PARALLEL_FROM = 20_000  # below this, starting the workers costs more than it saves
WRITE_CHUNK = SCORES_PER_WRITE  # changed articles per write transaction
YIELD_SECONDS = 0.002  # the pause after each write transaction: the window's thread takes the interpreter

T = TypeVar("T")
Changed = list[ScoreRow]
Progress = Callable[[int, int], None]
Assessed = tuple[int, int]  # (articles assessed, articles whose stored score changed and were written)


def assess_range(conn: sqlite3.Connection, matcher: Matcher, low: int, high: int) -> tuple[int, Changed]:
    """Assess the articles with low < id <= high; returns how many there were and, as rows to store, those whose
    stored score, highlight or matches differ from the new assessment."""
    rows = conn.execute(
        "SELECT id, title, summary, content, full_text, score, highlighted, matches FROM articles"
        " WHERE id > ? AND id <= ?",
        (low, high),
    ).fetchall()
    changed: Changed = []
    for article_id, title, summary, content, full_text, score, highlighted, matches in rows:
        row = score_row(article_id, matcher.assess(title, summary, matched_content(content, full_text)))
        if row[1] != score or row[2] != highlighted or row[3] != matches:
            changed.append(row)
    return len(rows), changed


def rescore_store(
    store: Store, matcher: Matcher, on_progress: Progress | None = None, workers: int | None = None
) -> int:
    """Re-assess every article with `matcher` and store what changed; returns how many were assessed.

    `workers` None picks one process per core when the store is large enough, 0 matches in this process."""
    total = store.count_all()
    ranges = id_ranges(store)
    if workers is None:
        workers = cores() if total >= PARALLEL_FROM else 0
    if not store.dialect.is_sqlite:  # the worker processes open the SQLite file; on PostgreSQL, match here
        workers = 0
    done = written = finished = 0

    def store_results(results: Iterator[Assessed]) -> None:
        nonlocal done, written, finished
        for count, changed in results:
            done += count
            written += changed
            finished += 1
            if on_progress:
                on_progress(done, total)

    try:
        if workers > 1:
            store_results(_in_workers(store.path, matcher, ranges, workers))
        else:
            store_results(_here(store, matcher, ranges))
    except BrokenProcessPool as exc:  # a worker died: the ranges it left are matched here
        log.warning("a re-scoring process died (%s); going on in this process", exc)
        store_results(_here(store, matcher, ranges[finished:]))
    log.info("re-scored %d articles, %d changed", done, written)
    return done


def id_ranges(store: Store) -> list[tuple[int, int]]:
    """Ranges (low, high] of at most BATCH ids that cover every stored article."""
    low, high = id_bounds(store.conn)
    return [(start, min(start + BATCH, high)) for start in range(low, high, BATCH)]


def write_in_chunks(conn: sqlite3.Connection, changed: Changed, *, pause: bool = True) -> None:
    """Store `changed` in transactions of WRITE_CHUNK rows, pausing after each when the window's thread shares
    this interpreter (see the module's docstring)."""
    for start in range(0, len(changed), WRITE_CHUNK):
        apply_scores(conn, changed[start : start + WRITE_CHUNK])
        if pause:
            _let_the_window_run()


def _let_the_window_run() -> None:
    """Release the interpreter for a moment: a thread waiting for it (the window's) takes it now, rather than
    after the switch interval, which a writing thread that takes it back at once makes it wait again and again."""
    time.sleep(YIELD_SECONDS)


def _here(store: Store, matcher: Matcher, ranges: list[tuple[int, int]]) -> Iterator[Assessed]:
    for low, high in ranges:
        yield _rescore_range(store.conn, matcher, low, high, pause=True)


def _rescore_range(
    conn: sqlite3.Connection, matcher: Matcher, low: int, high: int, *, pause: bool, names: bool = True
) -> Assessed:
    count, changed = assess_range(conn, matcher, low, high)
    write_in_chunks(conn, changed, pause=pause)
    if names:  # the articles it highlights join the name index of emerging names (those already in it stay)
        name_index.index_ids(
            conn, [row[0] for row in changed if row[2]], pause=YIELD_SECONDS if pause else 0.0
        )
    return count, len(changed)


def _in_workers(
    path: Path, matcher: Matcher, ranges: list[tuple[int, int]], workers: int
) -> Iterator[Assessed]:
    return ranges_in_workers(ranges, workers, _start_worker, (path, matcher), _worker_range)


def ranges_in_workers(
    ranges: list[tuple[int, int]],
    workers: int,
    start_worker: Callable[..., None],
    initargs: tuple[Any, ...],
    work: Callable[[int, int], T],
) -> Iterator[T]:
    """`work(low, high)` for each range in `workers` processes, each started by `start_worker(*initargs)`;
    results in the order of `ranges`, with at most two ranges per worker in flight (bounded memory). The
    functions must be importable module-level functions (the processes are spawned)."""
    pool = process_pool(workers, start_worker, initargs)
    try:
        left = iter(ranges)
        pending: deque[Future[T]] = deque(
            pool.submit(work, low, high) for low, high in itertools.islice(left, 2 * workers)
        )
        while pending:
            result = pending.popleft().result()
            following = next(left, None)
            if following is not None:
                pending.append(pool.submit(work, *following))
            yield result
    finally:
        close_pool(pool)


_worker: tuple[sqlite3.Connection, Matcher] | None = None


def _start_worker(path: Path, matcher: Matcher) -> None:
    global _worker
    conn = db.connect(path)
    conn.row_factory = None
    _worker = (conn, matcher)


def _worker_range(low: int, high: int) -> Assessed:
    assert _worker is not None, "worker not initialised"
    conn, matcher = _worker
    return _rescore_range(conn, matcher, low, high, pause=False)
