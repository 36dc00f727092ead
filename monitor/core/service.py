"""The core's front door: what the CLI and the window ask Vigie to do, in one place and without Qt."""

from __future__ import annotations

import contextlib
import logging
import shutil
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO

from monitor.core import export
from monitor.core.errors import UserError
from monitor.core.evidence.backups import ProfileBackups
from monitor.core.evidence.cases import CaseBook
from monitor.core.learning.proposal import Disagreement, Proposal, disagreements, judged_articles, propose
from monitor.core.matching.matcher import Matcher
from monitor.core.matching.watchlist import (
    Entry,
    Watchlist,
    WatchlistError,
    WatchlistFile,
    default_watchlist_path,
)
from monitor.core.models import (
    SEED_SOURCE,
    Article,
    ArticlePages,
    ArticleQuery,
    ArticleRow,
    Feed,
    StoryQuery,
    StoryRow,
    StorySummary,
)
from monitor.core.parsing import opml
from monitor.core.parsing.seeds import read_seeds, seed_item
from monitor.core.polling.alerts import AlertPolicy, Notification
from monitor.core.polling.poller import FeedReport, PollResult, ProgressCallback, poll_once
from monitor.core.polling.rescore import rescore_store
from monitor.core.polling.scheduler import PollFunction
from monitor.core.settings import Settings
from monitor.core.signals.facade import Signals
from monitor.core.storage.feed_counts import highlighted_unread_by_feed
from monitor.core.storage.ingest import Outcome
from monitor.core.storage.lease import Lease, held_elsewhere, lease_for
from monitor.core.storage.store import Store
from monitor.core.stories.grouping import group_new_articles
from monitor.core.stories.summaries import list_stories
from monitor.core.stories.timeline import StoryTimeline, story_timeline
from monitor.core.subscriptions.feeds import FeedSubscriptions
from monitor.core.support.clock import Clock, iso, utc_now
from monitor.core.support.folder_paths import (
    format_folder_path,
    parse_folder_path,
)
from monitor.core.team.alerts import AlertListener
from monitor.core.team.watchlist import SharedWatchlist
from monitor.core.web.fetch import Fetcher, FetchSettings
from monitor.core.web.news_search import FollowedSearch
from monitor.paths import AppPaths, resources_dir, seeds_dir

log = logging.getLogger(__name__)

OpmlImportReport = opml.OpmlImportReport

__all__ = [
    "FollowedSearch",
    "OpmlImportReport",
    "SeedLoad",
    "VigieCore",
    "format_folder_path",
    "parse_folder_path",
]


@dataclass(frozen=True)
class SeedLoad:
    new: int
    unchanged: int
    updated: int


@dataclass(frozen=True)
class ReaderArticle:
    """An article as the reader pane shows it: the stored article and why it scored what it did."""

    article: Article
    explanation: str


