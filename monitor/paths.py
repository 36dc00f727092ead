"""Where Vigie keeps its data and where it finds its shipped resources and seeds."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from monitor import APP_NAME

DATA_DIR_ENV = "VIGIE_DATA_DIR"
DATABASE_ENV = "VIGIE_DATABASE"  # a postgresql:// URL, as --database (team mode)
_PACKAGE_DIR = Path(__file__).resolve().parent


def _shipped_dir(name: str) -> Path:
    """A folder shipped with the app: inside the installed package, or at the top of a source checkout."""
    installed = _PACKAGE_DIR / name
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / name


def resources_dir() -> Path:
    return _shipped_dir("resources")


def seeds_dir() -> Path:
    return _shipped_dir("seeds")


def _private_dir(path: Path) -> Path:
    """Create a folder readable by the user alone (the analyst's reading is private)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(OSError):  # a folder we do not own (a shared mount): keep what it has
        path.chmod(0o700)
    return path


@dataclass(frozen=True)
class AppPaths:
    """The folders of one Vigie profile. Everything the app writes lives under `data_dir`."""

    data_dir: Path

    @property
    def database(self) -> Path:
        return self.data_dir / "vigie.sqlite3"

    @property
    def watchlist(self) -> Path:
        return self.data_dir / "watchlist.toml"

    @property
    def settings(self) -> Path:
        return self.data_dir / "settings.toml"

    @property
    def backups(self) -> Path:
        return self.data_dir / "backups"

    def ensure(self) -> AppPaths:
        _private_dir(self.data_dir)
        return self

    @classmethod
    def resolve(cls, data_dir: str | os.PathLike[str] | None = None) -> AppPaths:
        """--data-dir wins, then VIGIE_DATA_DIR, then the platform's user data folder."""
        chosen = (
            data_dir or os.environ.get(DATA_DIR_ENV) or platformdirs.user_data_dir(APP_NAME, appauthor=False)
        )
        return cls(Path(chosen).expanduser().resolve())
