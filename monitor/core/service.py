"""The core's front door: what the CLI and the window ask Vigie to do, in one place and without Qt."""

from __future__ import annotations

import difflib
import logging
import shutil
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO

from monitor.core import export
from monitor.core.errors import UserError
from monitor.core.matching.folding import fold_key
from monitor.core.matching.matcher import Matcher
from monitor.core.matching.watchlist import Entry, Watchlist, WatchlistFile, default_watchlist_path
from monitor.core.models import (
    SEED_SOURCE,
    Article,
    ArticlePages,
    ArticleQuery,
    Feed,
    StorySummary,
    Subscription,
)
from monitor.core.parsing import opml
from monitor.core.parsing.seeds import read_seeds, seed_item
from monitor.core.polling.alerts import AlertPolicy
from monitor.core.polling.discovery import check_feed_url
from monitor.core.polling.health import FeedHealthRow, health_row
from monitor.core.polling.poller import FeedReport, PollResult, ProgressCallback, poll_once
from monitor.core.polling.rescore import rescore_store
from monitor.core.polling.scheduler import PollFunction
from monitor.core.settings import Settings
from monitor.core.storage.feed_counts import highlighted_unread_by_feed
from monitor.core.storage.feed_stats import feed_activity
from monitor.core.storage.ingest import Outcome
from monitor.core.storage.store import Store
from monitor.core.stories.grouping import group_new_articles
from monitor.core.stories.summaries import list_stories
from monitor.core.stories.timeline import StoryTimeline, story_timeline
from monitor.core.support.clock import Clock, iso, utc_now
from monitor.core.support.folder_paths import (
    MAX_FOLDER_DEPTH,
    FolderPath,
    clean_path,
    format_folder_path,
    parse_folder_path,
)
from monitor.core.web import news_search
from monitor.core.web.fetch import Fetcher, FetchSettings
from monitor.core.web.news_search import FollowedSearch
from monitor.paths import AppPaths, resources_dir, seeds_dir

log = logging.getLogger(__name__)

OpmlImportReport = opml.OpmlImportReport

__all__ = ["OpmlImportReport", "SeedLoad", "VigieCore", "format_folder_path", "parse_folder_path"]


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


