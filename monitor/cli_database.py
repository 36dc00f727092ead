"""`--database URL` (team mode, docs/TEAM.md): the option and where its value comes from, kept out of cli.py
(at its size limit)."""

from __future__ import annotations

import argparse
import os

from monitor.paths import DATABASE_ENV

WINDOW_REFUSED = "the window does not open on a PostgreSQL database yet (team mode, first step: docs/TEAM.md)"


def add_database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="a postgresql:// URL: the team's shared store instead of the profile's SQLite file (default: "
        "VIGIE_DATABASE; docs/TEAM.md). No password in it: libpq reads ~/.pgpass, a service file or PGPASSWORD",
    )


def database_url(args: argparse.Namespace) -> str | None:
    """The option's URL, else VIGIE_DATABASE's, else None (the profile's SQLite file)."""
    return getattr(args, "database", None) or os.environ.get(DATABASE_ENV) or None
