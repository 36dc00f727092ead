"""The storage engine a store runs on: SQLite (the embedded default) or PostgreSQL (team mode, issue 19).

The store's SQL is written once. What really differs between the engines is said here, as a Dialect the store's
parts consult (full-text search, index hints, the change stamp of the count cache); the PostgreSQL connection
adapter (pg.py) gives psycopg the small surface the store uses of sqlite3.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from urllib.parse import urlsplit

from monitor.core.errors import StoreError, UserError

POSTGRES_SCHEMES = ("postgresql", "postgres")


@dataclass(frozen=True)
class Dialect:
    """What one engine can do that the other cannot."""

    name: str
    fts5: bool  # full text in FTS5 tables (articles_fts, articles_stems) written by the store itself
    index_hints: bool  # INDEXED BY: the planner's walks over a sort index (queries.py)
    change_stamp: bool  # PRAGMA data_version + total_changes: the count cache knows when to forget
    # The list's unread and starred conditions on `a`. On PostgreSQL the analyst's own marks, as a semi-join on
    # article_states (team mode): the planner can walk the sort index and stop at the page's end, which the
    # analyst view's joined expressions do not let it (docs/BENCHMARKS.md section 17).
    unread: str = "a.read = 0"
    starred: str = "a.starred = 1"

    @property
    def is_sqlite(self) -> bool:
        return self.name == "sqlite"


SQLITE = Dialect("sqlite", fts5=True, index_hints=True, change_stamp=True)
POSTGRESQL = Dialect(
    "postgresql",
    fts5=False,
    index_hints=False,
    change_stamp=False,
    unread="NOT EXISTS (SELECT 1 FROM article_states st WHERE st.analyst = vigie_analyst() "
    "AND st.article_id = a.id AND st.read = 1)",
    starred="a.id IN (SELECT st.article_id FROM article_states st WHERE st.analyst = vigie_analyst() "
    "AND st.starred = 1)",
)


class NotOnPostgresError(UserError):
    """A feature whose tables the PostgreSQL engine does not have yet (team mode, first step)."""


# The tables of the features PostgreSQL does not carry yet, and the feature's name for the analyst.
UNSUPPORTED_TABLES = {
    "articles_stems": "word forms",
    "articles_fts": "the SQLite full-text index",
    "signals": "signals",
}


def not_on_postgres(feature: str) -> NotOnPostgresError:
    return NotOnPostgresError(
        f"{feature} are not available on a PostgreSQL database yet (team mode is in its first step); "
        "use a local profile (no --database) for them"
    )


def is_database_url(value: str | None) -> bool:
    return bool(value) and urlsplit(str(value)).scheme in POSTGRES_SCHEMES


def check_database_url(url: str) -> str:
    """The URL, checked: a postgresql:// URL without a password. Raises StoreError in words.

    Passwords come from libpq's own places (~/.pgpass or PGPASSFILE, a service file, PGPASSWORD), never from a
    command line (other users see it in the process list) or the settings file.
    """
    try:
        parts = urlsplit(url)
        has_password = parts.password is not None
    except ValueError as exc:
        raise StoreError(f"the database URL {url!r} cannot be read: {exc}") from exc
    if parts.scheme not in POSTGRES_SCHEMES:
        raise StoreError(
            f"the database URL must start with postgresql:// (got {url.split(':', 1)[0]!r}); "
            "with no --database, Vigie uses its local SQLite file"
        )
    if has_password or "password=" in (parts.query or "").lower():
        raise StoreError(
            "the database URL must not carry a password (it would show in the process list); put it in "
            "~/.pgpass (or PGPASSFILE), a pg_service.conf service, or PGPASSWORD"
        )
    return url


def redacted(url: str) -> str:
    """The URL as logs and messages show it (it has no password: check_database_url refused those)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}" if parts.netloc or parts.path else url


ANALYST_MAX = 63  # a PostgreSQL role name's length: the row-level security compares the two


def default_analyst() -> str:
    """The OS user's name: who an analyst is on a shared database unless told (--analyst, VIGIE_ANALYST)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        return "analyst"


def check_analyst(name: str) -> str:
    """The analyst's name, checked: not empty, printable, at most 63 characters. Raises StoreError in words."""
    name = name.strip()
    if not name or len(name) > ANALYST_MAX or not name.isprintable():
        raise StoreError(
            f"the analyst's name {name!r} is not usable: give 1 to {ANALYST_MAX} printable characters "
            "(--analyst or VIGIE_ANALYST; by default the OS user name)"
        )
    return name
