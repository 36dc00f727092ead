"""The `vigie` sub-commands for evidence: backup, restore and cases (cli.py wires them in)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from monitor.core.errors import UserError
from monitor.core.evidence.version_diff import diff_text, pick_version, version_diff, version_line
from monitor.core.service import VigieCore

log = logging.getLogger(__name__)

COMMANDS = ("backup", "restore", "cases")


def handles(args: argparse.Namespace) -> bool:
    """Whether this module runs the parsed command (cli.py asks before its own commands)."""
    return args.command in COMMANDS or (args.command == "articles" and args.articles_command == "versions")


def add_parsers(
    commands: argparse._SubParsersAction,
    common: argparse.ArgumentParser,
    article_cmds: argparse._SubParsersAction,
) -> None:
    versions = article_cmds.add_parser(
        "versions",
        parents=[common],
        help="the stored versions of an article (fetched, SHA-256, title), or a word diff of two",
    )
    versions.add_argument("id", type=int, metavar="ARTICLE_ID", help="as in the export")
    versions.add_argument(
        "--diff",
        nargs=2,
        type=int,
        metavar=("A", "B"),
        help="the words removed and added from version A to version B (numbers as listed)",
    )
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
        "add",
        parents=[common],
        help="pin articles (ids as in the export) or stories to a case, created when new",
    )
    add.add_argument("case", metavar="CASE")
    add.add_argument("ids", type=int, nargs="*", metavar="ARTICLE_ID")
    add.add_argument(
        "--story",
        type=int,
        action="append",
        default=[],
        metavar="STORY_ID",
        help="pin every report of this story (ids as in `vigie stories list`; repeat for more)",
    )
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
    if args.command == "articles":
        return versions_command(core, args.id, args.diff)
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
        return _add(core, args)
    elif action == "note":
        core.update_case(core.case_named(args.case).id, note=args.text)
        print(f"note of {args.case!r} saved")
    else:
        return _export(core, args)
    return 0


def _add(core: VigieCore, args: argparse.Namespace) -> int:
    if not args.ids and not args.story:
        raise UserError("name at least one article id, or a story with --story STORY_ID")
    pins = []
    if args.ids:
        pins.append(("", core.add_to_case(args.case, args.ids, note=args.note, tags=args.tag)))
    for story in args.story:
        pins.append((f"story {story}: ", core.add_story_to_case(args.case, story, args.note, args.tag)))
    for n, (what, pinned) in enumerate(pins):
        made = "created the case" if pinned.created and n == 0 else "case"
        print(
            f"{what}{made} {pinned.case.name!r}: {len(pinned.added)} added, {len(pinned.already)} already in "
            f"it ({pinned.case.items} items)"
        )
    return 0


def versions_command(core: VigieCore, article_id: int, diff: list[int] | None) -> int:
    """`vigie articles versions ID [--diff A B]`: one line per stored version, or the word diff of two."""
    versions = core.article_versions(article_id)
    if not versions and core.store.article(article_id) is None:
        raise UserError(f"no article with id {article_id} (ids as in `vigie articles export`)")
    if diff is None:
        for version in versions:
            print(version_line(version))
        revised = len(versions) - 1
        print(f"{len(versions)} stored versions (revised {revised} times)", file=sys.stderr)
        return 0
    old, new = (pick_version(versions, number) for number in diff)
    sys.stdout.write(diff_text(version_diff(old, new)))
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
