"""The list's story mode in bench/window.py (``--stories`` / ``--only-stories``): stories for the bench copy, and
the first page, each sort and each filter of the story view, timed until the page (and, apart, the count) lands.

The fixture's articles have no stories, and grouping 200,000 of them through the real code takes most of an hour
on this machine (bench/stories.py times grouping itself). So `give_stories` groups the copy's articles by rule:
six articles in ten join a story of three neighbouring ids, the others make a story of one (200,000 articles ->
120,000 stories), then writes every story's row exactly as schema 17's migration does
(story_rows.refresh_story_rows), which it times.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import _fixtures as fx
from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QApplication

from monitor.core.models import ArticleQuery
from monitor.core.storage.story_rows import refresh_story_rows
from monitor.ui.story_model import STORY_COLUMNS


def give_stories(work: Path) -> None:
    conn = sqlite3.connect(work / "vigie.sqlite3", isolation_level=None)
    started = time.perf_counter()
    conn.execute("BEGIN")
    conn.execute("UPDATE articles SET story = CASE WHEN id % 10 < 6 THEN id - (id % 10) % 3 ELSE id END")
    conn.execute("UPDATE articles SET thread = story")
    conn.execute("INSERT OR IGNORE INTO stories(id, thread) SELECT DISTINCT story, story FROM articles")
    stories = [r[0] for r in conn.execute("SELECT DISTINCT story FROM articles")]
    assigned = time.perf_counter()
    refresh_story_rows(conn, stories)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()
    print(
        f"stories given: {len(stories):,} (assigned in {assigned - started:.1f} s); every story's row written "
        f"in {time.perf_counter() - assigned:.1f} s (what schema 17's migration does on such a store)",
        flush=True,
    )


def _wait(signal, action: Callable[[], object], timeout_ms: int = 20_000) -> None:
    """Run `action` and spin the event loop until `signal` fires (the runner's answer reached the model)."""
    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(timeout_ms, loop.quit)
    action()
    loop.exec()
    signal.disconnect(loop.quit)


def _idle(runner) -> None:
    """Wait (untimed) until the task runner has nothing left (the start-up's sidebar counts, an earlier count)."""
    app = QApplication.instance()
    deadline = time.perf_counter() + 15
    while runner.pending() and time.perf_counter() < deadline:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.005)
    if runner.pending():
        names = sorted(c.name for c in runner._callbacks.values())
        print(f"  (the runner still had {names} after 15 s; timing anyway)", flush=True)


def _visible_rows(model, rows: int = 40) -> None:
    for r in range(min(rows, model.rowCount())):
        for c in range(len(STORY_COLUMNS)):
            model.data(model.index(r, c))


def _timed(
    runner, model, change: Callable[[], object], repeat: int, prepare: Callable[[], object] | None = None
) -> tuple[float, float, float, float]:
    """(page median, page max, count median, count max) in ms: from the change to the first page read and its
    visible rows filled, and to the count landing. `prepare` runs before each timed change, untimed."""
    pages, counts = [], []
    for _ in range(repeat):
        if prepare is not None:
            prepare()
        _idle(runner)
        started = time.perf_counter()
        landed: list[float] = []

        def count_landed(_count: int, landed: list[float] = landed) -> None:
            landed.append(time.perf_counter())

        model.counted.connect(count_landed)
        _wait(model.page_shown, change)
        _visible_rows(model)
        pages.append((time.perf_counter() - started) * 1e3)
        if not landed:
            _wait(model.counted, lambda: None)
        model.counted.disconnect(count_landed)
        counts.append(((landed[0] if landed else time.perf_counter()) - started) * 1e3)
    return fx.median(pages), max(pages), fx.median(counts), max(counts)


Figures = tuple[str, float, float, float, float]


def bench_story_mode(window, core, repeat: int) -> list[Figures]:
    """Every sort (both orders) and every filter of bench/window.py's list, in story mode."""
    mode = window.story_mode
    model = mode.model
    _wait(model.page_shown, lambda: mode.action.setChecked(True))
    results = []
    for column, (key, _header) in enumerate(STORY_COLUMNS):
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            descending = order == Qt.SortOrder.DescendingOrder
            other = Qt.SortOrder.AscendingOrder if descending else Qt.SortOrder.DescendingOrder

            def away(key=key, column=column, descending=descending, other=other) -> None:
                """Another order first (untimed), so that every repetition really sorts."""
                if (model.query.sort, model.query.descending) == (key, descending):
                    _wait(model.page_shown, lambda: model.sort(column, other))

            name = "asc" if order == Qt.SortOrder.AscendingOrder else "desc"
            timed = _timed(
                window.bridge.runner,
                model,
                lambda column=column, order=order: model.sort(column, order),
                repeat,
                away,
            )
            results.append((f"sort {key} {name}", *timed))
    filters = [
        *fx.list_filters(core),
        ("search 'Kessaci'", ArticleQuery(search="Kessaci")),
        ("search 'police' (62% of the articles)", ArticleQuery(search="police")),
        ("back to all", ArticleQuery()),
    ]
    for label, query in filters:

        def apply(query=query) -> None:
            window.model.set_query(
                query
            )  # the list's query: the story view follows it (StoryMode._follow_list)

        results.append((f"filter {label}", *_timed(window.bridge.runner, model, apply, repeat)))
    return results


def print_story_mode(results: list[Figures], repeat: int) -> None:
    for label, med, worst, count, count_max in results:
        print(
            f"  {label:<46} page median {med:6.1f} ms, max {worst:6.1f} ms; count lands median {count:6.1f} ms, "
            f"max {count_max:6.1f} ms"
        )
    sorts = [r for r in results if r[0].startswith("sort")]
    filters = [r for r in results if r[0].startswith("filter")]
    print(
        f"STORY MODE: SORT slowest page median {max(r[1] for r in sorts):.0f} ms (count {max(r[3] for r in sorts):.0f} "
        f"ms); FILTER slowest page median {max(r[1] for r in filters):.0f} ms (count "
        f"{max(r[3] for r in filters):.0f} ms) (each: StoryTreeModel.set_query on the runner until its first page "
        f"and the 40 visible rows are in the model; the count lands apart; median of {repeat})",
        flush=True,
    )
