"""User settings (settings.toml in the data folder): poll interval, thresholds, notifications."""

from __future__ import annotations

import logging
import tomllib
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import tomli_w

from monitor.core.support.files import atomic_write

log = logging.getLogger(__name__)


@dataclass
class Settings:
    default_interval_minutes: int = 15
    highlight_threshold: float = 0.0  # 0 means "the matcher's default"
    notifications: bool = True
    quiet_hours_start: str = ""  # "22:00"; empty for none
    quiet_hours_end: str = ""
    max_concurrent_fetches: int = 8
    # Spike alerts (core/signals/spikes.py): "off", "low", "normal" or "high".
    spike_sensitivity: str = "normal"

    @classmethod
    def load(cls, path: Path) -> Settings:
        """Read settings; an unreadable file is reported and the defaults stand (nothing is overwritten)."""
        if not path.exists():
            return cls()
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            log.error("settings file %s is unreadable (%s); using defaults", path, exc)
            return cls()
        known = {f.name: f.type for f in fields(cls)}
        values = {}
        defaults = cls()
        for key, value in data.items():
            if key in known and isinstance(value, type(getattr(defaults, key))):
                values[key] = value
            elif key in known and isinstance(value, int) and isinstance(getattr(defaults, key), float):
                values[key] = float(value)
            else:
                log.warning("settings: ignoring %s = %r", key, value)
        return cls(**values)

    def save(self, path: Path) -> None:
        with atomic_write(path, private=True) as out:  # private, like the rest of the profile
            out.write(tomli_w.dumps(asdict(self)))
