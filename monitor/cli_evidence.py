"""The `vigie` sub-commands for evidence: backup, restore and cases (cli.py wires them in)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from monitor.core.service import VigieCore

log = logging.getLogger(__name__)

COMMANDS = ("backup", "restore", "cases")


def add_parsers(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    backup = commands.add_parser(
        "backup", parents=[common], help="copy the profile to FILE (safe while the window polls)"
    )
    backup.add_argument("file", type=Path, metavar="FILE")
    restore = commands.add_parser(
        "restore",
        parents=[common],
        help="replace the profile with a backup (the current one is kept in backups/)",
    )
    restore.add_argument("file", type=Path, metavar="FILE")


def dispatch(core: VigieCore, args: argparse.Namespace) -> int:
    if args.command == "backup":
        return _backup(core, args.file)
    if args.command == "restore":
        return _restore(core, args.file)
    raise AssertionError(f"not an evidence command: {args.command}")


def _backup(core: VigieCore, target: Path) -> int:
    info = core.backup(target)
    print(f"backed up {info.articles} articles and {info.feeds} feeds to {info.path} (schema {info.schema})")
    return 0


def _restore(core: VigieCore, candidate: Path) -> int:
    result = core.restore(candidate)
    info = result.info
    made = f" made {info.created}" if info.created else ""
    print(
        f"restored {info.articles} articles and {info.feeds} feeds from {info.path}{made} "
        f"(schema {info.schema}); the previous profile is kept in {result.previous}"
    )
    if result.rescored:
        print(f"re-scored {result.rescored} articles with the restored watchlist")
    for warning in result.warnings:
        print(f"vigie: warning: {warning}", file=sys.stderr)
    return 0
