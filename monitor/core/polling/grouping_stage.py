"""A poll's grouping into stories, as feeds land: on the poll's thread, or on a thread of its own.

On SQLite the store's work runs in this process, on the thread that asks for it: grouping on another thread would
only wait for the poll's writes (one writer at a time) and share the interpreter with it, so it stays on the
poll's thread. On PostgreSQL a statement's work runs in the server while the asking thread waits: with grouping
on the poll's thread, the server's work for each feed and the poll's own Python took turns, and a first poll of
500 feeds lasted about their sum (docs/BENCHMARKS.md section 35). On a thread of its own, with its own
connection, grouping's reads and writes run beside the next feeds' ingest.

On both engines the feeds that landed are grouped together once they brought GROUP_FEEDS_AT new articles (or at
the poll's end), each feed placed as if grouped alone (polling/story_batches.py), so both engines give the same
stories. The poll's thread reads those feeds' articles as soon as they are stored and hands them to the grouping
thread: read later, on the grouping thread, the newest articles would already include the next feeds'.

Either way the poll's new articles are grouped before it counts its alerts (alerts go one per story), and a
grouping failure that is not a storage failure leaves the articles ungrouped until the next poll.
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import Future
from typing import Any

from monitor.core.polling.story_batches import group_feeds, landed_articles
from monitor.core.storage.store import Store
from monitor.core.storage.story_index import UngroupedArticle
from monitor.core.stories.grouping import Grouper, group_new_articles
from monitor.core.stories.text import StoryFeatures

log = logging.getLogger(__name__)

# Articles grouped into stories after one poll, at most: a poll's new articles go first; a store that predates
# stories (schema 11) has its backlog grouped this many at a time, poll after poll, so no poll waits minutes.
GROUP_PER_POLL = 25_000
# The feeds that landed are grouped (feed by feed, in one write transaction: polling/story_batches.py) once they
# brought this many new articles, or at the poll's end. On SQLite a transaction and its COMMIT per 40-item feed
# were a fifth of grouping's CPU in a 500-feed first poll; on PostgreSQL the grouping thread, grouping whatever
# had landed, wrote some 500 transactions of 12 statements (docs/BENCHMARKS.md section 45).
GROUP_FEEDS_AT = 400
# Articles grouped as feeds land whose stories' list rows may wait for a later feed (or the poll's end): each
# refresh rereads every report of the stories it covers, and after every 40-item feed that was half of a
# 500-feed first poll's grouping. The story view sees a poll's new stories that many articles late at most.
GROUP_ROWS_LAG = 200

# What a parser process made for one feed: (title, summary, content, language hint, features) per item.
Offer = Iterable[tuple[str, str, str, str | None, StoryFeatures]]
_STOP = object()  # the poll is over: group what is left, then end
_QUIT = object()  # the poll failed: end without grouping more


class GroupingStage:
    """Groups a poll's new articles as its feeds land (`feed_landed`) and at its end (`finish`).

    `own_thread` runs the grouping on a thread of its own (for a store whose engine works in another process);
    otherwise each call groups on the caller's thread. A stage not `enabled` groups nothing (a poll without
    stories). One stage serves one poll; `close` must follow."""

    def __init__(self, store: Store, *, own_thread: bool, enabled: bool = True) -> None:
        self.store = store
        self.enabled = enabled
        self.grouper = Grouper(store)  # what grouping read stays read from one feed of the poll to the next
        self._commands: queue.Queue[Any] = queue.Queue()
        self._failure: BaseException | None = None
        self._landed: list[int] = []  # on the poll's thread: the new articles of each feed not grouped yet
        self._thread: threading.Thread | None = None
        if own_thread and enabled:
            self._thread = threading.Thread(target=self._run, name="vigie-grouping", daemon=True)
            self._thread.start()

    @property
    def threaded(self) -> bool:
        """Whether the grouping runs on a thread of its own (until `finish` or `close`)."""
        return self._thread is not None

    def offer(self, made: Offer) -> None:
        """Story features a parser process made (the grouper takes them instead of making them again).

        Straight into the grouper, from the poll's thread, before the feed's articles are stored: through the
        grouping thread's queue they could come after a grouping that already read the articles. The grouper
        keeps them in a dict, each article one item set here and popped there (single operations of a dict,
        atomic under the interpreter's lock)."""
        self.grouper.offer(made)

    def feed_landed(self, new: int) -> None:
        """A feed stored `new` new articles: group them with those of the feeds that landed before, once they are
        GROUP_FEEDS_AT (on the poll's thread, or handed to the grouping thread)."""
        if not self.enabled:
            return
        self._raise_failure()
        self._landed.append(new)
        if sum(self._landed) >= GROUP_FEEDS_AT:
            self._group_landed()

    def _group_landed(self) -> None:
        feeds, self._landed = self._landed, []
        articles = landed_articles(self.store, feeds)
        if self._thread is None:
            _group(self.store, self.grouper, feeds=feeds, articles=articles)
        else:
            self._commands.put((feeds, articles))

    def finish(self) -> None:
        """Group what is left of the poll's new articles and wait until it is done; a storage failure on the
        grouping thread is raised here."""
        if not self.enabled:
            return
        if self._landed:
            self._group_landed()
        if self._thread is None:
            _group(self.store, self.grouper)
        else:
            self._commands.put(_STOP)
            waited = time.perf_counter()
            self._thread.join()
            log.debug("waited %.1f s for the grouping thread at the poll's end", time.perf_counter() - waited)
            self._thread = None
            self._raise_failure()
        log.debug("story features of %d articles made in the poll's process", self.grouper.made_here)

    def close(self) -> None:
        """End the grouping thread without grouping more (after `finish`, nothing is left to do)."""
        if self._thread is not None:
            self._commands.put(_QUIT)
            self._thread.join()
            self._thread = None

    def _raise_failure(self) -> None:
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise failure

    def _run(self) -> None:
        try:
            while True:
                command = self._commands.get()
                if command is _QUIT:
                    return
                if self._failure is not None:  # after a storage failure, only wait for the poll's end
                    if command is _STOP:
                        return
                    continue
                try:
                    if not self._handle(command):
                        return
                except BaseException as exc:  # a storage failure: the poll raises it at its next call
                    self._failure = exc
                    if command is _STOP:
                        return
        finally:
            self.store.release_thread()

    def _handle(self, command: Any) -> bool:
        """Carry out one command: the poll's end (False once its last grouping is done), or landed feeds with
        their articles."""
        if command is _STOP:
            _group(self.store, self.grouper)
            return False
        feeds, articles = command
        _group(self.store, self.grouper, feeds=feeds, articles=articles)
        return True


def _group(
    store: Store,
    grouper: Grouper,
    *,
    feeds: Sequence[int] = (),
    articles: Sequence[UngroupedArticle] = (),
) -> None:
    """Put the poll's new articles in their stories: with `feeds`, those of the feeds that stored that many new
    articles each, in that order (`articles`, their landed articles); else up to GROUP_PER_POLL, the poll's last
    grouping. Story rows may lag GROUP_ROWS_LAG articles, but for the poll's last grouping, which leaves none
    stale. A failure other than the storage's is logged: the articles wait for the next poll."""
    try:
        if feeds:
            group_feeds(store, grouper, feeds, articles, rows_lag=GROUP_ROWS_LAG)
            return
        grouped = group_new_articles(store, limit=GROUP_PER_POLL, grouper=grouper)
    except Exception as exc:
        if storage_failure(exc):
            raise
        log.exception(
            "grouping the new articles into stories failed; they stay ungrouped until the next poll"
        )
        return
    if grouped.grouped:
        log.info("grouped %d articles: %d new stories", grouped.grouped, grouped.new_stories)


def storage_failure(exc: BaseException) -> bool:
    """True when SQLite cannot write at all: disk full, I/O error, read-only database."""
    code = getattr(exc, "sqlite_errorcode", None)
    return isinstance(exc, sqlite3.OperationalError) and code is not None and code & 0xFF in (8, 10, 13)


def offered(future: Future[Any]) -> Offer:
    """The story features a parser process made for a feed (none when the process failed: the feed is then
    parsed again in the poll's process, which makes its own)."""
    try:
        parsed, _, features = future.result()
    except BaseException:
        return ()
    if not features:  # made without them (a poll without stories)
        return ()
    return [(i.title, i.summary, i.content, i.lang, f) for i, f in zip(parsed.items, features, strict=True)]
