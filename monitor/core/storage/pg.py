"""PostgreSQL through psycopg 3: a connection adapter with the surface of sqlite3 the store uses, a per-thread
pool over psycopg-pool, and the migrations (pg_schema.py).

The store writes its SQL once, in SQLite's words where both engines agree: `?` placeholders, `BEGIN IMMEDIATE`,
`temp.` tables, `cur.lastrowid`, SQLite's join-order and index hints (`CROSS JOIN ... ON`, `INDEXED BY`),
`INSERT OR IGNORE` / `OR REPLACE`, `group_concat(x, char(9))`. The adapter translates those few (`translate`); what
really differs is the Dialect's (engine.py), and SQLite's `julianday` is a function of the schema (pg_schema.py).
Parameters are bound client-side (psycopg.ClientCursor): the server sees literals, so a NULL in `? IS NOT NULL`
needs no type, as in SQLite.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from monitor.core.errors import StoreError
from monitor.core.storage import pg_schema
from monitor.core.storage.engine import (
    UNSUPPORTED_TABLES,
    NotOnPostgresError,
    check_database_url,
    default_analyst,
    not_on_postgres,
    redacted,
)

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 5
# Connections kept for the store's threads, each holding one while it lives: the window's task threads (four in
# parallel, one for writes, one for urgent reads), the pushed alerts' listener, the standby's lease, and a poll's
# own thread with its grouping and search threads (polling/grouping_stage.py, search_stage.py). At 8, a window's
# poll could wait 10 s for a connection its grouping thread never got.
POOL_SIZE = 12
# Tables whose INSERT reports the new row's id (sqlite3's cursor.lastrowid): RETURNING id is added.
_ID_TABLES = {"feeds", "folders", "articles", "analyst_case_items"}
_INSERT = re.compile(r"^\s*INSERT\s+INTO\s+(\w+)", re.IGNORECASE)
# A quoted literal (kept whole), a placeholder, or a percent sign (psycopg's own placeholder character).
_LITERAL_OR_MARK = re.compile(r"'(?:[^']|'')*'|\?|%|(?<!:):(\w+)")
_TEMP = re.compile(r"\btemp\.")
# SQLite's CROSS JOIN ... ON is a join-order hint (the left table drives); PostgreSQL's CROSS JOIN takes no ON.
_CROSS_JOIN_ON = re.compile(r"\bCROSS JOIN(\s+\w+(?:\s+\w+)?\s+ON)\b", re.IGNORECASE)
# SQLite's INDEXED BY names the index its planner must walk (signal_counts.py, the story index and the story view's
# walks); PostgreSQL's planner chooses.
_INDEXED_BY = re.compile(r"\s+INDEXED BY \w+", re.IGNORECASE)
# SQLite's week start (the Monday on or before a stored UTC ISO date) as PostgreSQL's ISO week truncation.
_SQLITE_WEEK = re.compile(r"\bdate\(([\w.]+), '-6 days', 'weekday 1'\)")
_PG_WEEK = r"to_char(date_trunc('week', substr(\1, 1, 10)::timestamp), 'YYYY-MM-DD')"
# SQLite's group_concat (name_index.py): by a char(N), or by commas.
_GROUP_CONCAT_BY_CHAR = re.compile(r"\bgroup_concat\(([\w.]+), char\((\d+)\)\)")
_GROUP_CONCAT = re.compile(r"\bgroup_concat\(([\w.]+)\)")
# INSERT OR IGNORE: ON CONFLICT DO NOTHING. INSERT OR REPLACE INTO t(key, c...): an upsert on the first column,
# which the store's uses make the table's key (stories(id, ...), story_features(article_id, ...)).
_INSERT_OR = re.compile(r"^(\s*INSERT)\s+OR\s+(IGNORE|REPLACE)(\s+INTO\s+\w+\s*\(([^)]*)\))", re.IGNORECASE)
# An INSERT of one row of placeholders and nothing bound after it: executemany sends its rows as multi-row
# INSERTs, ROWS_PER_INSERT a statement (one round trip and one parse, where psycopg would send one statement per
# row: grouping's look-up keys, some 20 an article, were a third of a poll's grouping time on PostgreSQL).
_ONE_ROW_INSERT = re.compile(
    r"^(\s*INSERT\b[^?]*?\bVALUES\s*)(\(\s*\?(?:\s*,\s*\?)*\s*\))([^?]*)$", re.IGNORECASE | re.DOTALL
)
ROWS_PER_INSERT = 500
_MISSING_TABLE = re.compile(r'relation "(?:\w+\.)?(\w+)" does not exist')
# A SELECT reads the articles through the session analyst's view (pg_team_schema.py): read, starred and judgement
# are that analyst's. Writes (UPDATE, INSERT, DELETE) go to the table.
_READS = re.compile(r"^\s*(SELECT|WITH)\b", re.IGNORECASE)
_FROM_ARTICLES = re.compile(r"\b(FROM|JOIN)\s+articles\b(?!\.)", re.IGNORECASE)
# The cases' tables are each analyst's (pg_team_schema.CASES_SQL): every statement, read or write, names the
# session analyst's view of them (a quoted literal is kept whole).
_CASE_TABLES = re.compile(r"'(?:[^']|'')*'|\b(cases|case_items|case_item_tags)\b", re.IGNORECASE)
ANALYST_SETTING = "vigie.analyst"


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError as exc:  # the optional dependency group is not installed
        raise StoreError(
            "PostgreSQL support is not installed: pip install 'vigie[postgresql]' (psycopg and psycopg-pool)"
        ) from exc
    return psycopg


@functools.lru_cache(maxsize=1024)
def translate(sql: str, with_params: bool) -> str:
    """SQLite's words to PostgreSQL's, for the few the store uses (remembered: a poll sends the same few statements
    for each of its thousands of articles, and the regular expressions were a part of the poll's own CPU)."""
    if sql.lstrip().upper().startswith("BEGIN"):
        return "BEGIN"
    sql = _CROSS_JOIN_ON.sub(r"JOIN\1", _TEMP.sub("pg_temp.", sql))
    if "INDEXED BY" in sql or "weekday 1" in sql:
        sql = _SQLITE_WEEK.sub(_PG_WEEK, _INDEXED_BY.sub("", sql))
    if "group_concat" in sql:
        sql = _GROUP_CONCAT_BY_CHAR.sub(r"string_agg(\1, chr(\2))", sql)
        sql = _GROUP_CONCAT.sub(r"string_agg(CAST(\1 AS text), ',')", sql)
    sql = _insert_or(sql)
    if not with_params:
        return sql

    def mark(m: re.Match[str]) -> str:
        token = m.group(0)
        if m.group(1):  # a named parameter, :name
            return f"%({m.group(1)})s"
        if token.startswith("'"):  # psycopg reads a % even inside a literal (LIKE 'http%')
            return token.replace("%", "%%")
        return "%s" if token == "?" else "%%" if token == "%" else token

    return _LITERAL_OR_MARK.sub(mark, sql)


def _insert_or(sql: str) -> str:
    """SQLite's INSERT OR IGNORE / OR REPLACE as PostgreSQL's ON CONFLICT (appended to the statement)."""
    found = _INSERT_OR.match(sql)
    if found is None:
        return sql
    columns = [c.strip() for c in found.group(4).split(",")]
    sql = f"{found.group(1)}{found.group(3)}{sql[found.end() :]}".rstrip().rstrip(";")
    if found.group(2).upper() == "IGNORE":
        return f"{sql} ON CONFLICT DO NOTHING"
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns[1:])
    return f"{sql} ON CONFLICT ({columns[0]}) " + (f"DO UPDATE SET {updates}" if updates else "DO NOTHING")


