"""Subscriptions: feeds in folders, OPML in and out, news-search feeds, feed health (VigieCore's methods, a mixin).

The front door stays VigieCore (monitor/core/service.py); these methods live here so that it stays one page.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from monitor.core.errors import UserError
from monitor.core.matching.folding import fold_key
from monitor.core.matching.watchlist import Entry
from monitor.core.models import ArticleVersion, Feed, Subscription
from monitor.core.parsing import opml
from monitor.core.polling.discovery import check_feed_url
from monitor.core.polling.health import FeedHealthRow, health_row
from monitor.core.storage.feed_stats import feed_activity
from monitor.core.support.folder_paths import MAX_FOLDER_DEPTH, FolderPath, clean_path, parse_folder_path
from monitor.core.web import news_search
from monitor.core.web.news_search import FollowedSearch

if TYPE_CHECKING:
    from monitor.core.matching.watchlist import Watchlist
    from monitor.core.settings import Settings
    from monitor.core.storage.store import Store
    from monitor.core.support.clock import Clock

log = logging.getLogger(__name__)


class FeedSubscriptions:
    """The feeds of a profile, in their folders. Needs `store`, `settings`, `watchlist`, `clock` and
    `news_search_base` from the class it is mixed into."""

    store: Store
    settings: Settings
    clock: Clock
    news_search_base: str | None

    watchlist: Watchlist

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
        return self.store.add_feed(check_feed_url(url), title, interval, folder=checked_folder_path(folder))

    def move_feed(self, feed_id: int, folder: Sequence[str]) -> Feed:
        """Put a feed in `folder` (created if missing; () is the top level). An unknown id raises UserError."""
        path = checked_folder_path(folder)
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
        cleaned = checked_folder_path(path)
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
        return self.store.move_folder(clean_path(path), checked_folder_path(parent), title)

    def feeds_in_folder(self, path: Sequence[str]) -> list[Feed]:
        """The feeds of a folder and of its sub-folders (all feeds for ()), by title."""
        return self.store.feeds_in_folder(path)

    def set_muted(self, feed_ids: Sequence[int], muted: bool) -> int:
        """Mute or unmute feeds: a muted feed is still polled, stored and scored, but never alerts."""
        return self.store.set_muted(feed_ids, muted)

    def set_full_text(self, feed_ids: Sequence[int], on: bool) -> int:
        """Fetch (or stop fetching) the full article of these feeds' new and changed items (polling/fulltext)."""
        return self.store.set_full_text(feed_ids, on)

    def article_versions(self, article_id: int) -> list[ArticleVersion]:
        """Every stored version of an article, oldest first (for the reader's diff)."""
        return self.store.versions(article_id)

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


def checked_folder_path(path: Sequence[str]) -> FolderPath:
    """A folder path as stored; a path deeper than MAX_FOLDER_DEPTH raises UserError."""
    if isinstance(path, str):  # a caller that passed "News/France" meant the path it spells
        path = parse_folder_path(path)
    cleaned = clean_path(path)
    if len(cleaned) > MAX_FOLDER_DEPTH:
        raise UserError(f"folders nest at most {MAX_FOLDER_DEPTH} deep; this path is {len(cleaned)} deep")
    return cleaned