class VigieCore:
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
    ):
        self.paths = paths.ensure()
        self.clock = clock
        self.store = Store.open(paths.database, paths.backups)
        self.settings = Settings.load(paths.settings)
        self._fetch_settings = fetch_settings or FetchSettings(
            max_concurrency=self.settings.max_concurrent_fetches, per_host_delay=0.25
        )
        self.first_run = self.store.get_meta("initialised") is None
        if not paths.watchlist.exists():
            shutil.copyfile(default_watchlist_path(), paths.watchlist)
            paths.watchlist.chmod(0o600)
        self.watchlist_file = WatchlistFile(paths.watchlist)
        self.watchlist_error: str | None = None
        try:
            self.watchlist_file.load()
        except Exception as exc:  # keep working on the shipped list rather than refusing to start
            self.watchlist_error = f"the watchlist {paths.watchlist} could not be read: {exc}"
            log.error("%s; using the default watchlist", self.watchlist_error)
            self.watchlist_file = WatchlistFile(default_watchlist_path())
            self.watchlist_file.load()
        self.matcher = self._build_matcher(self.watchlist)
        # Another address for the news search's feeds (tests point it at a local server).
        self.news_search_base: str | None = None
        self._poll_lock = threading.Lock()
        self.alerts = AlertPolicy(self.store, lambda: self.settings, clock=clock)
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
        self.store.close()

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
        group_new_articles(self.store)  # seeds have stories too
        return SeedLoad(counts[Outcome.NEW], counts[Outcome.UNCHANGED], counts[Outcome.UPDATED])

    def install_default_feeds(self) -> int:
        """Subscribe to the shipped feeds, in their folders (the window does this on a first start)."""
        result = opml.parse_opml((resources_dir() / "feeds.opml").read_bytes())
        counts = self.store.import_subscriptions(
            result.feeds, self.settings.default_interval_minutes, folders=result.folders
        )
        return counts.added

    # -- feeds --------------------------------------------------------------------------------------------

    def add_feed(
        self,
        url: str,
        title: str = "",
        interval_minutes: int | None = None,
        folder: Sequence[str] = (),
    ) -> tuple[Feed, bool]:
        """Subscribe in `folder` (created if missing). A feed already subscribed is returned as it is."""
        interval = interval_minutes or self.settings.default_interval_minutes
        if interval < 1:
            raise UserError("the interval must be at least 1 minute")
        return self.store.add_feed(check_feed_url(url), title, interval, folder=_checked_path(folder))

    def move_feed(self, feed_id: int, folder: Sequence[str]) -> Feed:
        """Put a feed in `folder` (created if missing; () is the top level). An unknown id raises UserError."""
        path = _checked_path(folder)
        if self.store.get_feed(feed_id) is None:
            raise UserError(f"no feed {feed_id}; `vigie feeds list` shows them")
        self.store.move_feeds([feed_id], path)
        feed = self.store.get_feed(feed_id)
        assert feed is not None
        return feed

    def folders(self) -> list[FolderPath]:
        """Every folder path, parents before children, siblings by title."""
        return self.store.list_folders()

    def create_folder(self, path: Sequence[str]) -> FolderPath:
        """Create the folder at `path` and any missing parent (nothing happens when it exists); returns it."""
        cleaned = _checked_path(path)
        if not cleaned:
            raise UserError("a folder needs a title")
        self.store.create_folder(cleaned)
        return cleaned

    def remove_folder(self, path: Sequence[str]) -> int:
        """Remove a folder and its sub-folders; their feeds move up to its parent. Returns how many moved."""
        return self.store.remove_folder(clean_path(path))

    def move_folder(self, path: Sequence[str], parent: Sequence[str], title: str | None = None) -> FolderPath:
        """Move a folder with its feeds and sub-folders under `parent` (renamed to `title` when given): a
        drag and drop in the sidebar, or a rename when `parent` is its own parent. Returns its new path."""
        return self.store.move_folder(clean_path(path), _checked_path(parent), title)

    def feeds_in_folder(self, path: Sequence[str]) -> list[Feed]:
        """The feeds of a folder and of its sub-folders (all feeds for ()), by title."""
        return self.store.feeds_in_folder(path)

    def set_muted(self, feed_ids: Sequence[int], muted: bool) -> int:
        """Mute or unmute feeds: a muted feed is still polled, stored and scored, but never alerts."""
        return self.store.set_muted(feed_ids, muted)

    def set_interval(self, feed_ids: Sequence[int], minutes: int) -> int:
        """Poll these feeds every `minutes`; a running scheduler re-arms their jobs at its next sync()."""
        if minutes < 1:
            raise UserError("the interval must be at least 1 minute")
        return self.store.set_interval(feed_ids, minutes)

    def import_opml_report(self, path: Path) -> opml.OpmlImportReport:
        """Subscribe to the feeds of an OPML file in their folders, all or nothing, and say what happened.

        Feeds already subscribed stay where the analyst put them; folders of the same path are one folder.
        """
        try:
            result = opml.read_opml_file(Path(path))
        except opml.OpmlError as exc:
            raise UserError(str(exc)) from exc
        counts = self.store.import_subscriptions(
            result.feeds, self.settings.default_interval_minutes, folders=result.folders
        )
        report = opml.OpmlImportReport(
            added=counts.added,
            existing=counts.existing,
            skipped=result.skipped,
            folders_created=counts.folders_created,
            duplicates=result.duplicates,
            flattened=result.flattened,
            warnings=result.warnings,
        )
        log.info("%s: %s", path, report.summary())
        return report

    def import_opml(self, path: Path) -> tuple[int, int, list[str]]:
        """As import_opml_report, as (added, already there, skipped outlines): the window's older form."""
        report = self.import_opml_report(path)
        return report.added, report.existing, [s.what for s in report.skipped]

    def export_opml(self) -> bytes:
        """Every feed in its folder (empty folders too), with its site URL, interval and mute."""
        feeds = [
            Subscription(f.url, f.title, f.folder, f.site_url, f.interval_minutes, f.muted)
            for f in self.store.list_feeds(order="id")
        ]
        return opml.write_opml(feeds, folders=self.store.folder_paths_by_id().values())

    def follow_in_news_search(
        self, words_or_entry: str | Entry, *, entry: bool = False, languages: Sequence[str] = ("fr", "en")
    ) -> FollowedSearch:
        """Subscribe, in the folder "Searches", to a news search per language for the aliases of a watchlist
        entry (`entry`: the words name it; an Entry: the editor's draft) or for the words (commas separate
        alternatives). Following again adds nothing. An unknown entry raises UserError naming close ones."""
        found = words_or_entry if isinstance(words_or_entry, Entry) else None
        if found is not None or entry:
            found = found or self._entry_named(str(words_or_entry))
            label = found.name
            terms = news_search.entry_search_terms(
                found.terms(), found.case_sensitive_aliases, found.prefixes
            )
        else:
            terms = [t.strip() for t in str(words_or_entry).split(",") if t.strip()]
            label = ", ".join(terms)
        search = news_search.build_news_search(
            terms, fold=fold_key, languages=languages, base_url=self.news_search_base
        )
        results = [
            self.add_feed(f.url, news_search.search_title(f.language, label), folder=("Searches",))
            for f in search.feeds
        ]
        return FollowedSearch(
            label, [f for f, _ in results], [f for f, new in results if new], search.dropped
        )

    def _entry_named(self, name: str) -> Entry:
        """The watchlist entry called `name` (accents and case aside); UserError names the closest ones."""
        if not name.strip():
            raise UserError("name the watchlist entry to follow")
        by_key = {fold_key(e.name): e for e in self.watchlist.entries}
        found = by_key.get(fold_key(name))
        if found is None:
            close = difflib.get_close_matches(fold_key(name), list(by_key), n=3, cutoff=0.6)
            hint = f"; did you mean {' or '.join(repr(by_key[k].name) for k in close)}?" if close else ""
            raise UserError(f"no watchlist entry {name.strip()!r}{hint} (`vigie watchlist list` shows them)")
        return found

    def feed_health_report(self, now: datetime | None = None) -> list[FeedHealthRow]:
        """Every feed (by title) with its health, next poll, items per day over the last two weeks and the share
        of its items the watchlist highlights: the feed health view and `vigie feeds health`."""
        moment = now or self.clock()
        activity = feed_activity(self.store.conn, moment)
        return [health_row(f, activity.get(f.id), moment) for f in self.store.list_feeds()]

    def feed_by_id_or_url(self, key: str) -> Feed:
        feed = self.store.get_feed(int(key)) if key.isdigit() else self.store.feed_by_url(key.strip())
        if feed is None:
            raise UserError(f"no feed {key!r}; `vigie feeds list` shows them")
        return feed

    # -- polling ------------------------------------------------------------------------------------------

    def fetcher(self) -> Fetcher:
        return Fetcher(self._fetch_settings)

    def poll(
        self,
        feeds: Sequence[Feed] | None = None,
        *,
        on_progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> PollResult:
        """One poll of the given feeds (default: every enabled feed). Polls never overlap."""
        full = feeds is None
        targets = [f for f in self.store.list_feeds() if f.enabled] if feeds is None else list(feeds)
        with self._poll_lock, self.fetcher() as fetcher:
            return poll_once(
                targets,
                self.store,
                fetcher,
                self.matcher,
                clock=self.clock,
                on_progress=on_progress,
                cancel=cancel,
                full_poll=full,
            )

    # -- watchlist ----------------------------------------------------------------------------------------

    def replace_watchlist(
        self, watchlist: Watchlist, on_progress: Callable[[int, int], None] | None = None
    ) -> int:
        """Save a new watchlist, rebuild the matcher and re-score every stored article (seeds included)."""
        self.watchlist_file.save(watchlist)
        self.matcher = self._build_matcher(self.watchlist)
        count = self.rescore(on_progress)
        self.store.set_meta("watchlist_version", self.watchlist.fingerprint)
        return count

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
            explanation = self.matcher.assess(article.title, article.summary, article.content).explanation
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
        scored = self.matcher.assess(article.title, article.summary, article.content).highlighted
        self.store.set_judgement(article_id, judgement, scored)
        judged = self.store.article(article_id)
        assert judged is not None
        return judged

    def last_poll(self) -> str | None:
        """When the last poll ended (ISO 8601), or None."""
        return self.store.get_meta("last_poll")

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
            return export.write_jsonl(articles, out)
        if fmt == "csv":
            return export.write_csv(articles, out, feeds)
        raise UserError(f"unknown export format {fmt!r} (jsonl or csv)")

    def stories(self, since: str | None = None, highlighted_only: bool = False) -> list[StorySummary]:
        """The stories with a report since `since` (UTC ISO date), most recently updated first."""
        return list_stories(self.store, since=since, highlighted_only=highlighted_only)

    def story_timeline(self, story: int) -> StoryTimeline | None:
        """Who reported a story first and what each later report adds; None for an unknown story."""
        return story_timeline(self.store, story)


def _checked_path(path: Sequence[str]) -> FolderPath:
    """A folder path as stored; a path deeper than MAX_FOLDER_DEPTH raises UserError."""
    if isinstance(path, str):  # a caller that passed "News/France" meant the path it spells
        path = parse_folder_path(path)
    cleaned = clean_path(path)
    if len(cleaned) > MAX_FOLDER_DEPTH:
        raise UserError(f"folders nest at most {MAX_FOLDER_DEPTH} deep; this path is {len(cleaned)} deep")
    return cleaned


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
