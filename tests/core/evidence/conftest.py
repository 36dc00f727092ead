"""The cases' tests run on both engines: a test that takes `database` runs once on the profile's SQLite file and
once on the throwaway PostgreSQL server (tests/pg_server.py), the same test."""

from __future__ import annotations

import pytest

from monitor.paths import DATABASE_ENV
from tests.pg_server import empty_database


@pytest.fixture
def database(engine: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str | None:
    """None on SQLite (the profile's file); on PostgreSQL the session's emptied database, which the CLI (and a
    `python -m monitor` child) takes from VIGIE_DATABASE as `vigie --database URL` would."""
    if engine == "sqlite":
        return None
    url = empty_database(request.getfixturevalue("postgres_server"))
    monkeypatch.setenv(DATABASE_ENV, url)
    return url