class VigieCore(FeedSubscriptions, ProfileBackups, CaseBook):
    """Store, settings, watchlist and matcher of one profile, and the operations on them.

    Args:
        rescore_at_start: when the watchlist changed since the last run, re-score every article before the
            constructor returns (the CLI). The window passes False and calls `finish_pending_rescore` on a
            worker, so it shows at once; `rescore_pending` says whether that is still to do.
    """

    def __init__(
        self,
        paths: AppPaths,
        *,
        clock: Clock = utc_now,
        fetch_settings: FetchSettings | None = None,
        rescore_at_start: bool = True,
        database: str | None = None,
        analyst: str | None = None,
    ):
        self.paths = paths.ensure()
        self.clock = clock
        # `database`: a postgresql:// URL puts the store on that server (team mode); the profile folder keeps the
        # settings and the watchlist. `analyst`: whose read, starred and judgements they are there (default: the OS
        # user name); a local profile has one analyst.
        self.store = Store.open(paths.database, paths.backups, database=database, analyst=analyst)
        self.settings = Settings.load(paths.settings)
        self._fetch_settings = fetch_settings or FetchSettings(
            max_concurrency=self.settings.max_concurrent_fetches, per_host_delay=0.25
        )
        self.first_run = self.store.get_meta("initialised") is None
        if not paths.watchlist.exists():
            shutil.copyfile(default_watchlist_path(), paths.watchlist)
            paths.watchlist.chmod(0o600)
        # On a shared database the team's watchlist is the database's newest version (the file is its copy).
        self.watchlist_file = (
            SharedWatchlist(paths.watchlist, self.store) if database else WatchlistFile(paths.watchlist)
        )
        self.watchlist_error: str | None = None
        try:
            self.watchlist_file.load()
        except Exception as exc:  # keep working on the shipped list rather than refusing to start
            self.watchlist_error = f"the watchlist {paths.watchlist} could not be read: {exc}"
            log.error("%s; using the default watchlist", self.watchlist_error)
            if database:  # the team's list stays the database's: a save there makes a new version
                self.watchlist_file.current = WatchlistFile(default_watchlist_path()).load()
            else:
                self.watchlist_file = WatchlistFile(default_watchlist_path())
                self.watchlist_file.load()
        self.matcher = self._build_matcher(self.watchlist)
        # Another address for the news search's feeds (tests point it at a local server).
        self.news_search_base: str | None = None
        self._poll_lock = threading.Lock()
        # Only one process polls a store (storage/lease.py): `vigie serve` holds this lease for as long as it
        # polls; any other poll (the window's, `vigie poll`) takes it for its own length, or refuses in words.
        self.poller_lease: Lease = lease_for(paths.database, database)
        self.alerts = AlertPolicy(self.store, lambda: self.settings, clock=clock)
        self.signals = Signals(
            self.store, lambda: self.watchlist, lambda: self.settings, self.alerts, clock=clock
        )
        self.rescore_pending = False
        if self.first_run or self.store.get_meta("watchlist_version") != self.watchlist.fingerprint:
            self.load_seeds()
            self.rescore_pending = not self.first_run
            if rescore_at_start:
                self.finish_pending_rescore()
            elif not self.rescore_pending:
                self.store.set_meta("watchlist_version", self.watchlist.fingerprint)
            self.store.set_meta("initialised", "1")

    @property
    def watchlist(self) -> Watchlist:
        return self.watchlist_file.current

    @property
    def pages(self) -> ArticlePages:
        """What the article list reads on the GUI thread: counts and pages of rows, nothing else."""
        return self.store

    def _build_matcher(self, watchlist: Watchlist) -> Matcher:
        if self.settings.highlight_threshold > 0:
            return Matcher(watchlist, highlight_threshold=self.settings.highlight_threshold)
        return Matcher(watchlist)

    def close(self) -> None:
        for listener in getattr(self, "_listeners", []):  # before the store: they read it
            listener.stop()
        self.poller_lease.release()
        self.store.close()

    # -- team mode ----------------------------------------------------------------------------------------

    @property
    def on_shared_database(self) -> bool:
        """Whether the store is a team's PostgreSQL database (docs/TEAM.md), not the profile's SQLite file."""
        return self.store.database is not None

    @property
    def analyst(self) -> str:
        return self.store.analyst

    def check_database(self) -> None:
        """Raises StoreError in words when the store does not answer (a server lost); the window's Retry."""
        self.store.ping()

    def alert_listener(
        self, on_alerts: Callable[[list[int], bool], None], on_state: Callable[[bool, str], None]
    ) -> AlertListener:
        """The thread that receives the alerts other clients' polls push (not started): see team/alerts.py."""
        listener = AlertListener(self.store, on_alerts, on_state=on_state)
        self._listeners = [*getattr(self, "_listeners", []), listener]  # close() stops it
        return listener

    def pushed_notification(self, article_ids: Sequence[int]) -> Notification | None:
        """The notification for alerts pushed by another client's poll, under this analyst's rules (muted
        feeds, quiet hours, pause, own judgements); None when nothing is to be shown."""
        return self.alerts.notification_for_articles(self.store.alerted_articles(article_ids))

    # -- seeds and defaults -------------------------------------------------------------------------------

    def load_seeds(self, folder: Path | None = None) -> SeedLoad:
        """Load the seed corpus as source "seed"; loading again changes nothing."""
        items = [seed_item(s) for s in read_seeds(folder or seeds_dir())]
        pending = self.store.prepare(SEED_SOURCE, items)
        assessed = [(p, self.matcher.assess(p.item.title, p.item.summary, p.item.content)) for p in pending]
        now = iso(self.clock())
        counts = self.store.save_items(
            source=SEED_SOURCE, feed_id=None, items=assessed, fetched_at=now, poll_id=0
        )
        if counts[Outcome.NEW]:
            # Seeds have stories too. Only as many articles as were added are grouped here (this runs at start,
            # before the window shows): a store with a backlog that predates stories has it grouped by the polls,
            # GROUP_PER_POLL at a time; grouping all of it here kept a 200,000-article start blocked for minutes.
            group_new_articles(self.store, limit=counts[Outcome.NEW])
        return SeedLoad(counts[Outcome.NEW], counts[Outcome.UNCHANGED], counts[Outcome.UPDATED])

    def install_default_feeds(self) -> int:
        """Subscribe to the shipped feeds, in their folders (the window does this on a first start)."""
        result = opml.parse_opml((resources_dir() / "feeds.opml").read_bytes())
        counts = self.store.import_subscriptions(
            result.feeds, self.settings.default_interval_minutes, folders=result.folders
        )
        return counts.added

    # -- polling ------------------------------------------------------------------------------------------

    def fetcher(self) -> Fetcher:
        return Fetcher(self._fetch_settings)

    def poll(
        self,
        feeds: Sequence[Feed] | None = None,
        *,
        on_progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
        stories: bool = True,
    ) -> PollResult:
        """One poll of the given feeds (default: every enabled feed). Polls never overlap. `stories=False` leaves
        the new articles without stories (until a later poll groups them): a bench's baseline."""
        full = feeds is None
        self.sync_watchlist()
        targets = [f for f in self.store.list_feeds() if f.enabled] if feeds is None else list(feeds)
        with self._poll_lock, self._polling_lease(), self.fetcher() as fetcher:
            return poll_once(
                targets,
                self.store,
                fetcher,
                self.matcher,
                clock=self.clock,
                on_progress=on_progress,
                cancel=cancel,
                full_poll=full,
                stories=stories,
            )

    @contextlib.contextmanager
    def _polling_lease(self) -> Iterator[None]:
        """The poller lease for one poll: already held (`vigie serve`), or taken and given back after; held by
        another process, LeaseHeldError (in words, naming the holder)."""
        lease = self.poller_lease
        if lease.held:
            yield
            return
        if not lease.try_acquire():
            raise held_elsewhere(lease)
        try:
            yield
        finally:
            lease.release()

    # -- watchlist ----------------------------------------------------------------------------------------

    def sync_watchlist(self) -> bool:
        """On a shared database, take the watchlist another analyst saved since (before each poll); True when
        the matcher changed. The analyst who saved it re-scored the shared articles."""
        if not isinstance(self.watchlist_file, SharedWatchlist):
            return False
        try:
            changed = self.watchlist_file.sync()
        except WatchlistError as exc:
            log.error("the team's newest watchlist does not load, keeping this one: %s", exc)
            return False
        if changed:
            self.matcher = self._build_matcher(self.watchlist)
        return changed

    def replace_watchlist(
        self, watchlist: Watchlist, on_progress: Callable[[int, int], None] | None = None
    ) -> int:
        """Save a new watchlist, rebuild the matcher and re-score every stored article (seeds included)."""
        self.watchlist_file.save(watchlist)
        self.matcher = self._build_matcher(self.watchlist)
        count = self.rescore(on_progress)
        self.store.set_meta("watchlist_version", self.watchlist.fingerprint)
        return count

    def load_places(self) -> int:
        """Open the gazetteer behind watchlist scopes now (built first into its cache file by a child process
        when missing: 1.4-2.5 s, once per version), so that checking a scope the analyst types costs nothing
        later; returns how many places it knows."""
        from monitor.core.matching.places import gazetteer

        return gazetteer().place_count

    def add_entry(self, entry: Entry, on_progress: Callable[[int, int], None] | None = None) -> int:
        """Add one entry (an emerging name's Add) and re-score every article; returns how many were scored."""
        return self.replace_watchlist(self.watchlist.with_entry(entry), on_progress)

    def finish_pending_rescore(self, on_progress: Callable[[int, int], None] | None = None) -> int:
        """The re-score a watchlist change since the last run calls for, if the constructor left it to do;
        returns how many articles were scored (0 when there was nothing to do)."""
        count = self.rescore(on_progress) if self.rescore_pending else 0
        self.store.set_meta("watchlist_version", self.watchlist.fingerprint)
        self.rescore_pending = False
        return count

    def rescore(self, on_progress: Callable[[int, int], None] | None = None) -> int:
        """Run the current matcher over every stored article; returns how many were scored."""
        return rescore_store(self.store, self.matcher, on_progress)

    def propose_watchlist_change(self, on_progress: Callable[[int, int], None] | None = None) -> Proposal:
        """The watchlist change that agrees best with the judgements, weighed over every stored article."""
        return propose(self.store, self.watchlist, self._build_matcher, on_progress)

    def apply_proposal(
        self, proposal: Proposal, on_progress: Callable[[int, int], None] | None = None
    ) -> tuple[Disagreement, ...]:
        """Save the proposed watchlist (atomically), re-score, and return the judged articles that still
        disagree. A proposal made from another watchlist than the current one raises UserError."""
        if proposal.change is None:
            raise UserError("there is no watchlist change to apply")
        if proposal.base_fingerprint != self.watchlist.fingerprint:
            raise UserError("the watchlist changed since this proposal was made: ask for a new proposal")
        self.replace_watchlist(proposal.change.watchlist, on_progress)
        return self.judged_disagreements()

    def judged_disagreements(self) -> tuple[Disagreement, ...]:
        """The judged articles the watchlist, alone, scores against their judgement."""
        return disagreements(judged_articles(self.store, self.matcher))

    def save_settings(self, settings: Settings) -> None:
        """Write settings.toml and use `settings` from now on; a new threshold then needs rebuild_matcher()."""
        settings.save(self.paths.settings)
        self.settings = settings

    def update_settings(
        self, settings: Settings, on_progress: Callable[[int, int], None] | None = None
    ) -> None:
        """Save new settings; a new highlight threshold re-scores every stored article."""
        rescore = settings.highlight_threshold != self.settings.highlight_threshold
        settings.save(self.paths.settings)
        self.settings = settings
        if rescore:
            self.rebuild_matcher(on_progress)

    def rebuild_matcher(self, on_progress: Callable[[int, int], None] | None = None) -> int:
        """Recompile the matcher from the current watchlist and settings, then re-score every article."""
        self.matcher = self._build_matcher(self.watchlist)
        return self.rescore(on_progress)

    # -- reading and alerts (the window calls these on its task runner, never on the GUI thread) -------------

    def reader_article(self, article_id: int) -> ReaderArticle | None:
        """The article to show, with the explanation of its score (the matcher runs here, not in the UI)."""
        article = self.store.article(article_id)
        if article is None:
            return None
        explanation = ""
        try:
            explanation = self.matcher.assess(
                article.title, article.summary, article.field_text("content")
            ).explanation
        except Exception:  # the explanation is a courtesy: never let it hide the article
            log.exception("could not explain the score of article %s", article.id)
        if article.judgement:
            shown = "highlighted" if article.judgement == "relevant" else "not highlighted"
            explanation = (
                f"You judged this {article.judgement}: it is {shown} because of your judgement, whatever the "
                f"score. The watchlist alone: {explanation}"
            )
        return ReaderArticle(article, explanation)

    def judge(self, article_id: int, judgement: str | None) -> Article:
        """Record the analyst's judgement of one article (None withdraws it); its highlight follows at once.
        Raises UserError for an unknown id."""
        article = self.store.article(article_id)
        if article is None:
            raise UserError(f"no article with id {article_id}")
        scored = self.matcher.assess(
            article.title, article.summary, article.field_text("content")
        ).highlighted
        self.store.set_judgement(article_id, judgement, scored)
        judged = self.store.article(article_id)
        assert judged is not None
        return judged

    def last_poll(self) -> str | None:
        """When the last poll ended (ISO 8601), or None."""
        return self.store.get_meta("last_poll")

    def store_mark(self) -> tuple[int, str | None, int]:
        """The newest article's id, the last poll's end and the newest poll that flagged alerts: what a window
        standing by watches for the polls of the process that holds the poller lease (cheap indexed reads)."""
        row = self.store.conn.execute(STORE_MARK_SQL).fetchone()
        return int(row[0]), self.last_poll(), int(row[1])

    def poll_notification(self, poll_id: int) -> Notification | None:
        """The notification for the alerts another process's poll flagged, under this analyst's rules (muted
        feeds, quiet hours, pause); None when nothing is to be shown. That poll decided duplicates and stories."""
        return self.alerts.notification_for_articles(self.store.alert_articles(poll_id))

    def highlighted_unread_by_feed(self) -> dict[int | None, int]:
        """Unread highlighted articles per feed id (None for the seeds): the sidebar sums them per folder."""
        return highlighted_unread_by_feed(self.store.conn)

    def enabled_feed_ids(self) -> list[int]:
        return [f.id for f in self.store.list_feeds() if f.enabled]

    def pause_alerts(self, minutes: int) -> datetime:
        """Pause alerts for `minutes` (0 or less: until resumed); returns when the pause ends."""
        return self.alerts.pause(timedelta(minutes=minutes) if minutes > 0 else None)

    def resume_alerts(self) -> None:
        self.alerts.resume()

    def alerts_paused_until(self) -> datetime | None:
        return self.alerts.paused_until()

    def unread_alert_ids(self) -> list[int]:
        return self.alerts.unread_alert_ids()

    # -- export -------------------------------------------------------------------------------------------

    def export_articles(self, out: IO[str], fmt: str, query: ArticleQuery | None = None) -> int:
        feeds = {f.id: f for f in self.store.list_feeds()}
        articles = self.store.articles(query or ArticleQuery(sort="published", descending=False))
        if fmt == "jsonl":
            return export.write_jsonl(articles, out, self.store.versions)
        if fmt == "csv":
            return export.write_csv(articles, out, feeds)
        raise UserError(f"unknown export format {fmt!r} (jsonl or csv)")

    def stories(self, since: str | None = None, highlighted_only: bool = False) -> list[StorySummary]:
        """The stories with a report since `since` (UTC ISO date), most recently updated first."""
        return list_stories(self.store, since=since, highlighted_only=highlighted_only)

    def story_timeline(self, story: int) -> StoryTimeline | None:
        """Who reported a story first and what each later report adds; None for an unknown story."""
        return story_timeline(self.store, story)

    def story_count(self, query: StoryQuery) -> int:
        """How many stories the list's story view shows (a story shows when any of its reports matches)."""
        return self.store.story_count(query)

    def story_rows(self, query: StoryQuery, offset: int, limit: int) -> list[StoryRow]:
        """A page of the list's story view (an indexed walk of the story rows, storage/story_pages.py)."""
        return self.store.story_rows(query, offset, limit)

    def story_reports(self, story: int) -> list[ArticleRow]:
        """A story's reports as list rows, earliest first."""
        return self.store.story_report_rows(story)


# The newest article and the newest poll that flagged alerts (two indexed reads; bench/standby_watch.py times it).
STORE_MARK_SQL = (
    "SELECT coalesce(max(id), 0), (SELECT coalesce(max(poll_id), 0) FROM articles WHERE alert = 1) "
    "FROM articles"
)


def core_poll_function(core: VigieCore) -> PollFunction:
    """The app's PollFunction: VigieCore.poll on the feeds with those ids (its lock keeps polls apart)."""

    def poll(
        feed_ids: Sequence[int],
        *,
        on_progress: Callable[[int, int, FeedReport], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> PollResult:
        feeds = [f for f in (core.store.get_feed(i) for i in feed_ids) if f is not None]
        return core.poll(feeds, on_progress=on_progress, cancel=cancel)

    return poll
