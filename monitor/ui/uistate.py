"""Window geometry, splitter sizes and column widths, kept in ui.ini inside the profile's data folder.

An ini file per profile (not the platform's shared QSettings store) keeps profiles and test runs apart.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

log = logging.getLogger(__name__)

UI_FILE = "ui.ini"


class UiState:
    """Named byte blobs and small values in an ini file."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / UI_FILE
        self._settings = QSettings(str(self.path), QSettings.Format.IniFormat)

    def bytes(self, key: str) -> QByteArray | None:
        value = self._settings.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_bytes(self, key: str, value: QByteArray) -> None:
        self._settings.setValue(key, value)

    def flag(self, key: str, default: bool = False) -> bool:
        value = self._settings.value(key, default)
        if isinstance(value, str):
            return value.lower() in ("1", "true", "yes")
        return bool(value)

    def set_flag(self, key: str, value: bool) -> None:
        self._settings.setValue(key, value)

    def strings(self, key: str) -> list[str]:
        """A list of strings (kept as JSON text: an ini file reads a one-item list back as a string)."""
        value = self._settings.value(key)
        try:
            found = json.loads(value) if isinstance(value, str) else []
        except ValueError:
            return []
        return [v for v in found if isinstance(v, str)] if isinstance(found, list) else []

    def set_strings(self, key: str, values: list[str]) -> None:
        self._settings.setValue(key, json.dumps(values, ensure_ascii=False))

    def sync(self) -> None:
        self._settings.sync()
        if self._settings.status() != QSettings.Status.NoError:
            log.warning("could not save the window layout to %s", self.path)
