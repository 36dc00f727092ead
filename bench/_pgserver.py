"""A PostgreSQL server for the benches whose data directory stays (`--keep-server DIR` of bench/team.py and
bench/notify_latency.py): made in DIR/data at the first run (Debian's postgresql package, as tests/pg_server.py,
the same options: a Unix socket in DIR, no TCP port, fsync off), started for each run and stopped after it, its
data kept, so a later run reads the 1,000,000 articles a first run moved in without copying them again.

By hand: ``runuser -u nobody -- /usr/lib/postgresql/15/bin/pg_ctl -D DIR/data -o "-k DIR -c listen_addresses=''"
-l DIR/log start``, then ``psql "host=DIR dbname=vigie_bench user=vigie"`` (as root the server runs as nobody).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

from tests.pg_server import INITDB_OPTIONS, ROLE, server_binaries, start_command

DATABASE = "vigie_bench"
SHARED_BUFFERS = "4GB"  # a sixth of this 23 GB machine's memory (PostgreSQL's guide: up to a quarter)


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "nobody", "--", *command] if os.geteuid() == 0 else command


def url_of(folder: Path) -> str:
    return f"postgresql://{ROLE}@/{DATABASE}?host={folder}"


@contextlib.contextmanager
def kept_server(folder: Path) -> Iterator[str]:
    """Start (making it at the first run) the server of `folder`; yields its database's URL; stops it after, unless
    it was running already. The data stay in folder/data."""
    import psycopg

    bindir = server_binaries()
    if bindir is None:
        raise SystemExit("no PostgreSQL server programs (Debian's postgresql package)")
    folder = folder.resolve()
    data = folder / "data"
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(folder, "nobody", "nogroup")
    folder.chmod(0o755)
    run = {"check": True, "capture_output": True, "text": True, "cwd": folder}
    if not (data / "PG_VERSION").exists():
        subprocess.run(
            _as_server_user([str(bindir / "initdb"), "-D", str(data), "-U", ROLE, *INITDB_OPTIONS]), **run
        )
    running = (
        subprocess.run(
            _as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "status"]), **{**run, "check": False}
        ).returncode
        == 0
    )
    if not running:
        # Sized as a team's server would be rather than as the tests' throwaway one (128 MB): a 1,000,000-article
        # store's search indexes are some 3 GB, and with the default buffers each batch's GIN upkeep re-reads
        # them through the OS (docs/BENCHMARKS.md section 32: 57 articles/s at 345,500).
        subprocess.run(start_command(bindir, folder, f"shared_buffers={SHARED_BUFFERS}"), **run)
    try:
        with psycopg.connect(f"host={folder} dbname=postgres user={ROLE}", autocommit=True) as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone() is None:
                conn.execute(f"CREATE DATABASE {DATABASE}")
        yield url_of(folder)
    finally:
        if not running:
            subprocess.run(
                _as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
                capture_output=True,
                cwd=folder,
            )
