"""CPU time of a PostgreSQL server's processes, read from /proc: load-independent figures for the team benches.

The server runs on the bench's machine (tests/pg_server.py, or a local --database): its postmaster's own time,
the time of its ended children (cutime, cstime: backends that closed during the run) and that of its live ones.
"""

from __future__ import annotations

import os
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str]:
    # After the ")" that closes the command's name: state (index 0), ppid (1), ... utime (11), stime (12),
    # cutime (13), cstime (14).
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def postmaster_pid(conn: object) -> int | None:
    """The postmaster of the server behind `conn` (a psycopg connection or the store's), when it runs here."""
    backend = int(conn.execute("SELECT pg_backend_pid()").fetchone()[0])  # type: ignore[attr-defined]
    try:
        return int(_stat(backend)[1])
    except (OSError, IndexError, ValueError):
        return None  # a server elsewhere


def server_cpu_seconds(postmaster: int | None) -> float:
    """User + system CPU seconds of the postmaster, its ended children and its live ones (0 when unknown)."""
    if postmaster is None:
        return 0.0
    fields = _stat(postmaster)
    ticks = sum(int(fields[i]) for i in (11, 12, 13, 14))
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            child = _stat(int(entry.name))
        except (OSError, IndexError):
            continue  # ended meanwhile
        if child[1] == str(postmaster):
            ticks += int(child[11]) + int(child[12])
    return ticks / _TICK


def backend_cpu_seconds(conn: object) -> float:
    """User + system CPU seconds of the backend serving `conn`."""
    backend = int(conn.execute("SELECT pg_backend_pid()").fetchone()[0])  # type: ignore[attr-defined]
    fields = _stat(backend)
    return (int(fields[11]) + int(fields[12])) / _TICK