_PLACEHOLDER = re.compile(rb"%[s%]")


@functools.lru_cache(maxsize=256)
def _template(text: str, encoding: str) -> tuple[bytes, int]:
    """A translated statement as the bytes `%`-formatting binds literals into, and its number of placeholders."""
    template = text.encode(encoding)
    return template, sum(1 for mark in _PLACEHOLDER.findall(template) if mark == b"%s")


# psycopg's text array dumper (psycopg/types/array.py) quotes an element that is empty, the word NULL, or holds a
# brace, the delimiter, a double quote, a backslash or white space (ASCII, and the Unicode spaces CockroachDB
# strips); in quotes, a double quote and a backslash are escaped with a backslash.
_NEEDS_QUOTES = re.compile(
    r'^$|["{},\\ \t\n\r\f\v\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]|^null$',
    re.IGNORECASE | re.ASCII,
)
_ARRAY_ESCAPE = re.compile(r'(["\\])')
# The same, over a list's elements joined by NUL (which no text holds): a character to quote, an empty element or
# the word NULL.
_QUOTED_CHARACTER = re.compile(r'["{},\\ \t\n\r\f\v\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]')
_EMPTY_OR_NULL = re.compile(r"(?:^|\x00)(?:null)?(?:\x00|\Z)", re.IGNORECASE | re.ASCII)


