"""The signals sub-commands of `vigie` (issue 17): `timeline`, `alerts list` and `watchlist emerging`.

Kept apart from cli.py, which holds the parser and the older commands; cli.py adds these parsers and
dispatches here.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import sys

from monitor.core.service import VigieCore
from monitor.core.support.clock import iso

log = logging.getLogger(__name__)

TIMELINE_KEYS = ("entry", "period_start", "count")


def add_parsers(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """`vigie timeline` and `vigie alerts` (`watchlist emerging` goes under the watchlist's parser)."""
    tl = commands.add_parser(
        "timeline", parents=[common], help="how many articles name each entry, per hour, day or week"
    )
    tl.add_argument(
        "entries", nargs="+", metavar="ENTRY", help="watchlist entry names (accents and case aside)"
    )
    tl.add_argument("--by", choices=["hour", "day", "week"], default="day")
    tl.add_argument("--since", metavar="ISO_DATE", help="only articles published from this date")
    tl.add_argument("--format", choices=["text", "csv", "jsonl"], default="text")
    alerts = commands.add_parser("alerts", parents=[common], help="the recent alerts: spikes and items")
    alert_cmds = alerts.add_subparsers(dest="alerts_command", metavar="ACTION", required=True)
    alst = alert_cmds.add_parser(
        "list", parents=[common], help="spikes of the last 30 days, item alerts of 48 h"
    )
    alst.add_argument("--format", choices=["text", "jsonl"], default="text")


def timeline(core: VigieCore, args: argparse.Namespace) -> int:
    rows = core.signals.timeline(args.entries, by=args.by, since=args.since)
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
