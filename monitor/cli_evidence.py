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
    cases = commands.add_parser("cases", parents=[common], help="cases of pinned articles, and their reports")
    case_cmds = cases.add_subparsers(dest="cases_command", metavar="ACTION", required=True)
    case_cmds.add_parser("list", parents=[common], help="every case with its items and note")
    show = case_cmds.add_parser("show", parents=[common], help="a case's items in time order")
    show.add_argument("case", metavar="CASE")
    add = case_cmds.add_parser(
        "add", parents=[common], help="pin articles (ids as in the export) to a case, created when new"
    )
    add.add_argument("case", metavar="CASE")
    add.add_argument("ids", type=int, nargs="+", metavar="ARTICLE_ID")
    add.add_argument("--note", default="", metavar="TEXT", help="the analyst's note on these items")
    add.add_argument("--tag", action="append", default=[], metavar="TAG", help="a tag (repeat for more)")
    note = case_cmds.add_parser("note", parents=[common], help="set the case's own note")
    note.add_argument("case", metavar="CASE")
    note.add_argument("text", metavar="TEXT")
    export = case_cmds.add_parser("export", parents=[common], help="the case as a PDF, ODT or HTML report")
    export.add_argument("case", metavar="CASE")
    export.add_argument("--format", choices=["pdf", "odt", "html"], default="pdf")
    export.add_argument("--output", "-o", type=Path, required=True, metavar="FILE")


def dispatch(core: VigieCore, args: argparse.Namespace) -> int:
    if args.command == "backup":
        return _backup(core, args.file)
    if args.command == "restore":
        return _restore(core, args.file)
    if args.command == "cases":
        return _cases(core, args)
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


def _cases(core: VigieCore, args: argparse.Namespace) -> int:
    action = args.cases_command
    if action == "list":
        for case in core.cases():
            note = f"  {' '.join(case.note.split())[:80]}" if case.note.strip() else ""
            print(f"{case.name}\t{case.items} items\tupdated {case.updated}{note}")
    elif action == "show":
        found = core.case_file(core.case_named(args.case).id)
        for item in found.items:
            article = item.article
            title = article.title if article else f"story {item.story_id}"
            when = (article.published or article.fetched)[:16] if article else item.added[:16]
            tags = f" [{', '.join(item.tags)}]" if item.tags else ""
            note = f"  — {item.note}" if item.note else ""
            print(f"[{item.article_id}] {when}  {item.outlet}: {title}{tags}{note}")
    elif action == "add":
        pinned = core.add_to_case(args.case, args.ids, note=args.note, tags=args.tag)
        made = "created the case" if pinned.created else "case"
        print(
            f"{made} {pinned.case.name!r}: {len(pinned.added)} added, {len(pinned.already)} already in it "
            f"({pinned.case.items} items)"
        )
    elif action == "note":
        core.update_case(core.case_named(args.case).id, note=args.text)
        print(f"note of {args.case!r} saved")
    else:
        return _export(core, args)
    return 0


def _export(core: VigieCore, args: argparse.Namespace) -> int:
    case = core.case_named(args.case)
    html = core.case_report_html(case.id)
    if args.format != "html":
        log.info("rendering the %s report with Qt", args.format)
    from monitor.reports.render import render_report  # Qt, only for the report that needs it

    render_report(html, args.format, args.output, f"Case report: {case.name}")
    print(f"wrote the {args.format.upper()} report of {case.name!r} ({case.items} items) to {args.output}")
    return 0