def _array_literal(values: list[Any], literal: Any, escaping: Any, encoding: str) -> bytes:
    """A flat list of int or str (and None) as the literal psycopg's `as_literal` makes of it, byte for byte, made
    without its dumper's Python loop: the arrays of grouping's unnest statements (some 400,000 look-up keys, days
    and ids in a first poll) took a tenth of the grouping thread's time there. Anything else goes to `literal`."""
    kinds_with_none = {type(value) for value in values}
    kinds = kinds_with_none - {type(None)}
    if kinds == {int}:
        items = [value for value in values if value is not None]
        if len(items) == len(values):
            text = ",".join(map(str, values))
        else:
            text = ",".join(["NULL" if value is None else str(value) for value in values])
        sample = literal([min(items), max(items)])  # psycopg types an array by its extremes (int2 to numeric)
    elif kinds == {str} and encoding == "utf-8":
        quote, escape = _NEEDS_QUOTES.search, _ARRAY_ESCAPE.sub
        joined = "\x00".join(values) if type(None) not in kinds_with_none else ""
        if (
            joined
            and joined.count("\x00") == len(values) - 1
            and not _QUOTED_CHARACTER.search(joined)
            and not ("null" in joined.lower() and _EMPTY_OR_NULL.search(joined))
            and "\x00\x00" not in joined
            and joined[0] != "\x00"
            and joined[-1] != "\x00"
        ):  # no element to quote (grouping's look-up keys): one search over them all
            text = joined.replace("\x00", ",")
        else:
            text = ",".join(
                [
                    "NULL" if value is None else '"' + escape(r"\\\1", value) + '"' if quote(value) else value
                    for value in values
                ]
            )
        if "\x00" in text:  # refused in words by psycopg's own dumper
            return bytes(literal(values))
        sample = literal(["x"])
    else:
        return bytes(literal(values))
    cast = bytes(sample)[bytes(sample).rindex(b"'") + 1 :]
    return bytes(escaping.escape_literal(f"{{{text}}}".encode(encoding))) + cast


