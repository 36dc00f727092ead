"""Child process of bench/window.py: open the window offscreen on a data folder and report the first page.

Prints ``FIRST_PAGE <epoch seconds>`` once the article list has painted its first rows, then ``RSS <kB>``
(VmRSS with the window open) and exits. The parent notes the epoch time just before starting this process.
With a second argument ``stories``, the window opens in the list's story mode (as when the analyst left it so)
and the first page is the story view's, read on the task runner.
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

from monitor.app import build_window, settle_startup, setup_application
from monitor.core.service import VigieCore
from monitor.paths import AppPaths
from monitor.ui.tasks import TaskRunner
from monitor.ui.uistate import UiState


def vm_rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class FirstPaint(QObject):
    """Reports once the list's viewport has painted while the model has rows (and read a page for them)."""

    def __init__(self, window, app: QApplication) -> None:
        super().__init__()
        self.window = window
        self.app = app
        self.done = False

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if not self.done and event.type() == QEvent.Type.Paint:
            model = self.window.story_mode.model if STORIES else self.window.model
            if model.rowCount() > 0:
                self.done = True
                QTimer.singleShot(0, self.report)  # after this paint has been delivered
        return False

    def report(self) -> None:
        if STORIES:
            print(f"FIRST_PAGE {time.time():.6f}", flush=True)
            print(f"ROWS {self.window.story_mode.model.rowCount()}", flush=True)
            print(f"RSS {vm_rss_kb()}", flush=True)
            self.app.quit()
            return
        if self.window.model.page_reads == 0:  # painted before any row was read: wait for the next paint
            self.done = False
            self.window.view.viewport().update()
            return
        print(f"FIRST_PAGE {time.time():.6f}", flush=True)
        print(f"ROWS {self.window.model.rowCount()}", flush=True)
        print(f"RSS {vm_rss_kb()}", flush=True)
        self.app.quit()


STORIES = sys.argv[2:3] == ["stories"]


def main() -> int:
    app = QApplication(sys.argv[:1])
    setup_application(app)
    core = VigieCore(AppPaths(Path(sys.argv[1])))
    runner = TaskRunner()
    if STORIES:  # left in story mode: the window opens on it (the flag restored as it is built)
        state = UiState(core.paths.data_dir)
        state.set_flag("list/group_by_story", True)
        state.sync()
    window = build_window(core, runner, first_run=core.first_run)
    settle_startup()
    probe = FirstPaint(window, app)
    if STORIES:
        window.story_mode.tree.viewport().installEventFilter(probe)
    else:
        window.view.viewport().installEventFilter(probe)
    window.resize(1280, 800)
    window.show()
    QTimer.singleShot(20_000, app.quit)
    app.exec()
    runner.shutdown(wait=True)
    core.close()
    return 0 if probe.done else 1


if __name__ == "__main__":
    sys.exit(main())
