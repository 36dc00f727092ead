"""The PostgreSQL adapter binds positional parameters itself (pg.PgConnection._bound, its statement's parts
remembered): the values the server stores are those sent, on both engines, for statements of any number of
parameters, whatever the values hold (quotes, percent signs, backslashes, NULL, lists, floats, big integers)."""

from __future__ import annotations

import pytest

from monitor.core.storage import db, pg
from tests.pg_server import empty_database

# Values that quoting must keep as they are.
AWKWARD = ["it's", "50%", "%s", "%%s", "back\\slash", "", "tab\there", "é ü 😀", "a'; DROP TABLE meta; --"]


def test_many_awkward_values_round_trip_on_both_engines(open_store) -> None:  # type: ignore[no-untyped-def]
    """A multi-row INSERT of hundreds of parameters (beyond psycopg's own cache of 50) and a read of them by an
    IN list: every value comes back as written."""
    store = open_store()
    try:
        rows = [
            (f"key {n} {AWKWARD[n % len(AWKWARD)]}", AWKWARD[n % len(AWKWARD)] * (n % 3)) for n in range(700)
        ]
        with db.transaction(store.conn):
            assert store.conn.executemany("INSERT INTO meta(key, value) VALUES (?, ?)", rows).rowcount == 700
        keys = [key for key, _ in rows]
        marks = ", ".join("?" * len(keys))
        found = store.conn.execute(
            f"SELECT key, value FROM meta WHERE key IN ({marks}) AND key LIKE 'key %'", keys
        ).fetchall()
        assert sorted((r[0], r[1]) for r in found) == sorted(rows)
    finally:
        store.close()


def test_types_and_null_bind_as_psycopg_binds_them(postgres_server: str) -> None:
    """NULL without a type, a list as an array, floats, big integers and a literal's percent sign beside
    parameters: as psycopg's ClientCursor binds them."""
    conn = pg.connect(empty_database(postgres_server))
    try:
        row = conn.execute(
            "SELECT ? IS NULL, ?::bigint + 1, ?::float8, cardinality(CAST(? AS text[])), 'x%' || ?, ?",
            (None, 2**40, 0.1, ["a", "b'c", None], "%s", "100%"),
        ).fetchone()
        assert tuple(row) == (True, 2**40 + 1, 0.1, 3, "x%%s", "100%")
        many = list(range(120))
        total = conn.execute("SELECT " + " + ".join("?" * len(many)), many).fetchone()[0]
        assert total == sum(many)
    finally:
        conn.close()


def test_a_wrong_number_of_parameters_is_refused(postgres_server: str) -> None:
    psycopg = pytest.importorskip("psycopg")
    conn = pg.connect(empty_database(postgres_server))
    try:
        with pytest.raises(psycopg.ProgrammingError, match="2 placeholders but 1 parameters"):
            conn.execute("SELECT ?, ?", (1,))
        with pytest.raises(psycopg.ProgrammingError, match="1 placeholders but 2 parameters"):
            conn.execute("SELECT '50%s', ?", (1, 2))
    finally:
        conn.close()