class PgRow:
    """A row read by index or by column name, as sqlite3.Row."""

    __slots__ = ("_index", "_values")

    def __init__(self, values: Sequence[Any], index: dict[str, int]) -> None:
        self._values = values
        self._index = index

    def __getitem__(self, key: int | str) -> Any:
        return self._values[self._index[key]] if isinstance(key, str) else self._values[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def keys(self) -> list[str]:
        return list(self._index)

    def __repr__(self) -> str:
        return f"PgRow({dict(zip(self._index, self._values, strict=False))})"


def _row_factory(cursor: Any) -> Any:
    description = cursor.description
    if description is None:
        return tuple
    index: dict[str, int] = {}
    for position, column in enumerate(description):
        index.setdefault(column.name, position)  # the first of two same-named columns, as sqlite3.Row

    def make(values: Sequence[Any]) -> PgRow:
        return PgRow(values, index)

    return make


class PgCursor:
    """What the store reads from a cursor: rows, rowcount and the new row's id."""

    def __init__(self, cursor: Any, lastrowid: int | None = None, rowcount: int | None = None) -> None:
        self._cursor = cursor
        self.lastrowid = lastrowid
        self._rowcount = rowcount  # of several statements (executemany's multi-row INSERTs)

    @property
    def rowcount(self) -> int:
        return int(self._cursor.rowcount) if self._rowcount is None else self._rowcount

    def fetchone(self) -> PgRow | None:
        return self._cursor.fetchone() if self._cursor.description else None

    def fetchall(self) -> list[PgRow]:
        return self._cursor.fetchall() if self._cursor.description else []

    def __iter__(self) -> Iterator[PgRow]:
        return iter(self.fetchall())


@functools.lru_cache(maxsize=1024)
def per_analyst(sql: str) -> str:
    """A SELECT's `FROM articles` / `JOIN articles` as the session analyst's view, and the cases' tables in any
    statement as the session analyst's views of them; anything else as is."""
    if "case" in sql.lower():
        sql = _CASE_TABLES.sub(lambda m: f"analyst_{m.group(1).lower()}" if m.group(1) else m.group(0), sql)
    return _FROM_ARTICLES.sub(r"\1 analyst_articles", sql) if _READS.match(sql) else sql


class PgConnection:
    """One psycopg connection in autocommit mode (transactions are the store's explicit BEGIN ... COMMIT).

    `analyst_view`: SELECTs read the articles through the session analyst's view (the store's connections; a
    migration's connection reads the table)."""

    def __init__(self, raw: Any, *, analyst_view: bool = False) -> None:
        self.raw = raw
        self.analyst_view = analyst_view

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> PgCursor:
        text = translate(per_analyst(sql) if self.analyst_view else sql, params is not None)
        insert = _INSERT.match(text)
        returning = bool(insert and insert.group(1).lower() in _ID_TABLES and "RETURNING" not in text.upper())
        if returning:
            text += " RETURNING id"
        with _errors_in_words():
            if params is None or isinstance(params, Mapping):
                cursor = self.raw.execute(text, params)
            else:
                cursor = self.raw.execute(self._bound(text, params))
            lastrowid = None
            if returning:
                row = cursor.fetchone()
                lastrowid = int(row[0]) if row else None
        return PgCursor(cursor, lastrowid)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any] | Mapping[str, Any]]) -> PgCursor:
        cursor = self.raw.cursor()
        text = per_analyst(sql) if self.analyst_view else sql
        values = [r if isinstance(r, Mapping) else list(r) for r in rows]  # named parameters stay a mapping
        one_row = _ONE_ROW_INSERT.match(text)
        if one_row is not None and "DO UPDATE" not in translate(text, True).upper():
            # (An upsert's rows stay one a statement: two rows of one key in one statement are an error there.)
            return self._many_rows(cursor, one_row, values)
        with _errors_in_words():
            cursor.executemany(translate(text, True), values)
        return PgCursor(cursor)

    def _many_rows(self, cursor: Any, one_row: re.Match[str], values: list[list[Any]]) -> PgCursor:
        """The rows of a one-row INSERT as multi-row INSERTs of ROWS_PER_INSERT rows; the rowcount of them all."""
        head, row, tail = one_row.groups()
        total = 0
        with _errors_in_words():
            for start in range(0, len(values), ROWS_PER_INSERT):
                chunk = values[start : start + ROWS_PER_INSERT]
                text = translate(f"{head}{', '.join([row] * len(chunk))}{tail}", True)
                cursor.execute(self._bound(text, [v for r in chunk for v in r]))
                total += max(0, int(cursor.rowcount))
        return PgCursor(cursor, rowcount=total)

    def _bound(self, text: str, params: Sequence[Any]) -> bytes:
        """`text` (translated: `%s` placeholders, `%%` for a percent sign) with `params` bound as literals, as
        psycopg's ClientCursor binds them (the same Transformer.as_literal), but with the statement's split into
        parts remembered (`_template`): psycopg remembers it only for statements of at most 50 parameters and
        4 KB, and split the multi-row INSERTs of a poll (up to 5,000 parameters) again at every call, in Python:
        44 % of a first poll's busy samples in its process on PostgreSQL (docs/BENCHMARKS.md section 41)."""
        encoding = self.raw.info.encoding
        template, marks = _template(text, encoding)
        if len(params) != marks:
            raise _psycopg().ProgrammingError(
                f"the query has {marks} placeholders but {len(params)} parameters were passed"
            )
        literal = _psycopg().adapt.Transformer(self.raw).as_literal
        if not [at for at, value in enumerate(params) if type(value) is list]:
            return template % tuple(map(literal, params))  # (None is NULL)
        escaping = _psycopg().pq.Escaping(self.raw.pgconn)
        return template % tuple(
            _array_literal(value, literal, escaping, encoding) if type(value) is list else literal(value)
            for value in params
        )

    def close(self) -> None:
        self.raw.close()


class RoleNotAllowedError(StoreError):
    """The login role lacks a privilege, or a row-level security policy refused the row."""


