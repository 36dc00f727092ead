"""GUI-thread stalls while the analyst works (issue 14, item 4): opening articles, read/star, pausing alerts.

A PreciseTimer ticks every few milliseconds on the GUI thread and records the gap since its last tick, as the
poll stall probe of bench/window.py does; each action runs from the event loop (one every `spacing_ms`), so
any time it spends on the GUI thread, and any work it sends back to it, shows as a long gap. The actions go
through the window's and the notifier's public entry points (MainWindow.select_row / move / toggle_read /
toggle_star, Notifier.pause_alerts_requested / resume_alerts_requested), so the bench measures whatever path
they take: on the GUI thread today, on the runner once they are asynchronous.
"""

from __future__ import annotations

import faulthandler
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QElapsedTimer, Qt, QTimer
from PySide6.QtWidgets import QApplication

TICK_MS = 5
SETTLE_MS = 1500  # after a phase's last action: results the runner sends back still land in the phase


@dataclass
class Phase:
    """One action repeated `count` times, and the tick gaps seen while it ran."""

    label: str
    count: int
    act: Callable[[int], None]
    prepare: Callable[[], None] | None = None
    gaps: list[float] = field(default_factory=list)


def percentile(xs: list[float], p: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))]


def run_phases(app: QApplication, phases: list[Phase], spacing_ms: int = 40) -> None:
    """Run each phase's actions from the event loop while the tick timer records the GUI thread's gaps."""
    clock = QElapsedTimer()
    ticker = QTimer()
    ticker.setTimerType(Qt.TimerType.PreciseTimer)
    ticker.setInterval(TICK_MS)
    state = {"phase": -1, "last": 0.0, "step": 0}
    # A diagnostic: faulthandler's C watchdog (which needs no GIL) writes every thread's stack when a tick is
    # 50 ms late, showing what held the GUI thread or the interpreter.
    traces = os.environ.get("VIGIE_STALL_TRACES")
    trace_file = open(traces, "w") if traces else None  # noqa: SIM115 - closed after the phases

    def tick() -> None:
        now = clock.nsecsElapsed() / 1e6
        if 0 <= state["phase"] < len(phases):  # a tick may come after the last phase, before the loop ends
            phases[state["phase"]].gaps.append(now - state["last"])
        state["last"] = now
        if trace_file is not None:
            faulthandler.dump_traceback_later(0.05 + TICK_MS / 1e3, file=trace_file)

    def next_phase() -> None:
        state["phase"] += 1
        state["step"] = 0
        if state["phase"] >= len(phases):
            app.quit()
            return
        phase = phases[state["phase"]]
        if phase.prepare is not None:
            phase.prepare()
        state["last"] = clock.nsecsElapsed() / 1e6  # the preparation is not part of the phase
        QTimer.singleShot(spacing_ms, step)

    def step() -> None:
        phase = phases[state["phase"]]
        phase.act(state["step"])
        state["step"] += 1
        if state["step"] < phase.count:
            QTimer.singleShot(spacing_ms, step)
        else:
            QTimer.singleShot(SETTLE_MS, next_phase)

    ticker.timeout.connect(tick)
    clock.start()
    ticker.start()
    state["phase"] = -1
    QTimer.singleShot(200, next_phase)
    QTimer.singleShot(600_000, app.quit)
    app.exec()
    ticker.stop()
    if trace_file is not None:
        faulthandler.cancel_dump_traceback_later()
        trace_file.close()


def action_phases(window, notifier, count: int) -> list[Phase]:
    """Opening articles one after another, marking read and starred, pausing and resuming alerts."""

    def open_first() -> None:
        window.select_row(0)

    def toggle(i: int) -> None:
        (window.toggle_read if i % 2 == 0 else window.toggle_star)()

    def pause(i: int) -> None:
        if i % 2 == 0:
            notifier.pause_alerts_requested.emit(60)
        else:
            notifier.resume_alerts_requested.emit()

    return [
        Phase(
            "open the next article (MainWindow.move(1): select, read, show)",
            count,
            lambda _i: window.move(1),
            prepare=open_first,
        ),
        Phase("mark read / starred (toggle_read, toggle_star alternately)", count, toggle),
        Phase("pause / resume alerts (the notifier's tray signals)", max(2, count // 4), pause),
    ]


def report(phases: list[Phase]) -> None:
    for phase in phases:
        gaps = phase.gaps
        if not gaps:
            print(f"STALL {phase.label}: no ticks")
            continue
        over = sum(g > 50 for g in gaps)
        print(
            f"STALL {phase.label}: {phase.count} actions, {len(gaps)} ticks of a {TICK_MS} ms QTimer, "
            f"max {max(gaps):.0f} ms, p99 {percentile(gaps, 99):.0f} ms, median {percentile(gaps, 50):.1f} ms, "
            f"{over} gaps over 50 ms (target max < 50 ms)",
            flush=True,
        )
