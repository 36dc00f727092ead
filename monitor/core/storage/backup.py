"""Backups of the profile's database and their restore, through SQLite's online backup API.

A backup is one self-contained SQLite file (rollback journal, no -wal beside it), written while the app runs:
the copy reads one WAL snapshot, so a poll keeps writing while it is made and the copy is of one moment. It is
stamped in its `meta` table (format, when, schema, and the profile's settings and watchlist files) so a restore
knows it for a Vigie backup.

A restore never writes to the live database before the candidate has passed every check: the candidate is
copied to a temporary file beside the profile, checked there (SQLite header, PRAGMA integrity_check, Vigie's
tables, a schema this version knows) and migrated like an old profile on opening; only then is it copied into
the live database with the backup API in one step, which is one write transaction on the live file. A crash
half-way leaves the old profile (the transaction is rolled back on the next open); the app's other connections
stay valid and see the restored data at their next read, with no file swapped under them.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from monitor.core.errors import StoreError
from monitor.core.storage import db

log = logging.getLogger(__name__)

BACKUP_FORMAT = "vigie-backup 1"
# meta keys a backup carries; they are removed before a restore reaches the live database.
FORMAT_KEY = "backup_format"
CREATED_KEY = "backup_created"
FILE_KEY_PREFIX = "backup_file:"  # + a profile file's name (settings.toml, watchlist.toml): its text
_SQLITE_HEADER = b"SQLite format 3\x00"
# Pages copied per backup step: each step reports progress; the copy still reads one snapshot throughout.
STEP_PAGES = 512
REQUIRED_TABLES = ("articles", "feeds", "meta")

BackupProgress = Callable[[int, int], None]  # pages done, pages in all


class BackupError(StoreError):
    """The file is not a Vigie backup, is damaged, or cannot be written; said in words."""


@dataclass(frozen=True)
class BackupInfo:
    """What a backup holds, as its checks found it."""

    path: Path
    schema: int
    created: str | None  # None for a plain Vigie database (a migration's copy in backups/)
    articles: int
    feeds: int
    files: dict[str, str]  # profile file name -> its text, as the backup carries them


def write_backup(
    database: Path,
    target: Path,
    *,
    created: str,
    files: dict[str, str] | None = None,
    on_progress: BackupProgress | None = None,
) -> BackupInfo:
    """Copy the live `database` to `target` (replaced atomically, readable by the user alone)."""
    target = Path(target)
    if target.resolve() == Path(database).resolve():
        raise BackupError("a backup cannot overwrite the profile's own database; choose another file")
    if target.is_dir():
        raise BackupError(f"{target} is a folder; give the backup a file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    part = Path(name)
    try:
        with closing(db.connect(database)) as source, closing(sqlite3.connect(part)) as copy:
            # One read transaction for the whole copy: in WAL mode it pins one snapshot, so the poll's writes
            # neither block the copy nor restart it, and the copy is the database of one moment.
            source.execute("BEGIN")
            source.execute("SELECT count(*) FROM meta").fetchone()

            def progress(_status: int, remaining: int, total: int) -> None:
                if on_progress is not None:
                    on_progress(total - remaining, total)

            source.backup(copy, pages=STEP_PAGES, progress=progress)
            source.execute("COMMIT")
            copy.execute("PRAGMA journal_mode = DELETE")  # one file, nothing beside it
            stamps = {FORMAT_KEY: BACKUP_FORMAT, CREATED_KEY: created}
            stamps.update({FILE_KEY_PREFIX + k: v for k, v in (files or {}).items()})
            with copy:
                copy.executemany("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", stamps.items())
        info = inspect_copy(part, shown_as=target)
        part.chmod(0o600)
        os.replace(part, target)
    except sqlite3.Error as exc:
        raise BackupError(f"could not write the backup {target}: {exc}") from exc
    finally:
        part.unlink(missing_ok=True)
    log.info("backed up %s to %s (%d articles)", database, target, info.articles)
    return BackupInfo(target, info.schema, info.created, info.articles, info.feeds, info.files)


def inspect_copy(path: Path, *, shown_as: Path | None = None) -> BackupInfo:
    """Check a file we may write to (a private copy): a Vigie database or backup, whole, of a schema this
    version knows. Raises BackupError naming `shown_as` (the user's file) and what is wrong."""
    shown = shown_as or path
    with open(path, "rb") as handle:
        header = handle.read(len(_SQLITE_HEADER))
    if header != _SQLITE_HEADER:
        raise BackupError(f"{shown} is not a Vigie backup (it is not an SQLite database)")
    try:
        with closing(sqlite3.connect(path)) as conn:
            problems = [r[0] for r in conn.execute("PRAGMA integrity_check(5)")]
            if problems != ["ok"]:
                raise BackupError(f"{shown} is damaged (integrity check: {_one_line(problems)})")
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            version = db.schema_version(conn)
            if not set(REQUIRED_TABLES) <= tables or version < 1:
                raise BackupError(f"{shown} is not a Vigie backup (no Vigie tables in it)")
            if version > db.SCHEMA_VERSION:
                raise BackupError(
                    f"{shown} was written by a newer version of Vigie (schema {version}; this version knows up "
                    f"to {db.SCHEMA_VERSION}); upgrade Vigie to restore it"
                )
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
            articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
            feeds = conn.execute("SELECT count(*) FROM feeds").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{shown} is not a Vigie backup or is damaged ({exc})") from exc
    files = {k[len(FILE_KEY_PREFIX) :]: v for k, v in meta.items() if k.startswith(FILE_KEY_PREFIX)}
    created = meta.get(CREATED_KEY) if meta.get(FORMAT_KEY) == BACKUP_FORMAT else None
    return BackupInfo(Path(shown), version, created, int(articles), int(feeds), files)


@contextmanager
def checked_restore_copy(candidate: Path, work_folder: Path) -> Iterator[tuple[Path, BackupInfo]]:
    """A private copy of `candidate`, checked and migrated to this version's schema, removed afterwards.

    The user's file is only read. Raises BackupError when the file is no Vigie backup, is damaged or newer.
    """
    candidate = Path(candidate)
    if not candidate.is_file():
        raise BackupError(f"no backup file {candidate}")
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=work_folder) as folder:
        copy = Path(folder) / "candidate.sqlite3"
        shutil.copyfile(candidate, copy)
        info = inspect_copy(copy, shown_as=candidate)
        try:
            with closing(db.connect(copy)) as conn:
                # The candidate migrates as a profile does on opening (its pre-migration copy goes to the
                # temporary folder: the user's file is the original).
                db.migrate(conn, Path(folder) / "backups")
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                problems = [r[0] for r in conn.execute("PRAGMA integrity_check(5)")]
                if problems != ["ok"]:
                    raise BackupError(f"{candidate} is damaged after migration ({_one_line(problems)})")
                conn.execute(f"DELETE FROM meta WHERE key IN ('{FORMAT_KEY}', '{CREATED_KEY}')")
                conn.execute("DELETE FROM meta WHERE key LIKE ?", (FILE_KEY_PREFIX + "%",))
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as exc:
            raise BackupError(f"{candidate} could not be prepared for restore: {exc}") from exc
        yield copy, info


def copy_into_live(checked: Path, live: sqlite3.Connection) -> None:
    """Replace the live database's content with a checked copy, in one write transaction (see module doc)."""
    try:
        with closing(db.connect(checked)) as source:
            source.backup(live)  # every page in one step: all of it lands, or none
    except sqlite3.Error as exc:
        raise BackupError(
            f"the restore could not write the profile's database (nothing changed): {exc}"
        ) from exc


def _one_line(problems: list[str], limit: int = 200) -> str:
    """integrity_check's findings as one short line for the status bar or stderr."""
    text = "; ".join(" ".join(p.split()) for p in problems)
    return text if len(text) <= limit else text[: limit - 1] + "…"
