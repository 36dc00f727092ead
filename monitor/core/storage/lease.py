"""The poller lease (team mode, issue 19): whatever starts, only one process polls a store at a time.

The lease is a lock the operating system or the server drops by itself when its holder dies, so a standby never
has to guess whether the holder is still alive:

- on PostgreSQL, a session-level advisory lock (``pg_try_advisory_lock``) held on a connection of its own, kept
  open for as long as the lease is held. A holder killed with SIGKILL closes its socket; the server ends the
  session and the lock goes with it. A holder cut off by the network is noticed by TCP keepalives (the client's,
  set here, and the server's ``tcp_keepalives_idle``: packaging/SERVICE.md).
- on SQLite, an exclusive ``flock`` on a file beside the database (``<database>.poller-lock``): the kernel drops
  it when the holding process dies, whatever the way. The holder writes its pid and host in the file, which a
  standby reads to say whom it waits for.

A lease is taken without waiting (``try_acquire``); the caller (polling.headless) retries every few seconds and
asks ``still_held`` before each poll, so a holder that lost its lease's connection stops polling at once.

The desktop window takes the same lease (VigieCore.poller_lease) through the same loop: ui/poll_standby.py.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
from pathlib import Path
from typing import Any, Protocol

from monitor.core.errors import StoreError, UserError
from monitor.core.storage.engine import redacted

log = logging.getLogger(__name__)

# pg_try_advisory_lock(int4, int4): the two-key form, a lock space apart from the schema migration's one-key
# transaction lock (pg_schema._MIGRATION_LOCK).
PG_LEASE_KEY = (0x56494749, 1)  # "VIGI", the poller
LOCK_SUFFIX = ".poller-lock"
# libpq's keepalives on the lease's connection: a holder whose server vanished finds out in about 20 s.
_KEEPALIVES = {"keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 2}


def holder_name() -> str:
    """This process as a lease holder names itself: "vigie on HOST (pid N)"."""
    return f"vigie on {socket.gethostname()} (pid {os.getpid()})"


class LeaseHeldError(UserError):
    """Another process holds the poller lease: this one must not poll now."""


def held_elsewhere(lease: Lease) -> LeaseHeldError:
    """The refusal, naming the holder when it can be known."""
    holder = lease.holder() or "another process"
    return LeaseHeldError(
        f"another Vigie polls this store ({holder}): its polls reach every reader of the store; "
        "this one does not poll while it does"
    )


class Lease(Protocol):
    """What the standby loop (polling.headless: `vigie serve` and the window) needs of a lease."""

    @property
    def held(self) -> bool: ...

    def try_acquire(self) -> bool:
        """Take the lease if nobody holds it; True when this process holds it now. Never waits."""
        ...

    def still_held(self) -> bool:
        """True while the lease is ours (on PostgreSQL: its connection answers). False once lost."""
        ...

    def holder(self) -> str:
        """Who holds the lease, in words, as far as can be known ("" when unknown)."""
        ...

    def release(self) -> None:
        """Give the lease back (nothing happens when it is not held)."""
        ...


class FileLease:
    """The lease of a SQLite store: an exclusive flock on `path` (created beside the database, mode 0600)."""

    def __init__(self, path: Path, name: str | None = None) -> None:
        self.path = Path(path)
        self._name = name or holder_name()
        self._fd: int | None = None
        self._lock = threading.Lock()

    @property
    def held(self) -> bool:
        return self._fd is not None

    def try_acquire(self) -> bool:
        with self._lock:
            if self._fd is not None:
                return True
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError as exc:
                raise StoreError(f"cannot open the poller's lock file {self.path}: {exc}") from exc
            if not _lock_file(fd):
                os.close(fd)
                return False
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, f"{self._name}\n".encode())
            self._fd = fd
            log.debug("poller lease taken: %s", self.path)
            return True

    def still_held(self) -> bool:
        return self._fd is not None  # a flock lasts as long as its descriptor: nothing can take it away

    def holder(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            return ""

    def release(self) -> None:
        with self._lock:
            fd, self._fd = self._fd, None
            if fd is None:
                return
            try:
                os.ftruncate(fd, 0)
            finally:
                os.close(fd)  # closing the descriptor drops the flock
            log.debug("poller lease released: %s", self.path)


def _lock_file(fd: int) -> bool:
    """An exclusive, non-blocking lock on the whole file; False when another process holds it."""
    try:
        import fcntl
    except ImportError:  # Windows: msvcrt's byte-range lock on the first byte stands in for flock
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


class AdvisoryLease:
    """The lease of a PostgreSQL store: a session advisory lock on a connection opened for it alone."""

    def __init__(self, url: str, name: str | None = None) -> None:
        self.url = url
        self._name = name or holder_name()
        self._conn: Any = None
        self._lock = threading.Lock()

    @property
    def held(self) -> bool:
        return self._conn is not None

    def _connect(self) -> Any:
        import psycopg

        try:
            return psycopg.connect(
                self.url,
                autocommit=True,
                connect_timeout=10,
                application_name=self._name[:63],
                **_KEEPALIVES,
            )
        except psycopg.Error as exc:
            raise StoreError(
                f"cannot reach the database {redacted(self.url)} for the poller lease: {_first_line(exc)}"
            ) from exc

    def try_acquire(self) -> bool:
        import psycopg

        with self._lock:
            if self._conn is not None:
                return True
            conn = self._connect()
            try:
                row = conn.execute("SELECT pg_try_advisory_lock(%s, %s)", PG_LEASE_KEY).fetchone()
            except psycopg.Error as exc:
                conn.close()
                raise StoreError(f"the poller lease could not be asked for: {_first_line(exc)}") from exc
            if not row or not row[0]:
                conn.close()
                return False
            self._conn = conn
            log.debug("poller lease taken on %s", redacted(self.url))
            return True

    def still_held(self) -> bool:
        import psycopg

        with self._lock:
            conn = self._conn
            if conn is None:
                return False
            try:
                conn.execute("SELECT 1").fetchone()
            except psycopg.Error as exc:
                log.warning("the poller lease's connection failed (%s): the lease is lost", _first_line(exc))
                self._conn = None
                with contextlib.suppress(psycopg.Error):
                    conn.close()
                return False
            return True

    def holder(self) -> str:
        """The holder's application name (and its address), when this role may see it in pg_stat_activity."""
        import psycopg

        try:
            with self._connect() as conn:
                row = conn.execute(
                    "SELECT a.application_name, a.client_addr::text, a.pid FROM pg_locks l "
                    "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted "
                    "AND l.classid = %s AND l.objid = %s AND l.objsubid = 2 AND l.database = "
                    "(SELECT oid FROM pg_database WHERE datname = current_database())",
                    (PG_LEASE_KEY[0], PG_LEASE_KEY[1]),
                ).fetchone()
        except (psycopg.Error, StoreError):
            return ""
        if row is None:
            return ""
        name, addr, pid = row
        where = f" from {addr}" if addr else ""
        return f"{name or 'a session'}{where} (server pid {pid})"

    def release(self) -> None:
        import psycopg

        with self._lock:
            conn, self._conn = self._conn, None
            if conn is None:
                return
            try:
                conn.execute("SELECT pg_advisory_unlock(%s, %s)", PG_LEASE_KEY)
            except psycopg.Error:
                pass  # a lost connection has dropped the lock already
            finally:
                conn.close()
            log.debug("poller lease released on %s", redacted(self.url))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def lease_for(database_path: Path, database_url: str | None = None, name: str | None = None) -> Lease:
    """The lease of a store: the advisory lock on the server at `database_url`, else the lock file beside the
    SQLite file at `database_path`."""
    if database_url:
        return AdvisoryLease(database_url, name)
    path = Path(database_path)
    return FileLease(path.with_name(path.name + LOCK_SUFFIX), name)
