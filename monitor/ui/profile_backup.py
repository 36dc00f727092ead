"""File ▸ Back up profile… and File ▸ Restore profile…: the file dialogs, the work on the task runner with the
status bar's progress, and the window's reload after a restore."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog

from monitor.core.errors import describe_error
from monitor.core.evidence.backups import RESTORE_STEPS, BackupInfo, RestoreResult
from monitor.ui.questions import ask_yes_no
from monitor.ui.tasks import Progress

if TYPE_CHECKING:
    from monitor.ui.main_window import MainWindow

log = logging.getLogger(__name__)

FILE_FILTER = "Vigie backups (*.vigie *.sqlite3);;All files (*)"


def backup_profile(w: MainWindow, path: Path | None = None) -> None:
    """Ask where (unless `path`), then write the backup on the runner; a poll may run meanwhile."""
    if path is None:
        stamp = datetime.now(UTC).strftime("%Y-%m-%d")
        name, _ = QFileDialog.getSaveFileName(
            w, "Back up the profile", str(Path.home() / f"vigie-{stamp}.vigie"), FILE_FILTER
        )
        if not name:
            return
        path = Path(name)
    core, status = w.core, w.status
    status.work_progress("Backing up…")

    def task(progress: Progress) -> BackupInfo:
        return core.backup(path, on_progress=lambda done, total: progress((done, total)))

    def progress(value: object) -> None:
        done, total = value  # type: ignore[misc]
        status.work_progress(f"Backing up ({done} of {total} pages)…", done, total)

    def done(info: BackupInfo) -> None:
        status.work_finished()
        status.show_message(f"Backed up {info.articles} articles and {info.feeds} feeds to {info.path}.")

    def failed(exc: BaseException) -> None:
        status.work_finished()
        status.show_error(f"Backup failed: {describe_error(exc)}")

    w.bridge.runner.submit(task, on_result=done, on_error=failed, on_progress=progress, name="backup")


def restore_profile(w: MainWindow, path: Path | None = None) -> None:
    """Ask which backup (unless `path`) and for a confirmation, then restore on the runner and reload."""
    if path is None:
        name, _ = QFileDialog.getOpenFileName(
            w, "Restore the profile from a backup", str(Path.home()), FILE_FILTER
        )
        if not name:
            return
        path = Path(name)
    question = (
        f"Replace every feed, article, case and setting of this profile with those of {path.name}? "
        "The profile as it is now is kept in the backups folder."
    )
    if not (w.confirm or (lambda text: ask_yes_no(w, "Restore the profile", text)))(question):
        return
    core, status, bridge = w.core, w.status, w.bridge
    status.work_progress("Restoring: checking the backup…", 0, RESTORE_STEPS)
    steps = ["checking the backup", "keeping the current profile", "writing the backup in", "re-scoring"]

    def task(progress: Progress) -> RestoreResult:
        return core.restore(path, on_progress=lambda done, total: progress((done, total)))

    def progress(value: object) -> None:
        done, total = value  # type: ignore[misc]
        status.work_progress(f"Restoring: {steps[min(done, len(steps) - 1)]}…", done, total)

    def done(result: RestoreResult) -> None:
        status.work_finished()
        # Everything the window shows came from the old profile: the sidebar, the scheduler's jobs (through
        # feeds_changed), the list and its counts.
        bridge.feeds_changed.emit()
        bridge.watchlist_changed.emit()
        bridge.articles_changed.emit()
        bridge.states_changed.emit()
        words = (
            f"Restored {result.info.articles} articles and {result.info.feeds} feeds from {result.info.path}."
        )
        if result.warnings:
            status.show_error(words + " " + "; ".join(result.warnings))
        else:
            status.show_message(words)

    def failed(exc: BaseException) -> None:
        status.work_finished()
        status.show_error(f"Restore refused, nothing changed: {describe_error(exc)}")

    bridge.runner.submit(
        task, on_result=done, on_error=failed, on_progress=progress, serial=True, name="restore"
    )
