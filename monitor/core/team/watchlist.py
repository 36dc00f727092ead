"""The team's watchlist: kept in the database with its versions (storage/team.py), the profile's file a local
copy of the newest.

On open, the newest version in the database is the list (written to the profile's file); an empty database is
given the profile's list as its first version. Saving stores a new version (the audit records who and when);
`sync` takes a version another analyst saved since.
"""

from __future__ import annotations

import logging
import os

from monitor.core.matching.watchlist import (
    Watchlist,
    WatchlistFile,
    dump_watchlist,
    loads_watchlist,
    save_watchlist,
)
from monitor.core.storage.store import Store

log = logging.getLogger(__name__)


class SharedWatchlist(WatchlistFile):
    """A WatchlistFile whose truth is the database's newest version."""

    def __init__(self, path: str | os.PathLike[str], store: Store) -> None:
        super().__init__(path)
        self.store = store
        self.version = 0

    def load(self) -> Watchlist:
        latest = self.store.latest_watchlist()
        if latest is None:  # the first client on an empty database publishes its profile's list
            watchlist = super().load()
            self.version = self.store.save_watchlist_version(dump_watchlist(watchlist), watchlist.fingerprint)
            log.info("published the profile's watchlist as the team's version %d", self.version)
            return watchlist
        watchlist = loads_watchlist(latest.toml, source=f"the team's watchlist (version {latest.version})")
        save_watchlist(watchlist, self.path)  # the local copy the analyst can read and export
        self.current = watchlist
        self.last_error = None
        self._stamp = self._file_stamp()
        self.version = latest.version
        log.info("the team's watchlist: version %d, saved by %s", latest.version, latest.analyst)
        return watchlist

    def save(self, watchlist: Watchlist) -> None:
        super().save(watchlist)
        self.version = self.store.save_watchlist_version(dump_watchlist(watchlist), watchlist.fingerprint)

    def sync(self) -> bool:
        """Take the newest version when another analyst saved one since; True when the list changed."""
        if self.store.watchlist_version() == self.version:
            return False
        before = self.current.fingerprint if self.current else None
        self.load()
        return self.current is not None and self.current.fingerprint != before
