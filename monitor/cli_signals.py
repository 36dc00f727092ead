"""The signals sub-commands of `vigie` (issue 17): `timeline`, `cooccurrence`, `alerts list` and `watchlist
emerging`.

Kept apart from cli.py, which holds the parser and the older commands; cli.py adds these parsers and
dispatches here.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import sys

from monitor.core.errors import UserError
from monitor.core.matching.folding import fold_key
from monitor.core.service import VigieCore
from monitor.core.signals.timeline import close_names_hint
from monitor.core.support.clock import iso

log = logging.getLogger(__name__)

TIMELINE_KEYS = ("entry", "period_start", "count")
COOCCURRENCE_KEYS = ("entry_a", "entry_b", "articles")


WATCHLIST_ACTIONS = ("emerging", "add-emerging", "dismiss")


def add_parsers(
    commands: argparse._SubParsersAction,
    common: argparse.ArgumentParser,
    watchlist_cmds: argparse._SubParsersAction,
) -> None:
    """`vigie timeline`, `vigie alerts list`, and `vigie watchlist emerging|add-emerging|dismiss`."""
    em = watchlist_cmds.add_parser(
        "emerging", parents=[common], help="names rising in highlighted items, not on the watchlist"
    )
    em.add_argument(
        "--since", metavar="ISO_DATE", help="highlighted articles from this date (default: 4 weeks)"
    )
    em.add_argument("--format", choices=["text", "jsonl"], default="text")
    em.add_argument("--limit", type=int, default=30)
    add = watchlist_cmds.add_parser(
        "add-emerging", parents=[common], help="add an emerging name as proposed (then re-score)"
    )
    add.add_argument("name")
    add.add_argument("--since", metavar="ISO_DATE")
    dis = watchlist_cmds.add_parser(
        "dismiss", parents=[common], help="never propose this emerging name again"
    )
    dis.add_argument("name")
    tl = commands.add_parser(
        "timeline", parents=[common], help="how many articles name each entry, per hour, day or week"
    )
    tl.add_argument(
        "entries", nargs="+", metavar="ENTRY", help="watchlist entry names (accents and case aside)"
    )
    tl.add_argument("--by", choices=["hour", "day", "week"], default="day")
    tl.add_argument("--since", metavar="ISO_DATE", help="only articles published from this date")
    tl.add_argument(
        "--count",
        choices=["articles", "stories"],
        default="articles",
        help="count the articles naming each entry, or the stories they belong to",
    )
    tl.add_argument("--format", choices=["text", "csv", "jsonl"], default="text")
    co = commands.add_parser(
        "cooccurrence", parents=[common], help="which watched entries appear together, and how often"
    )
    co.add_argument("--since", metavar="ISO_DATE", help="only articles published from this date")
    co.add_argument("--format", choices=["text", "csv"], default="text")
    alerts = commands.add_parser("alerts", parents=[common], help="the recent alerts: spikes and items")
    alert_cmds = alerts.add_subparsers(dest="alerts_command", metavar="ACTION", required=True)
    alst = alert_cmds.add_parser(
        "list", parents=[common], help="spikes of the last 30 days, item alerts of 48 h"
    )
    alst.add_argument("--format", choices=["text", "jsonl"], default="text")


def timeline(core: VigieCore, args: argparse.Namespace) -> int:
    rows = core.signals.timeline(args.entries, by=args.by, since=args.since, unit=args.count)
    if args.format == "jsonl":
        for row in rows:
            print(json.dumps(row.to_dict(), ensure_ascii=False))
    elif args.format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(TIMELINE_KEYS)
        writer.writerows((row.entry, row.start, row.count) for row in rows)
    else:
        for row in rows:
            print(f"{row.entry}\t{row.start}\t{row.count}")
        if not rows:
            print("no article names these entries in that period", file=sys.stderr)
    return 0


def cooccurrence(core: VigieCore, args: argparse.Namespace) -> int:
    """`vigie cooccurrence`: each pair named together (most frequent first), then each entry's mentions. In CSV,
    a mention is the row (entry, entry, articles naming it), the diagonal of the matrix."""
    found = core.signals.cooccurrence(since=args.since)
    if args.format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(COOCCURRENCE_KEYS)
        writer.writerows((p.a, p.b, p.articles) for p in found.pairs)
        writer.writerows((entry, entry, count) for entry, count in found.mentions)
        return 0
    for pair in found.pairs:
        print(f"{pair.a}\t{pair.b}\t{pair.articles}")
    if found.mentions:
        print("\nmentions:")
        for entry, count in found.mentions:
            print(f"{entry}\t{count}")
    if not found.mentions:
        print("no article names a watched entry in that period", file=sys.stderr)
    elif not found.pairs:
        print("no article names two watched entries in that period", file=sys.stderr)
    return 0


def alerts(core: VigieCore, args: argparse.Namespace) -> int:
    """`vigie alerts list`: each logged spike, then each remembered item alert (oldest first)."""
    spikes = core.signals.spike_log()
    items = core.alerts.recent_alerts()
    if args.format == "jsonl":
        for record in spikes:
            print(json.dumps({"type": "spike", **record.__dict__}, ensure_ascii=False))
        for at, article_id, shown in items:
            row = {"type": "item", "at": iso(at), "article_id": article_id, "shown": shown}
            print(json.dumps(row, ensure_ascii=False))
        return 0
    for record in spikes:
        print(record.line())
    for at, article_id, shown in items:
        article = core.store.article(article_id)
        title = article.title if article else "(no longer stored)"
        print(f"{iso(at)}  item   [{article_id}] {title}; {'notified' if shown else 'held back'}")
    if not spikes and not items:
        print("no alerts in the last 30 days", file=sys.stderr)
    return 0


def watchlist(core: VigieCore, args: argparse.Namespace) -> int:
    """`vigie watchlist emerging`, `add-emerging NAME` and `dismiss NAME`."""
    action = args.watchlist_command
    if not getattr(args, "name", "x").strip():
        raise UserError("give the name (`vigie watchlist emerging` lists them)")
    if action == "dismiss":
        core.signals.dismiss_emerging(args.name.strip())
        print(f"{args.name.strip()!r} will not be proposed again")
        return 0
    if action == "emerging" and args.limit < 1:
        raise UserError(f"--limit must be 1 or more, not {args.limit}")
    names = core.signals.emerging(args.since)
    if action == "add-emerging":
        by_key = {fold_key(n.name): n for n in names}
        found = by_key.get(fold_key(args.name))
        if found is None:
            hint = close_names_hint(fold_key(args.name), {k: n.name for k, n in by_key.items()})
            raise UserError(f"{args.name!r} is not an emerging name now{hint}")
        count = core.add_entry(found.to_entry())
        print(f"added {found.name} [{found.kind}]; {count} articles re-scored")
        return 0
    for rank, name in enumerate(names[: args.limit], 1):
        if args.format == "jsonl":
            print(json.dumps({"rank": rank, **name.to_dict()}, ensure_ascii=False))
            continue
        company = ", ".join(f"{e} ({n})" for e, n in name.with_entries[:3]) or "no watched entry"
        trend = f"{name.this_week} this week vs {name.weekly_before:.1f}/week before"
        print(
            f"{rank:3d}. {name.name} [{name.kind}] score {name.score:.1f}: {name.articles} articles, {trend}; "
            f"with {company}"
        )
        aliases = ", ".join((*name.aliases, *name.case_sensitive_aliases))
        context = f"; only with: {', '.join(name.context)}" if name.context else ""
        print(f"     aliases: {aliases}{context}; articles {' '.join(map(str, name.article_ids))}")
    if not names:
        print("no emerging names in the highlighted articles of that period", file=sys.stderr)
    return 0
