"""A throwaway PostgreSQL server for the tests: initdb in a temporary folder, pg_ctl on a Unix socket there (no
TCP port to clash with), one database, stopped at the end of the session. And `open_store`, which opens a store
on each engine in turn: a test that takes it runs once on SQLite and once on PostgreSQL.

Debian's postgresql package puts its programs in /usr/lib/postgresql/<version>/bin. Without them (or without
psycopg) the PostgreSQL tests are skipped, unless VIGIE_REQUIRE_POSTGRES=1 (CI) makes that a failure. The server
refuses to run as root: as root, it runs as `nobody`, in a folder given to nobody.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from monitor.core.storage.store import Store

MIN_VERSION = 15
DATABASE = "vigie_test"
ROLE = "vigie"
# trust: only this session's user can reach the socket's folder; --no-sync: a throwaway server needs no fsync.
INITDB_OPTIONS = ["-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]


def server_binaries() -> Path | None:
    """The newest PostgreSQL (15 or newer) bin folder, from Debian's layout or pg_config."""
    found = [
        p
        for p in Path("/usr/lib/postgresql").glob("*/bin")
        if p.parent.name.isdigit() and int(p.parent.name) >= MIN_VERSION and (p / "pg_ctl").exists()
    ]
    if found:
        return max(found, key=lambda p: int(p.parent.name))
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb and shutil.which("pg_ctl") else None


def unavailable(reason: str) -> None:
    if os.environ.get("VIGIE_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"VIGIE_REQUIRE_POSTGRES=1 but {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL tests skipped: {reason} (install Debian's postgresql package and psycopg)")


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "nobody", "--", *command] if os.geteuid() == 0 else command


def start_command(bindir: Path, folder: Path, *settings: str) -> list[str]:
    """pg_ctl start of the server whose data are in folder/data: its socket in `folder`, no TCP port, no fsync,
    its log in folder/log; `settings` are more `name=value` server settings."""
    options = " ".join(
        [f"-k {folder} -c listen_addresses='' -F -c full_page_writes=off -c synchronous_commit=off"]
        + [f"-c {setting}" for setting in settings]
    )
    command = [str(bindir / "pg_ctl"), "-D", str(folder / "data"), "-l", str(folder / "log"), "-o", options]
    return _as_server_user([*command, "-w", "start"])


class ServerUnavailable(RuntimeError):
    """No PostgreSQL server programs, or no psycopg."""


@contextmanager
def throwaway_server() -> Iterator[str]:
    """Start a private server; yields the URL of its empty database; stops it and removes its folder after.

    Raises ServerUnavailable without the programs or psycopg, RuntimeError when the server does not start."""
    try:
        import psycopg
        import psycopg_pool  # noqa: F401
    except ImportError as exc:
        raise ServerUnavailable(
            "psycopg and psycopg-pool are not installed (pip install -e '.[test]')"
        ) from exc
    bindir = server_binaries()
    if bindir is None:
        raise ServerUnavailable(f"no PostgreSQL {MIN_VERSION}+ server programs (initdb, pg_ctl)")
    folder = Path(tempfile.mkdtemp(prefix="vigie-pg-"))  # short: a socket path has at most 107 bytes
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "nobody", "nogroup")
    folder.chmod(0o755)
    run = {"check": True, "capture_output": True, "text": True, "cwd": folder}
    try:
        subprocess.run(
            _as_server_user([str(bindir / "initdb"), "-D", str(data), "-U", ROLE, *INITDB_OPTIONS]), **run
        )
        subprocess.run(start_command(bindir, folder), **run)
    except subprocess.CalledProcessError as exc:
        log = (folder / "log").read_text() if (folder / "log").exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"the throwaway PostgreSQL did not start: {exc.stderr}{exc.stdout}{log}") from exc
    try:
        with psycopg.connect(f"host={folder} dbname=postgres user={ROLE}", autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}")
        yield f"postgresql://{ROLE}@/{DATABASE}?host={folder}"
    finally:
        subprocess.run(
            _as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
            capture_output=True,
            cwd=folder,
        )
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of an empty database on a server private to this test session."""
    try:
        with throwaway_server() as url:
            yield url
    except ServerUnavailable as exc:
        unavailable(str(exc))
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)


def empty_database(url: str) -> str:
    """The session's database with every Vigie table emptied (ids from 1 again); returns its URL."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'vigie_schema'"
            )
        ]
        if tables:
            conn.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    return url


ENGINES = ["sqlite", "postgresql"]


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> str | None:
    """The `database` a VigieCore or the CLI's --database takes on the test's engine: None (the profile's SQLite
    file) or the URL of the session's PostgreSQL database, its schema made and its tables emptied."""
    if engine != "postgresql":
        return None
    url = str(request.getfixturevalue("postgres_server"))
    Store.open(tmp_path / "unused.sqlite3", database=url).close()  # the schema, once
    return empty_database(url)


@pytest.fixture
def open_store(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Callable[[], Store]]:
    """Opens a new, empty store on the test's engine (each call the same database; close what you open)."""
    url = None
    if engine == "postgresql":
        url = request.getfixturevalue("postgres_server")
        Store.open(tmp_path / "unused.sqlite3", database=url).close()  # the schema, once
        empty_database(url)
    opened: list[Store] = []

    def open_one() -> Store:
        store = Store.open(tmp_path / "v.sqlite3", tmp_path / "backups", database=url)
        opened.append(store)
        return store

    yield open_one
    for store in opened:
        store.close()
