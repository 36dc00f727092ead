"""`vigie serve`: headless scheduled polling for a server (team mode, issue 19; packaging/SERVICE.md).

It polls, matches and stores as the window does (the same PollScheduler), logs on stderr for the journal, and
stops cleanly on SIGTERM or SIGINT (exit code 0). Only the holder of the poller lease polls; a second `vigie
serve` on the same store stands by and takes over when the holder dies (monitor/core/polling/headless.py).
"""

from __future__ import annotations

import argparse
import logging
import signal
import sqlite3
import sys
import threading
from collections.abc import Callable
from types import FrameType

from monitor.core.errors import UserError, describe_error
from monitor.core.polling.headless import HeadlessPoller, logging_callbacks
from monitor.core.polling.scheduler import PollFunction, PollScheduler
from monitor.core.service import VigieCore, core_poll_function
from monitor.core.storage.engine import redacted
from monitor.core.storage.lease import holder_name
from monitor.paths import AppPaths

log = logging.getLogger("monitor.serve")

# Libraries whose INFO lines would drown the journal (APScheduler logs every job run).
_QUIET_LOGGERS = ("apscheduler", "psycopg", "psycopg.pool")


def add_parsers(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    serve = commands.add_parser(
        "serve",
        parents=[common],
        help="poll on schedule without a window (a server's service; one poller at a time)",
        description="Poll every feed on its schedule, match and store, without a window; logs go to stderr. "
        "Only one process polls a store at a time: a second `vigie serve` waits as a standby and takes over "
        "when the first stops or dies. SIGTERM or Ctrl+C stop it (exit code 0).",
    )
    serve.add_argument(
        "--retry",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="how often a standby tries to take over (default 5)",
    )
    serve.add_argument(
        "--resync",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="how often the feeds are re-read, so feeds added elsewhere are polled (default 60)",
    )
    serve.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """The command: open the profile (and the server), then stand by or poll until a signal stops it."""
    _log_for_the_journal(args.verbose)
    if args.retry <= 0 or args.resync <= 0:
        return _fail("--retry and --resync want a number of seconds above 0")
    try:
        # A re-score after a watchlist change is the holder's to do (below), not every standby's.
        core = VigieCore(AppPaths.resolve(args.data_dir), database=args.database, rescore_at_start=False)
    except (UserError, OSError, sqlite3.Error) as exc:
        where = "" if args.database else "cannot open the Vigie data folder: "
        return _fail(where + describe_error(exc))
    stop = threading.Event()
    restore = _stop_on_signals(stop)
    try:
        if core.watchlist_error:
            log.warning("%s; using the default list", core.watchlist_error)
        where = redacted(args.database) if args.database else str(core.store.path)
        log.info("vigie serve: %s on %s; watchlist %s", holder_name(), where, core.paths.watchlist)
        lease = core.poller_lease  # the one VigieCore.poll checks: held here, each poll goes through
        callbacks = logging_callbacks(core.alerts, core.signals.check_spikes)

        def make_scheduler(gated: PollFunction) -> PollScheduler:
            if core.rescore_pending:  # the watchlist changed since the store was scored: before any poll
                log.info("the watchlist changed: re-scoring the stored articles first")
                log.info("%d articles re-scored", core.finish_pending_rescore())
            if not core.enabled_feed_ids():
                log.info(
                    "no feeds to poll yet: add some with `vigie feeds add URL` or `vigie feeds import FILE`"
                )
            return PollScheduler(core.store, gated, callbacks)

        poller = HeadlessPoller(
            lease,
            core_poll_function(core),
            make_scheduler,
            retry_seconds=args.retry,
            resync_seconds=args.resync,
        )
        poller.run(stop)
        return 0
    except UserError as exc:
        return _fail(describe_error(exc))
    finally:
        restore()
        core.close()


def _fail(message: str) -> int:
    print(f"vigie: error: {message}", file=sys.stderr)
    return 2


def _log_for_the_journal(verbose: bool) -> None:
    """INFO and above on stderr (DEBUG with -v); systemd's journal stamps each line itself."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def _stop_on_signals(stop: threading.Event) -> Callable[[], None]:
    """SIGTERM and SIGINT set `stop`; returns what puts the old handlers back.

    The handler hands the setting to a short thread: Event.set takes a lock the main thread may be holding at
    that very moment (inside Event.wait), and a signal handler runs on the main thread."""

    def handler(signum: int, _frame: FrameType | None) -> None:
        log.info("%s received: stopping", signal.Signals(signum).name)
        threading.Thread(target=stop.set, name="vigie-stop", daemon=True).start()

    old = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}

    def restore() -> None:
        for s, previous in old.items():
            signal.signal(s, previous)

    return restore
