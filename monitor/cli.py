"""The `vigie` command: no sub-command opens the window; sub-commands work headless on the same core."""

from __future__ import annotations

import argparse
import csv
import json
import logging
import sqlite3
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from monitor import __version__, cli_evidence, cli_migrate, cli_serve, cli_signals, cli_team
from monitor.cli_database import add_database_option, analyst_name, database_url
from monitor.cli_output import ProgressBar
from monitor.core import export
from monitor.core.errors import UserError, describe_error, is_expected
from monitor.core.matching.watchlist import dump_watchlist, load_watchlist
from monitor.core.models import ArticleQuery, Feed
from monitor.core.polling.discovery import discover_feed
from monitor.core.polling.due import due_time
from monitor.core.polling.health import Health, feed_health
from monitor.core.polling.poller import FeedReport
from monitor.core.service import VigieCore, format_folder_path, parse_folder_path
from monitor.core.support.clock import iso, utc_now
from monitor.core.support.collector import tune_collector
from monitor.core.support.files import atomic_write
from monitor.paths import AppPaths

log = logging.getLogger(__name__)


_PATH_HELP = 'titles from the top joined by "/", as "News/France" (a "/" inside a title is written "\\/")'


def build_parser() -> argparse.ArgumentParser:
    # The options are accepted before and after the sub-command; SUPPRESS keeps a sub-parser from
    # overwriting a value given before it with its own default.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="the profile folder (default: VIGIE_DATA_DIR or the platform's user data folder)",
    )
    add_database_option(common)
    common.add_argument(
        "-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="log what happens on stderr"
    )

    parser = argparse.ArgumentParser(
        prog="vigie",
        parents=[common],
        description="Vigie: a private desktop media monitor. Without a command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"vigie {__version__}")
    parser.add_argument("--minimized", action="store_true", help="start hidden in the system tray, if any")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    feeds = commands.add_parser("feeds", parents=[common], help="add, import, export or list feeds")
    feed_cmds = feeds.add_subparsers(dest="feeds_command", metavar="ACTION", required=True)
    health = feed_cmds.add_parser(
        "health", parents=[common], help="each feed's health, items a day, highlighted"
    )
    health.add_argument("--format", choices=["text", "csv", "jsonl"], default="text")
    add = feed_cmds.add_parser("add", parents=[common], help="subscribe to a feed (or a page that links one)")
    add.add_argument("url")
    add.add_argument("--title", default="")
    add.add_argument("--interval", type=int, metavar="MINUTES")
    add.add_argument("--folder", default="", metavar="PATH", help=f"the folder to put it in, {_PATH_HELP}")
    add.add_argument("--no-check", action="store_true", help="subscribe without fetching the URL first")
    imp = feed_cmds.add_parser(
        "import", parents=[common], help="subscribe to the feeds of an OPML file, in its folders"
    )
    imp.add_argument("file", type=Path)
    exp = feed_cmds.add_parser(
        "export", parents=[common], help="write the feeds and folders as OPML (stdout by default)"
    )
    exp.add_argument("file", type=Path, nargs="?")
    lst = feed_cmds.add_parser("list", parents=[common], help="the feeds with their folder and health")
    lst.add_argument("--folder", metavar="PATH", help="only the feeds of this folder and its sub-folders")
    move = feed_cmds.add_parser("move", parents=[common], help="put a feed in another folder")
    move.add_argument("feed", metavar="ID_OR_URL")
    move.add_argument(
        "--folder", required=True, metavar="PATH", help=f'the folder, {_PATH_HELP}; "" is the top level'
    )
    feed_cmds.add_parser("folders", parents=[common], help="the folders, with how many feeds each holds")
    full = feed_cmds.add_parser(
        "full-text", parents=[common], help="fetch each new item's page and keep its text"
    )
    full.add_argument("feed", metavar="ID_OR_URL")
    full.add_argument("state", choices=["on", "off"])
    _add_follow_parser(feed_cmds, common)

    poll = commands.add_parser("poll", parents=[common], help="poll every feed once (or one), headless")
    poll.add_argument("--feed", metavar="ID_OR_URL")

    articles = commands.add_parser("articles", parents=[common], help="export, judge or compare articles")
    art_cmds = articles.add_subparsers(dest="articles_command", metavar="ACTION", required=True)
    aexp = art_cmds.add_parser(
        "export", parents=[common], help="seeds and collected articles as JSONL or CSV"
    )
    aexp.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    aexp.add_argument("--highlighted-only", action="store_true")
    aexp.add_argument("--since", metavar="ISO_DATE")
    aexp.add_argument("--output", "-o", type=Path, metavar="FILE")
    judge = art_cmds.add_parser(
        "judge", parents=[common], help="judge an article (id as in the export); it overrides the highlight"
    )
    judge.add_argument("id", type=int, metavar="ID")
    judge.add_argument("judgement", choices=["relevant", "not-relevant", "none"])

    stories = commands.add_parser(
        "stories", parents=[common], help="stories: the reports of one event together"
    )
    story_cmds = stories.add_subparsers(dest="stories_command", metavar="ACTION", required=True)
    slist = story_cmds.add_parser("list", parents=[common], help="one line (or JSON object) per story")
    slist.add_argument("--since", metavar="ISO_DATE", help="stories with a report since this date (UTC)")
    slist.add_argument("--highlighted-only", action="store_true")
    slist.add_argument("--format", choices=["text", "jsonl"], default="text")

    search = commands.add_parser(
        "search", parents=[common], help="full-text search: French and English word forms, accents ignored"
    )
    search.add_argument("query", nargs="+")
    search.add_argument("--limit", type=int, default=50)

    wl = commands.add_parser("watchlist", parents=[common], help="list, import, export or suggest entries")
    wl_cmds = wl.add_subparsers(dest="watchlist_command", metavar="ACTION", required=True)
    wl_cmds.add_parser("list", parents=[common], help="the entries of the watchlist")
    wimp = wl_cmds.add_parser("import", parents=[common], help="replace the watchlist and re-score articles")
    wimp.add_argument("file", type=Path)
    wexp = wl_cmds.add_parser("export", parents=[common], help="write the watchlist TOML (stdout by default)")
    wexp.add_argument("file", type=Path, nargs="?")
    sug = wl_cmds.add_parser("suggest", parents=[common], help="propose entries from a corpus")
    sug.add_argument("--from", dest="corpus", choices=["seeds", "articles"], default="seeds")
    sug.add_argument("--limit", type=int, default=40)
    sug.add_argument("--all", action="store_true", help="also list names the watchlist already has")
    prop = wl_cmds.add_parser(
        "propose", parents=[common], help="the change that agrees with your judgements, and its effect"
    )
    prop.add_argument(
        "--apply", action="store_true", help="apply it, then list the judged articles that disagree"
    )
    prop.add_argument("--limit", type=int, default=50, metavar="N", help="articles shown per list (0: all)")
    cli_evidence.add_parsers(commands, common, art_cmds)
    cli_team.add_parsers(commands, common)
    cli_signals.add_parsers(commands, common, wl_cmds)
    cli_serve.add_parsers(commands, common)
    cli_migrate.add_parsers(commands, common)
    return parser


def _add_follow_parser(feed_cmds: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    follow = feed_cmds.add_parser(
        "follow", parents=[common], help="subscribe to news searches (Google News) for words or an entry"
    )
    follow.add_argument("words", nargs="*", metavar="WORDS", help="words (commas separate alternatives)")
    follow.add_argument(
        "--entry", action="store_true", help="WORDS name a watchlist entry: search its aliases"
    )
    follow.add_argument("--lang", default="fr,en", metavar="fr,en", help="the editions, comma-separated")


def main(argv: Sequence[str] | None = None) -> int:
    tune_collector()
    args = build_parser().parse_args(argv)
    args.data_dir = getattr(args, "data_dir", None)
    args.verbose = getattr(args, "verbose", False)
    args.database = database_url(args)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.command is None:
        return cli_team.open_window(args)
    if hasattr(args, "run"):  # serve and migrate open the profile (and the server) themselves
        return int(args.run(args))
    try:
        paths = AppPaths.resolve(args.data_dir)
        team = {"database": args.database, "analyst": analyst_name(args)} if args.database else {}
        core = VigieCore(paths, **team)
    except (UserError, OSError, sqlite3.Error) as exc:
        where = "" if args.database else "cannot open the Vigie data folder: "  # a server's message names it
        return _fail(where + describe_error(exc))
    try:
        if core.watchlist_error:
            print(f"vigie: warning: {core.watchlist_error}; using the default list", file=sys.stderr)
        return _dispatch(core, args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if not is_expected(exc):
            raise  # a bug: the traceback is what a report needs
        return _fail(describe_error(exc))
    finally:
        core.close()


def _fail(message: str) -> int:
    print(f"vigie: error: {message}", file=sys.stderr)
    return 2


def _dispatch(core: VigieCore, args: argparse.Namespace) -> int:
    if args.command == "feeds" and args.feeds_command == "health":
        return _feeds_health(core, args.format)
    for extra in (cli_evidence, cli_team):
        if extra.handles(args):
            return extra.dispatch(core, args)
    handler = {
        "feeds": _feeds,
        "poll": _poll,
        "articles": _articles,
        "search": _search,
        "stories": _stories,
        "watchlist": _watchlist,
        "timeline": cli_signals.timeline,
        "cooccurrence": cli_signals.cooccurrence,
        "alerts": cli_signals.alerts,
    }[args.command]
    return handler(core, args)


def _feeds(core: VigieCore, args: argparse.Namespace) -> int:
    action = args.feeds_command
    if action == "follow":
        return _follow(core, args)
    if action == "add":
        folder = parse_folder_path(args.folder)
        url, title = args.url, args.title
        if not args.no_check:
            with core.fetcher() as fetcher:
                found = discover_feed(url, fetcher)
            url, title = found.url, title or found.title
            if found.via_page:
                print(f"found the feed {url} on that page")
        feed, created = core.add_feed(url, title, args.interval, folder=folder)
        where = f" in {format_folder_path(feed.folder)}" if feed.folder else ""
        print(f"{'added' if created else 'already subscribed'}: [{feed.id}] {feed.title or feed.url}{where}")
    elif action == "import":
        report = core.import_opml_report(args.file)
        print(report.summary())
        for line in report.details():
            print(line, file=sys.stderr)
    elif action == "export":
        _write_bytes(core.export_opml(), args.file)
    elif action == "move":
        feed = core.move_feed(core.feed_by_id_or_url(args.feed).id, parse_folder_path(args.folder))
        print(
            f"moved [{feed.id}] {feed.title or feed.url} to {format_folder_path(feed.folder) or 'the top level'}"
        )
    elif action == "full-text":
        feed = core.feed_by_id_or_url(args.feed)
        core.set_full_text([feed.id], args.state == "on")
        print(f"full text {args.state}: [{feed.id}] {feed.title or feed.url}")
    elif action == "folders":
        feeds = core.store.list_feeds()
        for path in core.folders():
            count = sum(1 for f in feeds if f.folder[: len(path)] == path)
            print(f"{format_folder_path(path)} ({count} feed{'s' if count != 1 else ''})")
    else:
        _list_feeds(core, args.folder)
    return 0


def _list_feeds(core: VigieCore, folder: str | None) -> None:
    """One line a feed, grouped by folder: "[3] Le Monde <URL> every 15 min; in News/France; ok; next poll ..."."""
    path = parse_folder_path(folder or "")
    if path and path not in core.folders():
        raise UserError(f"no folder {format_folder_path(path)!r}; `vigie feeds folders` shows them")
    feeds = core.feeds_in_folder(path)
    for feed in sorted(feeds, key=lambda f: tuple(t.casefold() for t in f.folder)):  # stable: by title within
        where = f"; in {format_folder_path(feed.folder)}" if feed.folder else ""
        muted = ("; muted" if feed.muted else "") + ("; full text" if feed.full_text else "")
        print(
            f"[{feed.id}] {feed.title or '(untitled)'} <{feed.url}> every {feed.interval_minutes} min{where}"
            f"{muted}; {_health_words(feed)}; next poll {iso(due_time(feed) or utc_now()) if feed.enabled else '-'}"
        )


def _health_words(feed: Feed) -> str:
    """The health column of `vigie feeds list`, from the one rule (its words kept as scripts know them)."""
    health = feed_health(feed)
    if health.state is Health.DISABLED:
        return f"disabled: {feed.disabled_reason or 'by the user'}"
    if health.state is Health.NEVER:
        return "never polled"
    return f"error: {feed.last_error}" if feed.last_error else "ok"


def _follow(core: VigieCore, args: argparse.Namespace) -> int:
    """`vigie feeds follow`: one line per search feed, added or already followed (then polled as any feed)."""
    languages = [lang.strip() for lang in args.lang.split(",") if lang.strip()]
    followed = core.follow_in_news_search(" ".join(args.words), entry=args.entry, languages=languages)
    for feed in followed.feeds:
        state = "added" if feed in followed.added else "already following"
        print(f"{state}: [{feed.id}] {feed.title} <{feed.url}>")
    if followed.dropped:
        print(f"note: left out to fit the search's limit: {', '.join(followed.dropped)}", file=sys.stderr)
    return 0


def _feeds_health(core: VigieCore, fmt: str) -> int:
    """`vigie feeds health`: one line, CSV row or JSON object per feed (keys in README.md)."""
    from monitor.core.polling.health import REPORT_KEYS

    rows = core.feed_health_report()
    if fmt == "jsonl":
        for row in rows:
            print(json.dumps(row.to_dict(), ensure_ascii=False))
    elif fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=REPORT_KEYS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            values = row.to_dict()  # booleans as 0 and 1, as in the articles' CSV
            values.update(
                enabled=int(row.feed.enabled), muted=int(row.feed.muted), full_text=int(row.feed.full_text)
            )
            writer.writerow({**values, "items_per_day": " ".join(map(str, row.activity.per_day))})
    else:
        for row in rows:
            feed, share = row.feed, row.highlighted_share
            print(
                f"[{feed.id}] {feed.title or '(untitled)'} <{feed.url}> in "
                f"{row.to_dict()['folder'] or '(top level)'}: {row.health.words}; "
                f"last success {feed.last_success or 'never'}; "
                f"next poll {iso(row.next_poll) if row.next_poll else '-'}; "
                f"{row.activity.recent} items in 14 days ({' '.join(map(str, row.activity.per_day))}); "
                f"highlighted {'-' if share is None else f'{share:.0%}'} of {row.activity.items}; "
                f"last item {row.activity.last_item or '-'}"
            )
    return 0


def _poll(core: VigieCore, args: argparse.Namespace) -> int:
    feeds = [core.feed_by_id_or_url(args.feed)] if args.feed else None
    total = len(feeds) if feeds else sum(f.enabled for f in core.store.list_feeds())
    if total == 0:
        print("no feeds to poll: add one with `vigie feeds add URL` or `vigie feeds import FILE.opml`")
        return 0
    bar = ProgressBar(sys.stderr, total)

    def progress(done: int, _total: int, report: FeedReport) -> None:
        bar.clear()
        print(report.line(), flush=True)
        bar.show(done)

    result = core.poll(feeds, on_progress=progress)
    bar.clear()
    print(f"total: {result.summary()}")
    for spike in core.signals.check_spikes():
        print(f"spike: {spike.body}")
    return 0


def _articles(core: VigieCore, args: argparse.Namespace) -> int:
    if args.articles_command == "judge":
        judgement = None if args.judgement == "none" else args.judgement
        article = core.judge(args.id, judgement)
        state = "highlighted" if article.highlighted else "not highlighted"
        print(f"article {article.id}: {args.judgement} ({state})")
        return 0
    query = ArticleQuery(
        highlighted_only=args.highlighted_only, since=args.since, sort="published", descending=False
    )
    if args.output:
        with atomic_write(args.output) as out:
            count = core.export_articles(out, args.format, query)
        print(f"exported {count} articles to {args.output}", file=sys.stderr)
    else:
        core.export_articles(sys.stdout, args.format, query)
    return 0


def _stories(core: VigieCore, args: argparse.Namespace) -> int:
    since = args.since
    if since:
        try:
            moment = datetime.fromisoformat(since)
            since = (moment.astimezone(UTC) if moment.tzinfo else moment).replace(tzinfo=None).isoformat()
        except ValueError:
            return _fail(f"--since wants an ISO date such as 2026-01-31, not {args.since!r}")
    for story in core.stories(since=since, highlighted_only=args.highlighted_only):
        if args.format == "jsonl":
            print(json.dumps(export.story_record(story), ensure_ascii=False))
        else:
            print(export.story_line(story))
    return 0


def _search(core: VigieCore, args: argparse.Namespace) -> int:
    query = ArticleQuery(search=" ".join(args.query))
    count, capped = core.store.count_capped(query)
    for row in core.store.rows(query, limit=args.limit):
        mark = "*" if row.highlighted else " "
        print(f"{mark} [{row.id}] {(row.published or '')[:10]}  {row.source_label}: {row.title}")
    # stdout is block-buffered into a pipe while stderr is not: without the flush, a reader of both (2>&1)
    # saw the count written into the middle of the results.
    sys.stdout.flush()
    # A broad search stops counting at the store's cap (SEARCH_COUNT_CAP): "more than 1,000".
    print(f"more than {count:,} articles match" if capped else f"{count} articles match", file=sys.stderr)
    return 0


def _watchlist(core: VigieCore, args: argparse.Namespace) -> int:
    action = args.watchlist_command
    if action == "list":
        scope = core.watchlist.scope
        print(f"scope: {', '.join(scope)}" if scope else "scope: none (the whole world)")
        for entry in core.watchlist.entries:
            context = f"  (only with: {', '.join(entry.context)})" if entry.context else ""
            names = ", ".join(
                [*entry.aliases, *entry.case_sensitive_aliases, *(p + "*" for p in entry.prefixes)]
            )
            print(f"{entry.name} [{entry.kind}, weight {entry.weight:g}]: {names}{context}")
    elif action == "import":
        watchlist = load_watchlist(args.file)
        count = core.replace_watchlist(watchlist)
        print(f"watchlist replaced ({len(watchlist.entries)} entries); {count} articles re-scored")
    elif action == "export":
        _write_bytes(dump_watchlist(core.watchlist).encode("utf-8"), args.file)
    elif action == "propose":
        _propose(core, args.apply, args.limit)
    elif action in cli_signals.WATCHLIST_ACTIONS:
        return cli_signals.watchlist(core, args)
    else:
        from monitor.core.matching.suggest import suggest_entries

        texts = _corpus_texts(core, args.corpus)
        suggestions = suggest_entries(texts, existing=None if args.all else core.watchlist)
        for s in suggestions[: args.limit]:
            print(f"{s.count:4d}  {s.kind_guess:<12} {s.name}")
    return 0


def _propose(core: VigieCore, apply: bool, limit: int) -> None:
    """`vigie watchlist propose [--apply]`: the change, its counts and lists; applied, what still disagrees."""
    proposal = core.propose_watchlist_change()
    print(proposal.headline)
    if proposal.change is None:
        _print_listed("Judged articles the watchlist disagrees with", proposal.disagreements, limit)
        return
    for line in proposal.effect_lines():
        print(line)
    _print_listed("Judged articles it fixes", proposal.fixed, limit)
    _print_listed("Judged articles it puts at odds with their judgement", proposal.broken, limit)
    _print_listed("Highlights it adds", proposal.added, limit)
    _print_listed("Highlights it removes", proposal.removed, limit)
    if not apply:
        print("Apply it with `vigie watchlist propose --apply`.")
        return
    left = core.apply_proposal(proposal)
    print(
        f"Applied: the watchlist is saved and every article re-scored. {len(left)} judged articles still disagree."
    )
    _print_listed("Judged articles that still disagree", left, limit)


def _print_listed(heading: str, items: Sequence[Any], limit: int) -> None:
    """A heading and one line per article ([id] title), cut at `limit` (0: no cut)."""
    if not items:
        return
    print(f"{heading} ({len(items)}):")
    shown = items if limit <= 0 else items[:limit]
    for item in shown:
        print(f"  {item.line()}" if hasattr(item, "line") else f"  [{item.id}] {item.title}")
    if len(shown) < len(items):
        print(f"  ... and {len(items) - len(shown)} more (--limit 0 shows them all)")


def _corpus_texts(core: VigieCore, corpus: str) -> list[str]:
    query = ArticleQuery(view="seeds" if corpus == "seeds" else "all")
    return [f"{a.title}\n\n{a.summary}\n\n{a.content}" for a in core.store.articles(query)]


def _write_bytes(data: bytes, path: Path | None) -> None:
    if path is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    with atomic_write(path, "wb") as out:
        out.write(data)
    print(f"wrote {path}", file=sys.stderr)
