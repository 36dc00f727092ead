"""LISTEN on the alerts channel (team mode, pg_team_schema.py): one dedicated connection, outside the pool, that
waits for the ids a poll's commit announces."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from monitor.core.errors import StoreError
from monitor.core.storage import pg
from monitor.core.storage.engine import redacted
from monitor.core.storage.pg_team_schema import ALERT_CHANNEL

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Announcement:
    """One NOTIFY: the server process that committed it and the article ids it carries."""

    pid: int
    article_ids: tuple[int, ...]


def _ids(payload: str) -> tuple[int, ...]:
    return tuple(int(part) for part in payload.split(",") if part.strip().isdigit())


class AlertChannel:
    """A connection LISTENing on the alerts channel. Raises StoreError in words when the server is lost."""

    def __init__(self, url: str, analyst: str) -> None:
        self.url = url
        conn = pg.connect(url)
        self._raw: Any = conn.raw
        try:
            pg.set_analyst(self._raw, analyst)
            self._raw.execute(f"LISTEN {ALERT_CHANNEL}")
        except Exception:
            self.close()
            raise

    def wait(self, timeout: float, gather: float = 0.05) -> list[Announcement]:
        """The announcements of the next `timeout` seconds: back at the first one, with those that follow it
        within `gather` seconds (a poll's statements each announce their own alerts, all at its commit)."""
        psycopg = pg._psycopg()
        try:
            got = list(self._raw.notifies(timeout=timeout, stop_after=1))
            if got:
                got += list(self._raw.notifies(timeout=gather))
        except psycopg.Error as exc:
            raise StoreError(
                f"lost the alerts channel of {redacted(self.url)}: {pg._first_line(exc)}"
            ) from exc
        return [Announcement(int(n.pid), _ids(n.payload)) for n in got]

    def close(self) -> None:
        try:
            self._raw.close()
        except Exception:  # closing a connection the server already dropped
            log.debug("closing the alerts channel", exc_info=True)
