"""Team mode's records on PostgreSQL (issue 19, pg_team_schema.py): each analyst's read, starred and judgement,
the shared watchlist's versions, the audit of feed and watchlist changes, and the alerts log the clients catch up
from. On SQLite (one analyst) the states stay in the articles table (store.py) and the rest does not exist.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from monitor.core.errors import UserError
from monitor.core.models import Article
from monitor.core.storage.db import transaction
from monitor.core.storage.engine import Dialect
from monitor.core.storage.rows import article_from_row

# One analyst's mark on one article: only the column named changes, so two marks of the same row by two
# threads (read here, starred there) never undo each other.
_UPSERT = """INSERT INTO article_states(analyst, article_id, {column}) SELECT ?, id, ? FROM articles WHERE id = ?
ON CONFLICT (analyst, article_id) DO UPDATE SET {column} = excluded.{column}, changed = now()"""


@dataclass(frozen=True)
class WatchlistVersion:
    version: int
    saved: datetime
    analyst: str
    toml: str
    fingerprint: str


@dataclass(frozen=True)
class AuditEntry:
    """One change to a feed, a folder or the watchlist: who, when, what, and the fields before and after."""

    id: int
    at: datetime
    analyst: str
    role: str
    subject: str  # feeds, folders, watchlist_versions
    action: str  # insert, update, delete
    object_id: int | None
    before: dict[str, object] | None
    after: dict[str, object] | None

    def changes(self) -> str:
        """The fields that changed, as `name: old -> new` (an insert or delete: the row)."""
        before, after = self.before or {}, self.after or {}
        if not before or not after:
            row = after or before
            return ", ".join(
                f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in row.items() if v is not None
            )
        return ", ".join(
            f"{k}: {json.dumps(before.get(k), ensure_ascii=False)} -> {json.dumps(after.get(k), ensure_ascii=False)}"
            for k in after
            if before.get(k) != after.get(k)
        )


class TeamRecords:
    """Per-analyst states and the team's shared records (mixed into Store)."""

    conn: sqlite3.Connection
    dialect: Dialect
    analyst: str
    _pool: object  # the store's (pg.PgPool on PostgreSQL)

    def _require_team(self, feature: str) -> None:
        if self.dialect.is_sqlite:
            raise UserError(
                f"{feature} exist only on a shared PostgreSQL database (--database); a local profile has one "
                "analyst and keeps no audit"
            )

    # -- the analyst's states ------------------------------------------------------------------------------

    def _set_state(self, column: str, rows: Sequence[tuple[object, int]]) -> int:
        """Upsert one column of this analyst's state for each (value, article id); returns how many articles
        exist among them."""
        sql = _UPSERT.format(column=column)
        changed = 0
        with transaction(self.conn):
            for value, article_id in rows:
                changed += self.conn.execute(sql, (self.analyst, value, article_id)).rowcount
        return changed

    def _mark_all_read_pg(self, where: str, args: list[object]) -> int:
        extra = " AND a.read = 0" if where else " WHERE a.read = 0"
        with transaction(self.conn):
            cur = self.conn.execute(
                f"""WITH unread AS (SELECT a.id FROM articles a{where}{extra})
                INSERT INTO article_states(analyst, article_id, read) SELECT ?, id, 1 FROM unread
                ON CONFLICT (analyst, article_id) DO UPDATE SET read = 1, changed = now()""",
                [*args, self.analyst],
            )
        return cur.rowcount

    # -- the analyst's own settings ------------------------------------------------------------------------

    def get_own_meta(self, key: str, default: str | None = None) -> str | None:
        """A setting of this analyst's (the alerts' pause): the meta table on SQLite (one analyst), the
        analyst's row of analyst_meta on a shared database."""
        if self.dialect.is_sqlite:
            return self.get_meta(key, default)  # type: ignore[attr-defined]
        row = self.conn.execute(
            "SELECT value FROM analyst_meta WHERE analyst = ? AND key = ?", (self.analyst, key)
        ).fetchone()
        return row[0] if row else default

    def set_own_meta(self, key: str, value: str) -> None:
        if self.dialect.is_sqlite:
            self.set_meta(key, value)  # type: ignore[attr-defined]
            return
        self.conn.execute(
            "INSERT INTO analyst_meta(analyst, key, value) VALUES (?, ?, ?) "
            "ON CONFLICT (analyst, key) DO UPDATE SET value = excluded.value",
            (self.analyst, key, value),
        )

    # -- the shared watchlist -----------------------------------------------------------------------------

    def latest_watchlist(self) -> WatchlistVersion | None:
        """The team's watchlist: the newest saved version, or None before the first."""
        self._require_team("watchlist versions")
        row = self.conn.execute(
            "SELECT version, saved, analyst, toml, fingerprint FROM watchlist_versions ORDER BY version DESC "
            "LIMIT 1"
        ).fetchone()
        return WatchlistVersion(*row) if row else None

    def watchlist_version(self) -> int:
        """The newest version's number (0: none yet); one indexed read, for the clients' check."""
        self._require_team("watchlist versions")
        row = self.conn.execute("SELECT coalesce(max(version), 0) FROM watchlist_versions").fetchone()
        return int(row[0])

    def save_watchlist_version(self, toml: str, fingerprint: str) -> int:
        """Store a new version of the team's watchlist (the audit records who and when); returns its number.
        The same list as the newest is not stored again."""
        self._require_team("watchlist versions")
        with transaction(self.conn):
            latest = self.conn.execute(
                "SELECT version, fingerprint FROM watchlist_versions ORDER BY version DESC LIMIT 1"
            ).fetchone()
            if latest and latest[1] == fingerprint:
                return int(latest[0])
            row = self.conn.execute(
                "INSERT INTO watchlist_versions(analyst, toml, fingerprint) VALUES (?, ?, ?) RETURNING version",
                (self.analyst, toml, fingerprint),
            ).fetchone()
        return int(row[0])

    # -- the audit ----------------------------------------------------------------------------------------

    def audit_entries(self, limit: int = 50, subject: str | None = None) -> list[AuditEntry]:
        """The newest changes to feeds, folders and the watchlist, newest first."""
        self._require_team("audit records")
        rows = self.conn.execute(
            "SELECT id, at, analyst, role, subject, action, object_id, before, after FROM audit_log "
            "WHERE ? IS NULL OR subject = ? ORDER BY id DESC LIMIT ?",
            (subject, subject, limit),
        ).fetchall()
        return [AuditEntry(*row) for row in rows]

    # -- pushed alerts ------------------------------------------------------------------------------------

    def alerts_after(self, seq: int, limit: int = 1_000) -> list[tuple[int, int]]:
        """(seq, article id) of the alerts logged after `seq`, oldest first: a client's catch-up."""
        self._require_team("pushed alerts")
        rows = self.conn.execute(
            "SELECT seq, article_id FROM alert_log WHERE seq > ? ORDER BY seq LIMIT ?", (seq, limit)
        ).fetchall()
        return [(int(r[0]), int(r[1])) for r in rows]

    def last_alert_seq(self, article_ids: Sequence[int] | None = None) -> int:
        """The newest alert's number (of these articles, when given); 0 when none."""
        self._require_team("pushed alerts")
        if article_ids is None:
            row = self.conn.execute("SELECT coalesce(max(seq), 0) FROM alert_log").fetchone()
        else:
            marks = ",".join("?" * len(article_ids)) or "NULL"
            row = self.conn.execute(
                f"SELECT coalesce(max(seq), 0) FROM alert_log WHERE article_id IN ({marks})",
                list(article_ids),
            ).fetchone()
        return int(row[0])

    def alerted_articles(self, article_ids: Sequence[int]) -> list[Article]:
        """Those of these articles that are alerts for this analyst (not judged not relevant), best first."""
        if not article_ids:
            return []
        marks = ",".join("?" * len(article_ids))
        rows = self.conn.execute(
            f"SELECT * FROM articles WHERE alert = 1 AND id IN ({marks}) ORDER BY score DESC",
            list(article_ids),
        ).fetchall()
        return [article_from_row(r) for r in rows]

    def may_store_articles(self) -> bool:
        """Whether this login may store polled articles, which a poller must: always on SQLite; on PostgreSQL,
        INSERT on articles (the service's role and the owner have it, an analyst's or an editor's has not)."""
        if self.database is None:
            return True
        row = self.conn.execute("SELECT has_table_privilege('articles', 'INSERT')").fetchone()
        return bool(row and row[0])

    def own_sessions(self) -> set[int]:
        """The server process ids of this store's connections (a client skips the alerts of its own polls)."""
        return set(getattr(self._pool, "backend_pids", set()))

    def analyst_cursor(self) -> int | None:
        """The last alert this analyst's client delivered (None: never)."""
        self._require_team("pushed alerts")
        row = self.conn.execute(
            "SELECT last_alert FROM analyst_cursor WHERE analyst = ?", (self.analyst,)
        ).fetchone()
        return int(row[0]) if row else None

    def set_analyst_cursor(self, seq: int) -> None:
        self._require_team("pushed alerts")
        self.conn.execute(
            "INSERT INTO analyst_cursor(analyst, last_alert) VALUES (?, ?) ON CONFLICT (analyst) "
            "DO UPDATE SET last_alert = greatest(analyst_cursor.last_alert, excluded.last_alert)",
            (self.analyst, seq),
        )
