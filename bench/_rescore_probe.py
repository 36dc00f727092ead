"""Child process of bench/window.py: start the app as `vigie` does and time the GUI thread during start-up.

Usage: ``_rescore_probe.py DATA_DIR FINGERPRINT``. A 5 ms PreciseTimer is started right after the
QApplication, before monitor.app.run_app opens the profile, so the first gap covers everything start-up does
before the event loop first runs (opening the store, a synchronous re-score if there is one, building the
window). The probe then records every gap until the profile's stored watchlist version equals FINGERPRINT
(the re-score that start-up runs after a watchlist change has ended; read through a private read-only
connection every 100 ms) and one more second has passed. It prints:

    BEFORE_LOOP <ms>     process start (QApplication) -> the event loop's first tick
    SHOWN <ms>           -> the window first shown
    RESCORED <ms>        -> the re-score's end seen
    GAPS <ms,ms,...>     every gap between ticks from the first tick on
    LATE <ms/cpu ms,...> each gap over 50 ms, with the CPU time the GUI thread itself used during it (a gap
                         with little CPU time is a wait: for a core, a lock or the interpreter)
"""

from __future__ import annotations

import faulthandler
import os
import sqlite3
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QElapsedTimer, Qt, QTimer
from PySide6.QtWidgets import QApplication

from monitor.app import run_app
from monitor.paths import AppPaths

TICK_MS = 5
AFTER_MS = 1000
LIMIT_MS = 900_000  # a re-score on a loaded machine takes minutes (its workers yield every core)


def main() -> int:
    data_dir, fingerprint = Path(sys.argv[1]), sys.argv[2]
    app = QApplication(sys.argv[:1])  # noqa: F841 - run_app uses this instance
    clock = QElapsedTimer()
    ticker = QTimer()
    ticker.setTimerType(Qt.TimerType.PreciseTimer)
    ticker.setInterval(TICK_MS)
    marks: dict[str, float] = {}
    gaps: list[float] = []
    late: list[str] = []
    last = [0.0]
    cpu = [time.thread_time()]
    db = sqlite3.connect(f"file:{data_dir / 'vigie.sqlite3'}?mode=ro", uri=True, isolation_level=None)
    # A diagnostic: faulthandler's C watchdog writes every thread's stack when a tick is 50 ms late.
    traces = os.environ.get("VIGIE_STALL_TRACES")
    # FILE.startup: FILE itself holds bench/_stalls.py's traces of the same run.
    trace_file = open(f"{traces}.startup", "w") if traces else None  # noqa: SIM115 - open until os._exit

    def rescored() -> bool:
        row = db.execute("SELECT value FROM meta WHERE key = 'watchlist_version'").fetchone()
        return row is not None and row[0] == fingerprint

    def finish() -> None:
        faulthandler.cancel_dump_traceback_later()
        print(f"BEFORE_LOOP {marks['loop']:.1f}")
        print(f"SHOWN {marks.get('shown', -1):.1f}")
        print(f"RESCORED {marks.get('rescored', -1):.1f}")
        print("GAPS " + ",".join(f"{g:.1f}" for g in gaps))
        print("LATE " + ",".join(late), flush=True)
        os._exit(0)  # run_app's own shutdown is not what is measured

    def tick() -> None:
        now = clock.nsecsElapsed() / 1e6
        used = (time.thread_time() - cpu[0]) * 1e3
        if "loop" not in marks:
            marks["loop"] = now
        else:
            gaps.append(now - last[0])
            if now - last[0] > 50:
                late.append(f"{now - last[0]:.0f}/{used:.0f}@{now / 1e3:.1f}")
        last[0] = now
        cpu[0] = time.thread_time()
        if trace_file is not None:
            faulthandler.dump_traceback_later(0.05 + TICK_MS / 1e3, file=trace_file)
        if "shown" not in marks:
            windows = [
                w
                for w in QApplication.topLevelWidgets()
                if w.objectName() == "mainWindow" or type(w).__name__ == "MainWindow"
            ]
            if any(w.isVisible() for w in windows):
                marks["shown"] = now
        if "rescored" not in marks and len(gaps) % 20 == 0 and rescored():
            marks["rescored"] = now
        if ("rescored" in marks and now - marks["rescored"] > AFTER_MS) or now > LIMIT_MS:
            finish()

    ticker.timeout.connect(tick)
    clock.start()
    ticker.start()
    sys.argv = sys.argv[:1]
    run_app(AppPaths(data_dir))
    return 1  # run_app returned before the re-score's end was seen


if __name__ == "__main__":
    sys.exit(main())
