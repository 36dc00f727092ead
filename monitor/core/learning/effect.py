"""What candidate watchlist changes do to every stored article: one pass over the store for all of them.

Each article's text is read once. An article is matched again only when it holds one of a change's trigger
words (:attr:`Change.triggers`, :mod:`.triggers`: a test that may let through articles the change leaves
alone, never the reverse); then the current watchlist and each triggered change's watchlist assess it, and the
article is counted when the two highlights differ. Articles that hold no trigger word score alike before and
after, so the counts are those of a full re-score with each changed watchlist (tests/core/learning/
test_proposal.py checks them against one). Large stores are read and matched in worker processes, as re-scoring does
(:func:`monitor.core.polling.rescore.ranges_in_workers`); only the ids that change come back.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from monitor.core.learning.triggers import Trigger, TriggerIndex
from monitor.core.matching.folding import fold_key
from monitor.core.matching.matcher import Matcher
from monitor.core.polling.rescore import PARALLEL_FROM, id_ranges, ranges_in_workers
from monitor.core.storage import db
from monitor.core.storage.judged import TextRow, texts_in_range
from monitor.core.storage.store import Store
from monitor.core.support.workers import cores

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
# (article id, its judgement or None, the index of the change, the watchlist's highlight before the change)
Flip = tuple[int, str | None, int, bool]


@dataclass
class Effect:
    """What one change does to the stored articles' highlights, as ids.

    added and removed are the articles without a judgement whose highlight the change turns on or off; fixed
    and broken are the judged articles it brings into agreement with their judgement, or out of it (their
    visible highlight stays what the judgement says)."""

    added: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    fixed: list[int] = field(default_factory=list)
    broken: list[int] = field(default_factory=list)

    @property
    def net_fixed(self) -> int:
        return len(self.fixed) - len(self.broken)

    @property
    def other_changes(self) -> int:
        return len(self.added) + len(self.removed)


def flips_in(
    rows: Sequence[TextRow], base: Matcher, matchers: Sequence[Matcher], index: TriggerIndex
) -> list[Flip]:
    """The articles among `rows` whose highlight a change turns over, one Flip per article and change."""
    flips: list[Flip] = []
    for article_id, title, summary, content, judgement in rows:
        hit = index.changes_in(fold_key(f"{title}\n{summary}\n{content}"))
        if not hit:
            continue
        before = base.assess(title, summary, content).highlighted
        for change in sorted(hit):
            if matchers[change].assess(title, summary, content).highlighted != before:
                flips.append((article_id, judgement, change, before))
    return flips


def effects(
    store: Store,
    base: Matcher,
    matchers: Sequence[Matcher],
    triggers: Sequence[Sequence[Trigger]],
    on_progress: Progress | None = None,
    workers: int | None = None,
) -> tuple[int, list[Effect]]:
    """How many articles are stored, and the Effect of each matcher (a changed watchlist) against `base`.

    `workers` None uses one process per core when the store holds PARALLEL_FROM articles or more; 0 matches
    in this thread."""
    total = store.count_all()
    ranges = id_ranges(store)
    if workers is None:
        workers = cores() if total >= PARALLEL_FROM else 0
    if not store.dialect.is_sqlite:  # the worker processes open the SQLite file; on PostgreSQL, match here
        workers = 0
    found = [Effect() for _ in matchers]
    done = finished = 0

    def tally(results: Iterator[tuple[int, list[Flip]]]) -> None:
        nonlocal done, finished
        for count, flips in results:
            for article_id, judgement, index, before in flips:
                effect = found[index]
                if judgement is None:
                    (effect.removed if before else effect.added).append(article_id)
                elif (judgement == "relevant") != before:
                    effect.fixed.append(article_id)
                else:
                    effect.broken.append(article_id)
            done += count
            finished += 1
            if on_progress:
                on_progress(done, total)

    if matchers:
        try:
            if workers > 1:
                args = (store.path, base, tuple(matchers), tuple(tuple(t) for t in triggers))
                tally(ranges_in_workers(ranges, workers, _start_worker, args, _worker_range))
            else:
                tally(_here(store.conn, base, matchers, TriggerIndex(triggers), ranges))
        except BrokenProcessPool as exc:  # a worker died: the ranges it left are matched here
            log.warning("a proposal process died (%s); going on in this process", exc)
            tally(_here(store.conn, base, matchers, TriggerIndex(triggers), ranges[finished:]))
    log.info("weighed %d watchlist changes over %d articles", len(matchers), total)
    return total, found


def _here(
    conn: sqlite3.Connection,
    base: Matcher,
    matchers: Sequence[Matcher],
    index: TriggerIndex,
    ranges: list[tuple[int, int]],
) -> Iterator[tuple[int, list[Flip]]]:
    for low, high in ranges:
        rows = texts_in_range(conn, low, high)
        yield len(rows), flips_in(rows, base, matchers, index)


_worker: tuple[sqlite3.Connection, Matcher, tuple[Matcher, ...], TriggerIndex] | None = None


def _start_worker(
    path: Path, base: Matcher, matchers: tuple[Matcher, ...], triggers: tuple[tuple[Trigger, ...], ...]
) -> None:
    global _worker
    conn = db.connect(path)
    conn.row_factory = None
    conn.execute("PRAGMA query_only = ON")
    _worker = (conn, base, matchers, TriggerIndex(triggers))


def _worker_range(low: int, high: int) -> tuple[int, list[Flip]]:
    assert _worker is not None, "worker not initialised"
    conn, base, matchers, index = _worker
    rows = texts_in_range(conn, low, high)
    return len(rows), flips_in(rows, base, matchers, index)
