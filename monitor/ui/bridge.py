"""The bridge: the window asks the core to act through it, and hears back through its signals.

Widgets never wait on the network, the disk or the CPU. They call a :class:`Bridge` method; the bridge runs the
core call on a worker through its task runner (monitor/ui/tasks.py) and, back on the GUI thread, emits a
signal or calls back with plain data. Polls go through the scheduler, the one poll path.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from monitor.core.errors import describe_error
from monitor.core.learning.proposal import Disagreement, Proposal
from monitor.core.matching.watchlist import Entry, Watchlist
from monitor.core.models import ArticleQuery, Feed
from monitor.core.polling.discovery import FoundFeed, discover_feed
from monitor.core.polling.poller import FeedReport
from monitor.core.polling.scheduler import PollScheduler
from monitor.core.service import FollowedSearch, ReaderArticle, VigieCore
from monitor.core.support.files import atomic_write
from monitor.ui.tasks import ErrorCallback, Progress, Runner

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReaderPage:
    """An article read for the reader pane, with its page (HTML) built off the GUI thread."""

    loaded: ReaderArticle
    html: str


@dataclass(frozen=True)
class PollProgress:
    """One feed done during a poll."""

    done: int
    total: int
    report: FeedReport


class Bridge(QObject):
    """Asks the core to act on a worker thread and tells the window what came of it, through signals.

    Signals carry plain data only. Every long operation reports failure through `error` (a sentence).
    """

    poll_started = Signal(int)  # how many feeds
    poll_progress = Signal(object)  # PollProgress
    poll_finished = Signal(object)  # PollResult
    rescore_started = Signal()
    rescore_progress = Signal(int, int)  # done, total
    rescore_finished = Signal(int)  # articles scored
    articles_changed = Signal()  # stored articles or their scores changed: lists should reload
    states_changed = Signal()  # read/star states changed: counts should refresh
    feeds_changed = Signal()
    watchlist_changed = Signal()
    message = Signal(str)  # something done, in words
    error = Signal(str)  # something failed, in words

    def __init__(self, core: VigieCore, runner: Runner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.core = core
        self.runner = runner
        self._rescoring = False
        self._scheduler: PollScheduler | None = None
        self.not_polling = "Polling is not running."  # Poll now without a scheduler (a standby: who polls)

    def attach_scheduler(self, scheduler: PollScheduler | None) -> None:
        """Polls run on the scheduler's worker (one at a time; alerts decided there); the app forwards the
        scheduler's PollRelay signals to poll_started/poll_progress/poll_finished. None: not polling (standby)."""
        self._scheduler = scheduler

    # -- state ----------------------------------------------------------------------------------------------

    @property
    def polling(self) -> bool:
        return self._scheduler is not None and self._scheduler.busy

    @property
    def rescoring(self) -> bool:
        return self._rescoring

    def _fail(self, what: str) -> ErrorCallback:
        def report(exc: BaseException) -> None:
            self.error.emit(f"{what}: {describe_error(exc)}")

        return report

    def _read(self, name: str, read: Callable[[], Any], then: Callable[[Any], None], failure: str) -> None:
        """A read for the window, on a worker; `then(result)` on the GUI thread."""
        self.runner.submit(lambda _p: read(), on_result=then, on_error=self._fail(failure), name=name)

    def _store_write(
        self, name: str, write: Callable[[], Any], then: Callable[[Any], None], failure: str
    ) -> None:
        """A small write that follows a user action: in order with the others, off the GUI thread; `then(result)`
        on the GUI thread, `failure` (what could not be done) in the status bar."""
        self.runner.submit(
            lambda _p: write(), on_result=then, on_error=self._fail(failure), serial=True, name=name
        )

    # -- polling: the scheduler's path, the only one ---------------------------------------------------------

    def poll_now(self, feeds: Sequence[Feed] | None = None) -> bool:
        """Ask the scheduler to poll `feeds` (default: every enabled feed) as soon as its worker is free (a
        poll running now ends first). False without a scheduler. With no enabled feed, the status bar says
        what to do."""
        scheduler = self._scheduler
        if scheduler is None:
            self.message.emit(self.not_polling)
            return False
        if feeds is not None:
            scheduler.poll_now([f.id for f in feeds])
            return True

        def ask(feed_ids: list[int]) -> None:
            if feed_ids:
                scheduler.poll_now(None)
            else:
                self.message.emit("No feeds to poll: add one with Feeds ▸ Manage feeds….")

        self._read("enabled_feeds", self.core.enabled_feed_ids, ask, "Could not read the feeds")
        return True

    def cancel_poll(self) -> None:
        if self._scheduler is not None:
            self._scheduler.cancel_poll()

    # -- reading (on a worker; the reply on the GUI thread) --------------------------------------------------

    def load_article(
        self,
        article_id: int,
        then: Callable[[ReaderPage | None], None],
        render: Callable[[ReaderArticle], str],
    ) -> None:
        """The stored article with the explanation of its score, and its page as `render` builds it (both on
        the worker); None when it is no longer stored."""
        core = self.core

        def read() -> ReaderPage | None:
            loaded = core.reader_article(article_id)
            return None if loaded is None else ReaderPage(loaded, render(loaded))

        self._read("load_article", read, then, "Could not open the article")

    def load_last_poll(self, then: Callable[[str | None], None]) -> None:
        self._read("last_poll", self.core.last_poll, then, "Could not read the last poll")

    def load_feeds(self, then: Callable[[list[Feed]], None]) -> None:
        store = self.core.store
        self._read("list_feeds", store.list_feeds, then, "Could not read the feeds")

    # -- alerts: the tray's pause menu and unread count (the Notifier's AlertControl) ------------------------

    def pause_alerts(self, minutes: int, then: Callable[[datetime | None], None]) -> None:
        """Pause alerts for `minutes` (0: until resumed); `then(until)`."""
        core = self.core
        self._store_write("pause_alerts", lambda: core.pause_alerts(minutes), then, "Could not pause alerts")

    def resume_alerts(self, then: Callable[[datetime | None], None]) -> None:
        core = self.core
        self._store_write(
            "resume_alerts", lambda: core.resume_alerts(), lambda _r: then(None), "Could not resume alerts"
        )

    def alerts_paused_until(self, then: Callable[[datetime | None], None]) -> None:
        self._read("alerts_paused_until", self.core.alerts_paused_until, then, "Could not read the alerts")

    def unread_alert_count(self, then: Callable[[int], None]) -> None:
        core = self.core
        self._read(
            "unread_alerts", lambda: len(core.unread_alert_ids()), then, "Could not count the unread alerts"
        )

    # -- watchlist and scores -------------------------------------------------------------------------------

    def load_places(self) -> None:
        """Build the scope's gazetteer on a worker (the watchlist editor asks when it opens)."""
        self._read("load_places", self.core.load_places, lambda _count: None, "Could not load the places")

    def replace_watchlist(self, watchlist: Watchlist) -> bool:
        """Save the watchlist and re-score every article in the background. False when a re-score runs."""
        return self._rescore(
            lambda progress: self.core.replace_watchlist(watchlist, progress),
            "Saving the watchlist",
            "Watchlist saved; {count} articles re-scored.",
        )

    def rescore(self) -> bool:
        """Re-score every article with the current matcher (after a threshold change)."""
        return self._rescore(
            lambda progress: self.core.rebuild_matcher(progress),
            "Re-scoring",
            "Watchlist saved; {count} articles re-scored.",
        )

    def finish_startup_rescore(self) -> bool:
        """The re-score a watchlist change since the last run calls for, in the background (the window is
        already shown); progress goes to the status bar. False when there is nothing to do."""
        if not self.core.rescore_pending:
            return False
        return self._rescore(
            self.core.finish_pending_rescore,
            "Re-scoring after the watchlist change",
            "The watchlist changed since the last run: {count} articles re-scored.",
        )

    def propose_watchlist_change(
        self,
        then: Callable[[Proposal], None],
        progress: Callable[[int, int], None],
        failed: Callable[[str], None],
    ) -> None:
        """Weigh the watchlist change the judgements call for over every article, on a worker; `then(proposal)`
        and `progress(done, total)` on the GUI thread, `failed(words)` when it could not be done."""
        core = self.core

        def report(exc: BaseException) -> None:
            failed(f"Could not propose a watchlist change: {describe_error(exc)}")

        self.runner.submit(
            lambda p: core.propose_watchlist_change(lambda done, total: p((done, total))),
            on_result=then,
            on_error=report,
            on_progress=lambda value: progress(*value),  # type: ignore[misc]
            name="propose_watchlist_change",
        )

    def apply_proposal(
        self, proposal: Proposal, then: Callable[[tuple[Disagreement, ...] | None], None]
    ) -> bool:
        """Save the proposed watchlist and re-score, as a watchlist edit does; `then(judged articles that still
        disagree)` on the GUI thread, None when it failed. False when a re-score already runs."""
        left: list[tuple[Disagreement, ...]] = []

        def work(progress: Callable[[int, int], None]) -> int:
            left.append(self.core.apply_proposal(proposal, progress))
            return proposal.articles

        return self._rescore(
            work,
            "Applying the proposal",
            "Watchlist change applied; {count} articles re-scored.",
            then=lambda ok: then(left[0] if ok and left else None),
        )

    def _rescore(
        self,
        work: Callable[[Callable[[int, int], None]], int],
        what: str,
        done: str,
        then: Callable[[bool], None] | None = None,
    ) -> bool:
        if self._rescoring:
            self.message.emit("Re-scoring is already running.")
            return False
        self._rescoring = True

        def task(progress: Progress) -> int:
            return work(lambda done, total: progress((done, total)))

        def finished(count: int) -> None:
            self._rescoring = False
            self.rescore_finished.emit(count)
            self.watchlist_changed.emit()
            self.articles_changed.emit()
            self.message.emit(done.format(count=count))
            if then is not None:
                then(True)

        def failed(exc: BaseException) -> None:
            self._rescoring = False
            self.error.emit(f"{what} failed: {describe_error(exc)}")
            self.rescore_finished.emit(-1)
            if then is not None:
                then(False)

        def progress(value: object) -> None:
            done, total = value  # type: ignore[misc]
            self.rescore_progress.emit(done, total)

        self.rescore_started.emit()
        self.runner.submit(task, on_result=finished, on_error=failed, on_progress=progress, name="rescore")
        return True

    # -- reading state (small writes, in order, off the GUI thread) ------------------------------------------

    def set_read(self, article_ids: Sequence[int], read: bool) -> None:
        ids = list(article_ids)
        store = self.core.store
        self._store_write(
            "set_read",
            lambda: store.set_read(ids, read),
            lambda _r: self.states_changed.emit(),
            "Could not change the read state",
        )

    def set_starred(self, article_id: int, starred: bool) -> None:
        store = self.core.store
        self._store_write(
            "set_starred",
            lambda: store.set_starred(article_id, starred),
            lambda _r: self.states_changed.emit(),
            "Could not change the star",
        )

    def judge(self, article_id: int, judgement: str | None, then: Callable[[Any], None]) -> None:
        """Store the analyst's judgement (None withdraws it); the highlight follows, so the lists reload."""
        core = self.core

        def done(article: Any) -> None:
            then(article)
            self.articles_changed.emit()

        self._store_write(
            "judge", lambda: core.judge(article_id, judgement), done, "Could not store the judgement"
        )

    def mark_all_read(self, query: ArticleQuery) -> None:
        store = self.core.store

        def done(count: int) -> None:
            self.message.emit(f"Marked {count} articles read.")
            self.articles_changed.emit()

        self._store_write(
            "mark_all_read", lambda: store.mark_all_read(query), done, "Could not mark the articles read"
        )

    # -- feeds ----------------------------------------------------------------------------------------------

    def add_feed(
        self,
        url: str,
        on_done: Callable[[Feed | None, str], None] | None = None,
        *,
        poll: bool = True,
    ) -> None:
        """Check `url` (a page leads to its feed link), subscribe, then poll the new feed.

        `on_done(feed, message)` runs on the GUI thread; feed is None when nothing was added.
        """
        core = self.core

        def task(_progress: Progress) -> tuple[Feed, bool, FoundFeed]:
            with core.fetcher() as fetcher:
                found = discover_feed(url, fetcher)
            feed, created = core.add_feed(found.url, found.title)
            return feed, created, found

        def finished(result: tuple[Feed, bool, FoundFeed]) -> None:
            feed, created, found = result
            name = feed.title or feed.url
            if not created:
                text = f"Already subscribed to {name}."
            elif found.via_page:
                text = f"Added {name}: found its feed on that page ({found.items} items)."
            else:
                text = f"Added {name} ({found.items} items)."
            if created and poll:  # asked before feeds_changed re-syncs the scheduler, so polled once
                self.poll_now([feed])
            self.feeds_changed.emit()
            self.message.emit(text)
            if on_done is not None:
                on_done(feed, text)

        def failed(exc: BaseException) -> None:
            text = f"Could not add {url.strip()}: {describe_error(exc)}"
            self.error.emit(text)
            if on_done is not None:
                on_done(None, text)

        self.runner.submit(task, on_result=finished, on_error=failed, name="add_feed")

    def follow_in_news_search(
        self,
        words_or_entry: str | Entry,
        *,
        entry: bool,
        then: Callable[[FollowedSearch], None] | None = None,
    ) -> None:
        """Subscribe to the news searches of an entry (its name, or the editor's draft) or of words, on the
        runner; the result goes to the status bar (and `then(sentence)`), the new feeds to the scheduler."""
        core = self.core

        def done(followed: FollowedSearch) -> None:
            count = len(followed.added)
            text = f"Following {followed.label!r} in news search: "
            if count:
                text += f"{count} feed{'s' if count != 1 else ''} added to Searches"
            else:
                text += f"already followed ({len(followed.feeds)} feeds in Searches)"
            if followed.dropped:
                text += f"; left out to fit the search's limit: {', '.join(followed.dropped)}"
            if followed.added:  # asked before feeds_changed re-syncs the scheduler, so polled once
                self.poll_now(followed.added)
            self.feeds_changed.emit()
            self.message.emit(text + ".")
            if then is not None:
                then(text + ".")

        self._store_write(
            "follow_in_news_search",
            lambda: core.follow_in_news_search(words_or_entry, entry=entry),
            done,
            "Could not follow in news search",
        )

    def remove_feed(self, feed_id: int) -> None:
        store = self.core.store

        def done(_r: object) -> None:
            self.feeds_changed.emit()
            self.articles_changed.emit()

        self._store_write(
            "remove_feed", lambda: store.remove_feed(feed_id), done, "Could not remove the feed"
        )

    def update_feed(
        self, feed_id: int, *, interval_minutes: int | None = None, enabled: bool | None = None
    ) -> None:
        store = self.core.store
        self._store_write(
            "update_feed",
            lambda: store.update_feed_settings(feed_id, interval_minutes=interval_minutes, enabled=enabled),
            lambda _r: self.feeds_changed.emit(),
            "Could not change the feed",
        )

    def set_full_text(self, feed_id: int, on: bool) -> None:
        core = self.core
        self._store_write(
            "set_full_text",
            lambda: core.set_full_text([feed_id], on),
            lambda _r: self.feeds_changed.emit(),
            "Could not change the feed's full-text setting",
        )

    def import_opml(self, path: Path) -> None:
        core = self.core

        def done(result: tuple[int, int, list[str]]) -> None:
            added, existing, skipped = result
            text = f"Imported {added} feeds from {path.name} ({existing} already subscribed"
            text += f", {len(skipped)} skipped: not http or https)." if skipped else ")."
            self.feeds_changed.emit()
            self.message.emit(text)

        self.runner.submit(
            lambda _p: core.import_opml(path),
            on_result=done,
            on_error=self._fail(f"Could not import {path.name}"),
            name="import_opml",
        )

    def export_opml(self, path: Path) -> None:
        core = self.core

        def task(_p: Progress) -> int:
            data = core.export_opml()
            with atomic_write(path, "wb") as out:
                out.write(data)
            return len(core.store.list_feeds())

        self.runner.submit(
            task,
            on_result=lambda n: self.message.emit(f"Exported {n} feeds to {path}."),
            on_error=self._fail(f"Could not export to {path}"),
            name="export_opml",
        )

    # -- articles -------------------------------------------------------------------------------------------

    def export_articles(self, path: Path, fmt: str, query: ArticleQuery) -> None:
        """Write the articles of `query` (the current list) as CSV or JSONL."""
        core = self.core

        def task(_p: Progress) -> int:
            with atomic_write(path) as out:
                return core.export_articles(out, fmt, query)

        self.runner.submit(
            task,
            on_result=lambda n: self.message.emit(f"Exported {n} articles to {path}."),
            on_error=self._fail(f"Could not export to {path}"),
            name="export_articles",
        )
