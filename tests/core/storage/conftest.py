"""The store's tests run on both engines: a test that takes `open_store` (tests/pg_server.py) runs once on SQLite
and once on the session's throwaway PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from monitor.core.storage.store import Store

OpenStore = Callable[[], Store]
# A constraint the database refuses, on either engine.
INTEGRITY_ERRORS: tuple[type[Exception], ...] = (sqlite3.IntegrityError,)
try:
    import psycopg

    INTEGRITY_ERRORS += (psycopg.IntegrityError,)
except ImportError:  # the PostgreSQL tests are skipped (tests/pg_server.py)
    pass
