"""The store's tests run on both engines: a test that takes `open_store` runs once on SQLite and once on the
session's throwaway PostgreSQL (tests/pg_server.py)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from monitor.core.storage.store import Store
from tests.pg_server import empty_database

ENGINES = ["sqlite", "postgresql"]
OpenStore = Callable[[], Store]
# A constraint the database refuses, on either engine.
INTEGRITY_ERRORS: tuple[type[Exception], ...] = (sqlite3.IntegrityError,)
try:
    import psycopg

    INTEGRITY_ERRORS += (psycopg.IntegrityError,)
except ImportError:  # the PostgreSQL tests are skipped (tests/pg_server.py)
    pass


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


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
