"""The `vigie` sub-commands of team mode (issue 19, docs/TEAM.md): `audit`, who changed the shared feeds,
folders and watchlist, and when; and opening the window, on the profile or on a shared database (cli.py wires
them in)."""

from __future__ import annotations

import argparse
import json
import sys

from monitor.cli_database import analyst_name
from monitor.core.service import VigieCore
from monitor.paths import AppPaths

COMMANDS = ("audit",)


def handles(args: argparse.Namespace) -> bool:
    """Whether this module runs the parsed command (cli.py asks before its own commands)."""
    return args.command in COMMANDS


SUBJECTS = {"feeds": "feeds", "folders": "folders", "watchlist": "watchlist_versions"}


def add_parsers(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    audit = commands.add_parser(
        "audit",
        parents=[common],
        help="on a shared database: who changed feeds, folders and the watchlist, and when (newest first)",
    )
    audit.add_argument("--limit", type=int, default=50, metavar="N", help="how many changes (default 50)")
    audit.add_argument("--subject", choices=sorted(SUBJECTS), help="only the changes to these")
    audit.add_argument("--format", choices=["text", "jsonl"], default="text")


def dispatch(core: VigieCore, args: argparse.Namespace) -> int:
    entries = core.store.audit_entries(limit=max(args.limit, 1), subject=SUBJECTS.get(args.subject or ""))
    for entry in entries:
        if args.format == "jsonl":
            record = {
                "at": entry.at.isoformat(),
                "analyst": entry.analyst,
                "role": entry.role,
                "subject": entry.subject,
                "action": entry.action,
                "id": entry.object_id,
                "before": entry.before,
                "after": entry.after,
            }
            print(json.dumps(record, ensure_ascii=False, default=str))
        else:
            when = entry.at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
            subject = "watchlist" if entry.subject == "watchlist_versions" else entry.subject.rstrip("s")
            print(
                f"{when}  {entry.analyst:<12} {entry.action:<6} {subject} {entry.object_id}: {entry.changes()}"
            )
    if not entries and args.format == "text":
        print("no change recorded", file=sys.stderr)
    return 0


def open_window(args: argparse.Namespace) -> int:
    """No sub-command: the window, on the profile's SQLite file or on the shared database."""
    from monitor.app import run_app  # Qt is imported only when a window is wanted

    paths = AppPaths.resolve(args.data_dir)
    if args.database:
        return run_app(paths, minimized=args.minimized, database=args.database, analyst=analyst_name(args))
    return run_app(paths, minimized=args.minimized)
