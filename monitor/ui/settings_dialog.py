"""Settings ▸ Preferences: poll interval, highlight threshold, notifications, quiet hours, starting at login.

Nothing here touches the disk on the GUI thread: whether Vigie starts at login (the presence of its XDG
autostart entry) is read, and settings.toml and the entry are written, on the bridge's task runner; the
dialog closes when the write is done, or says in words why it failed and stays open.
"""

from __future__ import annotations

import dataclasses
import logging
import re

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from monitor.core.errors import describe_error
from monitor.core.matching.matcher import DEFAULT_HIGHLIGHT_THRESHOLD
from monitor.core.service import VigieCore
from monitor.core.settings import Settings
from monitor.core.support.autostart import (
    autostart_enabled,
    autostart_path,
    autostart_supported,
    install_autostart,
)
from monitor.ui.bridge import Bridge

log = logging.getLogger(__name__)

_TIME = re.compile(r"^([01]?\d|2[0-3]):[0-5]\d$")


class SettingsDialog(QDialog):
    """Edits settings.toml and the autostart entry. A new threshold re-scores every article in the background."""

    def __init__(self, core: VigieCore, bridge: Bridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.core = core
        self.bridge = bridge
        self.saving = False
        # What the autostart entry said when the dialog opened; None until the runner has read it.
        self._autostart_was: bool | None = None
        self.setWindowTitle("Preferences — Vigie")
        settings = core.settings
        self.interval = QSpinBox(self)
        self.interval.setRange(1, 24 * 60)
        self.interval.setSuffix(" min")
        self.interval.setValue(settings.default_interval_minutes)
        self.interval.setToolTip("For feeds added from now on; each feed's own interval is in Manage feeds")
        self.threshold = QDoubleSpinBox(self)
        self.threshold.setRange(0.0, 100.0)
        self.threshold.setSingleStep(0.5)
        self.threshold.setDecimals(1)
        self.threshold.setSpecialValueText(f"default ({DEFAULT_HIGHLIGHT_THRESHOLD:g})")
        self.threshold.setValue(settings.highlight_threshold)
        self.threshold.setToolTip("An article is highlighted when its watchlist score reaches this")
        self.notifications = QCheckBox("Notify me of new highlighted articles", self)
        self.notifications.setChecked(settings.notifications)
        self.quiet_start = QLineEdit(settings.quiet_hours_start, self)
        self.quiet_end = QLineEdit(settings.quiet_hours_end, self)
        for edit in (self.quiet_start, self.quiet_end):
            edit.setPlaceholderText("HH:MM")
            edit.setMaximumWidth(80)
        self.spikes = QComboBox(self)
        for value in ("off", "low", "normal", "high"):
            self.spikes.addItem(value.capitalize(), value)
        self.spikes.setCurrentIndex(max(0, self.spikes.findData(settings.spike_sensitivity)))
        self.spikes.setToolTip("Alert when an entry is suddenly named far more than usual (README: Signals)")
        self.concurrency = QSpinBox(self)
        self.concurrency.setRange(1, 32)
        self.concurrency.setValue(settings.max_concurrent_fetches)
        self.concurrency.setToolTip("Takes effect at the next start")
        self.autostart = QCheckBox("Start Vigie at login, in the tray", self)
        self.autostart.setEnabled(False)  # until the runner says whether the entry is there
        self.autostart.setToolTip(f"Writes or removes {autostart_path()}")
        self.autostart.setVisible(autostart_supported())
        quiet = QHBoxLayout()
        quiet.addWidget(self.quiet_start)
        quiet.addWidget(QLabel("to", self))
        quiet.addWidget(self.quiet_end)
        quiet.addStretch(1)
        form = QFormLayout()
        form.addRow("Default poll interval", self.interval)
        form.addRow("Highlight threshold", self.threshold)
        form.addRow("", self.notifications)
        form.addRow("Quiet hours", quiet)
        form.addRow("Spike alerts", self.spikes)
        form.addRow("Feeds fetched at once", self.concurrency)
        form.addRow("", self.autostart)
        self.error = QLabel(self)
        self.error.setObjectName("editorError")
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        if autostart_supported():
            self._read_autostart()

    def _read_autostart(self) -> None:
        def show(enabled: bool) -> None:
            if isValid(self):
                self._autostart_was = enabled
                self.autostart.setChecked(enabled)
                self.autostart.setEnabled(True)

        def failed(exc: BaseException) -> None:
            if isValid(self):
                self.error.setText(f"⚠ Could not tell whether Vigie starts at login: {describe_error(exc)}")

        self.bridge.runner.submit(
            lambda _p: autostart_enabled(), on_result=show, on_error=failed, name="read_autostart"
        )

    def edited(self) -> Settings:
        return dataclasses.replace(
            self.core.settings,
            default_interval_minutes=self.interval.value(),
            highlight_threshold=float(self.threshold.value()),
            notifications=self.notifications.isChecked(),
            quiet_hours_start=self.quiet_start.text().strip(),
            quiet_hours_end=self.quiet_end.text().strip(),
            max_concurrent_fetches=self.concurrency.value(),
            spike_sensitivity=str(self.spikes.currentData()),
        )

    def problem(self, new: Settings) -> str | None:
        """What is wrong with `new`, in words, or None."""
        for value in (new.quiet_hours_start, new.quiet_hours_end):
            if value and not _TIME.match(value):
                return f"Quiet hours are written HH:MM (got {value!r})."
        if bool(new.quiet_hours_start) != bool(new.quiet_hours_end):
            return "Give both ends of the quiet hours, or neither."
        return None

    def save(self) -> bool:
        """Check the form and hand the writes to the runner; False when the form is wrong or a save runs.

        The dialog closes (accepted) once settings.toml and the autostart entry are written.
        """
        if self.saving:
            return False
        new = self.edited()
        problem = self.problem(new)
        if problem is not None:
            self.error.setText(f"⚠ {problem}")
            return False
        wanted = self.autostart.isChecked()
        change_autostart = self._autostart_was is not None and wanted != self._autostart_was
        threshold_changed = new.highlight_threshold != self.core.settings.highlight_threshold
        core = self.core

        def write(_progress: object) -> None:
            # The entry first: it is idempotent, so a failure after it leaves nothing a retry cannot mend.
            if change_autostart:
                install_autostart(wanted)
            core.save_settings(new)

        def saved(_result: None) -> None:
            if threshold_changed:
                self.bridge.rescore()
            if isValid(self):
                self.saving = False
                self.accept()

        def failed(exc: BaseException) -> None:
            if not isValid(self) or not self.isVisible():  # closed with Escape while saving
                self.bridge.error.emit(f"Could not save the preferences: {describe_error(exc)}")
                return
            self.saving = False
            self.buttons.setEnabled(True)
            self.error.setText(f"⚠ Could not save: {describe_error(exc)}")

        self.saving = True
        self.buttons.setEnabled(False)
        self.error.setText("Saving…")
        self.bridge.runner.submit(write, on_result=saved, on_error=failed, serial=True, name="save_settings")
        return True
