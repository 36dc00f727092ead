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


# Characters psycopg's array dumper quotes or escapes, and some it leaves: the fast path must agree on each.
ARRAY_CHARACTERS = [
    '"',
    "\\",
    "{",
    "}",
    ",",
    " ",
    "\t",
    "\n",
    "\r",
    "\f",
    "\v",
    "\x1c",
    "'",
    "%",
    "a",
    "é",
    "😀",
]
ARRAY_CHARACTERS += ["\u1680", "\u2000", "\u2005", "\u200a", "\u200b", "\u2028", "\u2029", "\u202f", "\u205f"]
ARRAY_CHARACTERS += ["\u3000", "\u00a0", "N", "U", "L", "l", "n", "u"]
PLAIN_CHARACTERS = ["N", "U", "L", "l", "n", "u", ":", "é", "'", "%"]


def test_arrays_are_the_literals_psycopg_makes(postgres_server: str) -> None:
    """pg._array_literal makes, byte for byte, what psycopg's as_literal makes of a list of str or int (with
    NULLs): for thousands of random lists of awkward elements and integers of every size; and the server reads
    them back as sent."""
    import random

    psycopg = pytest.importorskip("psycopg")
    conn = pg.connect(empty_database(postgres_server))
    try:
        raw = conn.raw
        literal = psycopg.adapt.Transformer(raw).as_literal
        escaping = psycopg.pq.Escaping(raw.pgconn)
        chance = random.Random(19)
        lists: list[list[object]] = [["", "NULL", "null", "Null", " null", "nulls"], [None, "x"], ["x", None]]
        for _ in range(3_000):
            size = chance.randint(1, 6)
            if chance.random() < 0.5:
                # Half of them of characters that need no quotes (but for an empty element or the word NULL).
                alphabet = ARRAY_CHARACTERS if chance.random() < 0.5 else PLAIN_CHARACTERS
                words = ["".join(chance.choices(alphabet, k=chance.randint(0, 5))) for _ in range(size)]
                lists.append([None if chance.random() < 0.1 else w for w in words])
            else:
                scale = chance.choice([10, 40_000, 2**31 + 5, 2**63 + 9, 2**70])
                lists.append(
                    [None if chance.random() < 0.1 else chance.randint(-scale, scale) for _ in range(size)]
                )
        for values in lists:
            if all(v is None for v in values):
                continue
            assert pg._array_literal(values, literal, escaping, "utf-8") == bytes(literal(values)), values
        strings = lists[:200]
        assert all(
            conn.execute("SELECT CAST(? AS text[])", (values,)).fetchone()[0] == values
            for values in strings
            if any(isinstance(v, str) for v in values)
        )
        assert conn.execute("SELECT CAST(? AS bigint[])", ([1, None, -(2**40)],)).fetchone()[0] == [
            1,
            None,
            -(2**40),
        ]
    finally:
        conn.close()
