"""`vigie migrate --to URL`: copy the local profile into the team's PostgreSQL store (issue 19; the copy itself is
monitor/core/storage/profile_copy.py). It prints what it copied and what was already there, checks that the
server holds every feed and article of the profile, and copies nothing twice when run again."""

from __future__ import annotations

import argparse
import sqlite3
import sys

from monitor.cli_database import analyst_name
from monitor.cli_output import ProgressBar
from monitor.core.errors import UserError, describe_error, is_expected
from monitor.core.storage.engine import check_database_url, redacted
from monitor.core.storage.profile_copy import BATCH, copy_profile
from monitor.core.storage.store import Store
from monitor.paths import AppPaths


def add_parsers(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    migrate = commands.add_parser(
        "migrate",
        parents=[common],
        help="copy the local profile (feeds, folders, articles and their states) into a PostgreSQL store",
        description="Copy the profile's feeds with their folders, and its articles with their scores, matches, "
        "versions, stories, read, starred and judgement, into the PostgreSQL database at URL; check and print "
        "the counts. Running it again copies only what is missing. The watchlist and settings stay files of "
        "the profile.",
    )
    migrate.add_argument(
        "--to",
        metavar="URL",
        help="the postgresql:// URL to copy into (default: --database or VIGIE_DATABASE); no password in it",
    )
    migrate.add_argument(
        "--batch", type=int, default=BATCH, metavar="N", help=f"articles a transaction ({BATCH})"
    )
    migrate.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    url = args.to or args.database
    if not url:
        return _fail("name the PostgreSQL database to copy into: vigie migrate --to postgresql://...")
    if args.batch < 1:
        return _fail(f"--batch must be 1 or more, not {args.batch}")
    try:
        check_database_url(url)
    except UserError as exc:
        return _fail(describe_error(exc))
    paths = AppPaths.resolve(args.data_dir)
    if not paths.database.exists():
        return _fail(
            f"no profile to copy: {paths.database} does not exist (--data-dir names another profile)"
        )
    source = target = None
    try:
        source = Store.open(paths.database, paths.backups)
        target = Store.open(paths.database, paths.backups, database=url, analyst=analyst_name(args))
        bar = ProgressBar(sys.stderr, 1)

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.show(done)

        def say(text: str) -> None:
            bar.clear()
            print(text, file=sys.stderr)

        print(f"copying {paths.database} into {redacted(url)}", file=sys.stderr)
        report = copy_profile(source, target, batch=args.batch, on_progress=progress, say=say)
        bar.clear()
    except (UserError, OSError, sqlite3.Error) as exc:
        return _fail(describe_error(exc))
    except Exception as exc:
        if not is_expected(exc):
            raise
        return _fail(describe_error(exc))
    finally:
        for store in (source, target):
            if store is not None:
                store.close()
    for line in report.lines():
        print(line)
    print(
        f"the watchlist stays in {paths.watchlist}: give the service a copy (packaging/SERVICE.md)",
        file=sys.stderr,
    )
    if not report.ok:
        return _fail("the copy is incomplete: " + "; ".join(report.missing or ["the counts do not add up"]))
    print("check: every folder, feed and article of the profile is on the server")
    return 0


def _fail(message: str) -> int:
    print(f"vigie: error: {message}", file=sys.stderr)
    return 2
