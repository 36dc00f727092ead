"""Child process of bench/window.py: the machine's noise floor for the GUI-stall probes.

Usage: ``_idle_probe.py SECONDS``. A Qt application that does nothing but tick a 5 ms PreciseTimer, as the stall
probes do, for SECONDS. On a loaded machine even this idle thread waits for a core: a stall figure is only
meaningful beside the longest gap an idle window sees at the same time. Prints ``GAPS <ms,ms,...>``. SECONDS 0:
until SIGTERM (bench/window.py runs it beside the start-up re-score probe, for the same stretch of time).
"""

from __future__ import annotations

import os
import signal
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QElapsedTimer, Qt, QTimer
from PySide6.QtWidgets import QApplication

TICK_MS = 5


def main() -> int:
    seconds = float(sys.argv[1])
    app = QApplication(sys.argv[:1])
    clock = QElapsedTimer()
    gaps: list[float] = []
    last = [-1.0]

    def finish(*_: object) -> None:
        print("GAPS " + ",".join(f"{g:.1f}" for g in gaps), flush=True)
        app.quit()

    def tick() -> None:
        now = clock.nsecsElapsed() / 1e6
        if last[0] >= 0:
            gaps.append(now - last[0])
        last[0] = now
        if seconds and now > seconds * 1000:
            finish()

    signal.signal(signal.SIGTERM, finish)  # handled between two ticks

    ticker = QTimer()
    ticker.setTimerType(Qt.TimerType.PreciseTimer)
    ticker.setInterval(TICK_MS)
    ticker.timeout.connect(tick)
    clock.start()
    ticker.start()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
