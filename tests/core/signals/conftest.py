"""The signals' tests that take `database` run once on the profile's SQLite file and once on the session's
throwaway PostgreSQL (tests/pg_server.py): on PostgreSQL, VIGIE_DATABASE names the server, so `vigie ...` and a
VigieCore opened with `database` read and write there."""

from __future__ import annotations

import pytest

from monitor.paths import DATABASE_ENV
from tests.pg_server import empty_database


@pytest.fixture
def database(engine: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str | None:
    """None on SQLite; on PostgreSQL, the URL of the emptied session database (also set as VIGIE_DATABASE)."""
    if engine == "sqlite":
        monkeypatch.delenv(DATABASE_ENV, raising=False)
        return None
    url = empty_database(request.getfixturevalue("postgres_server"))
    monkeypatch.setenv(DATABASE_ENV, url)
    return url
