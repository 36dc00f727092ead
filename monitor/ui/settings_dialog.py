"""Settings ▸ Preferences: default poll interval, highlight threshold, notifications and quiet hours."""

from __future__ import annotations

import dataclasses
import logging
import re

from PySide6.QtWidgets import (
    QCheckBox,
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

from monitor.core.matching.matcher import DEFAULT_HIGHLIGHT_THRESHOLD
from monitor.core.service import VigieCore
from monitor.core.settings import Settings
from monitor.ui.bridge import Bridge, describe_error

log = logging.getLogger(__name__)

_TIME = re.compile(r"^([01]?\d|2[0-3]):[0-5]\d$")


class SettingsDialog(QDialog):
    """Edits settings.toml. A new threshold re-scores every article in the background."""

    def __init__(self, core: VigieCore, bridge: Bridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.core = core
        self.bridge = bridge
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
        self.concurrency = QSpinBox(self)
        self.concurrency.setRange(1, 32)
        self.concurrency.setValue(settings.max_concurrent_fetches)
        self.concurrency.setToolTip("Takes effect at the next start")
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
        form.addRow("Feeds fetched at once", self.concurrency)
        self.error = QLabel(self)
        self.error.setObjectName("editorError")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def edited(self) -> Settings:
        return dataclasses.replace(
            self.core.settings,
            default_interval_minutes=self.interval.value(),
            highlight_threshold=float(self.threshold.value()),
            notifications=self.notifications.isChecked(),
            quiet_hours_start=self.quiet_start.text().strip(),
            quiet_hours_end=self.quiet_end.text().strip(),
            max_concurrent_fetches=self.concurrency.value(),
        )

    def save(self) -> bool:
        new = self.edited()
        for value in (new.quiet_hours_start, new.quiet_hours_end):
            if value and not _TIME.match(value):
                self.error.setText(f"⚠ Quiet hours are written HH:MM (got {value!r}).")
                return False
        if bool(new.quiet_hours_start) != bool(new.quiet_hours_end):
            self.error.setText("⚠ Give both ends of the quiet hours, or neither.")
            return False
        try:
            new.save(self.core.paths.settings)
        except OSError as exc:
            self.error.setText(f"⚠ Could not save: {describe_error(exc)}")
            return False
        threshold_changed = new.highlight_threshold != self.core.settings.highlight_threshold
        self.core.settings = new
        if threshold_changed:
            self.bridge.rescore()
        self.accept()
        return True
