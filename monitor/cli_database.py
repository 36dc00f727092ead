"""`--database URL` (team mode, docs/TEAM.md): the option and where its value comes from, kept out of cli.py
(at its size limit)."""

from __future__ import annotations

import argparse
import os

from monitor.paths import DATABASE_ENV

ANALYST_ENV = "VIGIE_ANALYST"


def add_database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="a postgresql:// URL: the team's shared store instead of the profile's SQLite file (default: "
        "VIGIE_DATABASE; docs/TEAM.md). No password in it: libpq reads ~/.pgpass, a service file or PGPASSWORD",
    )
    add_analyst_option(parser)


def add_analyst_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--analyst",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help="on a shared database, whose read, starred and judgements these are, and who changes feeds and the "
        "watchlist (default: VIGIE_ANALYST, else the OS user name; with the least-privilege roles, the login "
        "role's name)",
    )


def analyst_name(args: argparse.Namespace) -> str | None:
    """The option's name, else VIGIE_ANALYST's, else None (the store takes the OS user name)."""
    return getattr(args, "analyst", None) or os.environ.get(ANALYST_ENV) or None


def database_url(args: argparse.Namespace) -> str | None:
    """The option's URL, else VIGIE_DATABASE's, else None (the profile's SQLite file)."""
    return getattr(args, "database", None) or os.environ.get(DATABASE_ENV) or None
