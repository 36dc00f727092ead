"""Backing up and restoring a whole profile: the database with the settings and watchlist files it runs with."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from monitor.core.matching.watchlist import WatchlistError, loads_watchlist
from monitor.core.settings import Settings
from monitor.core.storage import backup, db
from monitor.core.storage.backup import BackupError, BackupInfo
from monitor.core.storage.engine import not_on_postgres
from monitor.core.support.clock import Clock, iso
from monitor.core.support.files import atomic_write

if TYPE_CHECKING:
    from monitor.core.matching.matcher import Matcher
    from monitor.core.matching.watchlist import Watchlist, WatchlistFile
    from monitor.core.storage.store import Store
    from monitor.paths import AppPaths

log = logging.getLogger(__name__)

__all__ = ["BackupError", "BackupInfo", "ProfileBackups", "RestoreResult"]

# The profile files a backup carries beside the database, by the name they have in the data folder.
SETTINGS_FILE = "settings.toml"
WATCHLIST_FILE = "watchlist.toml"
RESTORE_STEPS = 4  # check and migrate the copy, keep the current profile, write it in, re-score

StepProgress = Callable[[int, int], None]


@dataclass(frozen=True)
class RestoreResult:
    info: BackupInfo
    previous: Path  # the profile as it was before the restore, kept in backups/
    rescored: int
    warnings: list[str] = field(default_factory=list)


class ProfileBackups:
    """VigieCore's backup and restore (a mixin: VigieCore provides the attributes below)."""

    paths: AppPaths
    store: Store
    clock: Clock
    settings: Settings
    watchlist_file: WatchlistFile
    matcher: Matcher
    _poll_lock: threading.Lock

    def _build_matcher(self, watchlist: Watchlist) -> Matcher: ...  # VigieCore's
    def rescore(self, on_progress: Callable[[int, int], None] | None = None) -> int: ...  # VigieCore's

    def backup(self, target: Path, on_progress: StepProgress | None = None) -> BackupInfo:
        """Write a backup of the profile to `target` (safe while a poll runs: the copy is of one moment).

        `on_progress(pages done, pages in all)`. Raises BackupError in words."""
        if not self.store.dialect.is_sqlite:  # the server's own dumps (pg_dump) back a shared store up
            raise not_on_postgres("profile backups")
        files = {}
        for name, path in ((SETTINGS_FILE, self.paths.settings), (WATCHLIST_FILE, self.paths.watchlist)):
            if path.exists():
                files[name] = path.read_text(encoding="utf-8")
        return backup.write_backup(
            self.paths.database, Path(target), created=iso(self.clock()), files=files, on_progress=on_progress
        )

    def restore(self, candidate: Path, on_progress: StepProgress | None = None) -> RestoreResult:
        """Replace the profile with a backup's. A file that is not a Vigie backup, is damaged or comes from a
        newer Vigie raises BackupError and leaves the profile untouched. A poll in progress ends first; the
        profile as it was is kept in backups/. An older backup is migrated as opening an old profile is."""
        if not self.store.dialect.is_sqlite:
            raise not_on_postgres("profile backups")

        def step(done: int) -> None:
            if on_progress is not None:
                on_progress(done, RESTORE_STEPS)

        step(0)
        with backup.checked_restore_copy(Path(candidate), self.paths.data_dir) as (copy, info):
            step(1)
            with self._poll_lock:  # no poll writes into the profile while it is replaced
                live = self.store.conn
                previous = db.backup_database(live, self.paths.backups, db.schema_version(live))
                step(2)
                backup.copy_into_live(copy, live)
        step(3)
        log.info("restored %s over the profile; the previous one is in %s", candidate, previous)
        warnings = self._restore_files(info)
        self.matcher = self._build_matcher(self.watchlist_file.current)
        rescored = 0
        if self.store.get_meta("watchlist_version") != self.watchlist_file.current.fingerprint:
            rescored = self.rescore()
            self.store.set_meta("watchlist_version", self.watchlist_file.current.fingerprint)
        step(4)
        return RestoreResult(info, previous, rescored, warnings)

    def _restore_files(self, info: BackupInfo) -> list[str]:
        """Write back the settings and watchlist the backup carries (each checked first); reload them."""
        warnings: list[str] = []
        watchlist_text = info.files.get(WATCHLIST_FILE)
        if watchlist_text is not None:
            try:
                loads_watchlist(watchlist_text, source=f"the backup's {WATCHLIST_FILE}")
            except WatchlistError as exc:
                warnings.append(f"kept the current watchlist: {exc}")
            else:
                with atomic_write(self.paths.watchlist, private=True) as out:
                    out.write(watchlist_text)
        settings_text = info.files.get(SETTINGS_FILE)
        if settings_text is not None:
            with atomic_write(self.paths.settings, private=True) as out:
                out.write(settings_text)
            self.settings = Settings.load(self.paths.settings)
        try:
            self.watchlist_file.load()
        except WatchlistError as exc:
            warnings.append(f"the watchlist could not be read again: {exc}")
        return warnings