class _errors_in_words:
    """psycopg's errors the analyst can act on, as StoreError; a missing table of a feature PostgreSQL does not
    carry yet, as NotOnPostgresError. Anything else (a bug in our SQL) goes up as it is."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> bool:
        if exc is None:
            return False
        psycopg = _psycopg()
        if isinstance(exc, psycopg.errors.UndefinedTable):
            missing = _MISSING_TABLE.search(str(exc))
            if missing and missing.group(1) in UNSUPPORTED_TABLES:
                raise not_on_postgres(UNSUPPORTED_TABLES[missing.group(1)]) from exc
        if isinstance(exc, psycopg.errors.InsufficientPrivilege):  # a least-privilege role (docs/TEAM.md)
            raise RoleNotAllowedError(
                f"this database role may not do that ({_first_line(exc)}); packaging/postgresql-roles.sql says "
                "which role may"
            ) from exc
        if isinstance(exc, psycopg.OperationalError) and not isinstance(exc, psycopg.errors.QueryCanceled):
            raise StoreError(f"the database server failed: {_first_line(exc)}") from exc
        return False


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def connect(url: str) -> PgConnection:
    """One connection, for a check or a migration. Raises StoreError in one line (server down, login refused)."""
    psycopg = _psycopg()
    check_database_url(url)
    try:
        raw = psycopg.connect(
            url,
            autocommit=True,
            connect_timeout=CONNECT_TIMEOUT_S,
            cursor_factory=psycopg.ClientCursor,
            row_factory=_row_factory,
        )
    except psycopg.Error as exc:
        raise StoreError(f"cannot reach the database {redacted(url)}: {_first_line(exc)}") from exc
    return PgConnection(raw)


def open_database(url: str, *, create_schema: bool = True) -> None:
    """Check the server and bring the schema to the newest version (creating it in an empty database when the
    role may). Raises StoreError in one line."""
    conn = connect(url)
    try:
        pg_schema.migrate(conn, create=create_schema)
    except NotOnPostgresError:
        raise
    except RoleNotAllowedError as exc:
        raise StoreError(
            f"the database {redacted(url)} lacks Vigie's schema (or has an older one) and this role may not "
            f"create it: {_first_line(exc.__cause__ or exc)}"
        ) from exc
    except StoreError:
        raise
    except _psycopg().errors.InsufficientPrivilege as exc:
        raise StoreError(
            f"the database {redacted(url)} lacks Vigie's schema (or has an older one) and this role may not "
            f"create it: {_first_line(exc)}"
        ) from exc
    except _psycopg().Error as exc:
        raise StoreError(f"cannot use the database {redacted(url)}: {_first_line(exc)}") from exc
    finally:
        conn.close()


def set_analyst(raw: Any, analyst: str) -> None:
    """Name the session's analyst (read by vigie_analyst(): the per-analyst view and the audit's who)."""
    raw.execute("SELECT set_config(%s, %s, false)", [ANALYST_SETTING, analyst])


class PgPool:
    """The store's per-thread connections, as db.ConnectionPool, lent by a psycopg-pool pool; each session
    names `analyst` (pg_team_schema.py)."""

    def __init__(self, url: str, analyst: str | None = None) -> None:
        from psycopg_pool import ConnectionPool

        psycopg = _psycopg()
        self.url = check_database_url(url)
        self.analyst = analyst or default_analyst()
        self.backend_pids: set[int] = set()  # this process's sessions (the listener skips their own alerts)
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=POOL_SIZE,
            kwargs={
                "autocommit": True,
                "connect_timeout": CONNECT_TIMEOUT_S,
                "cursor_factory": psycopg.ClientCursor,
                "row_factory": _row_factory,
            },
            configure=self._configure,
            open=True,
            name="vigie",
        )
        self._local = threading.local()
        self._lent: list[Any] = []
        self._lock = threading.Lock()

    def _configure(self, raw: Any) -> None:
        set_analyst(raw, self.analyst)
        self.backend_pids.add(int(raw.info.backend_pid))

    def get(self) -> PgConnection:
        conn = getattr(self._local, "conn", None)
        if conn is not None and (conn.raw.broken or conn.raw.closed):  # the server went away since
            self.close_current()
            conn = None
        if conn is None:
            psycopg_pool = __import__("psycopg_pool")
            try:
                raw = self._pool.getconn(timeout=CONNECT_TIMEOUT_S * 2)
            except psycopg_pool.PoolClosed as exc:
                raise StoreError("the connection to the database is closed") from exc
            except psycopg_pool.PoolTimeout as exc:
                raise StoreError(
                    f"no connection to the database {redacted(self.url)} (server down?)"
                ) from exc
            conn = PgConnection(raw, analyst_view=True)
            self._local.conn = conn
            with self._lock:
                self._lent.append(raw)
        return conn

    def close_current(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            self._local.conn = None
            with self._lock:
                self._lent.remove(conn.raw)
            self._pool.putconn(conn.raw)

    def close_all(self) -> None:
        with self._lock:
            lent, self._lent = self._lent, []
        for raw in lent:
            self._pool.putconn(raw)
        self._pool.close()
        self._local = threading.local()
