"""Feed health, defined once: ok, quiet, failing, disabled or never polled, in words, and the failing count.

feed_health judges a feed from its fetches alone (the sidebar, the feeds dialog, the status bar). health_row adds
what the feed brought (monitor.core.storage.feed_stats) for the feed health view and `vigie feeds health`: a feed
that fetches fine but has brought nothing new for QUIET_AFTER, though it brought items before, is quiet (a news
search that stopped finding anything), told apart from a failing one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from monitor.core.models import Feed
from monitor.core.polling.due import due_time
from monitor.core.storage.feed_stats import FeedActivity, empty_activity, window_days
from monitor.core.support.clock import iso, parse_iso
from monitor.core.support.folder_paths import format_folder_path


class Health(StrEnum):
    OK = "ok"
    FAILING = "failing"
    DISABLED = "disabled"
    NEVER = "never"  # subscribed, not polled yet
    QUIET = "quiet"  # fetched fine, but nothing new for QUIET_AFTER though it brought items before


LABELS = {
    Health.OK: "OK",
    Health.FAILING: "Failing",
    Health.DISABLED: "Disabled",
    Health.NEVER: "Never polled",
    Health.QUIET: "Quiet",
}
# The order a "worst first" sort of the health view follows.
SEVERITY = {Health.FAILING: 0, Health.QUIET: 1, Health.NEVER: 2, Health.OK: 3, Health.DISABLED: 4}
QUIET_AFTER = timedelta(days=7)
# The keys of FeedHealthRow.to_dict, in order: the columns of `vigie feeds health --format csv`.
REPORT_KEYS = (
    "id", "title", "url", "folder", "state", "health", "enabled", "muted", "last_success", "last_attempt",
    "last_error", "consecutive_failures", "next_poll", "first_day", "items_per_day", "items_14d", "items",
    "highlighted", "highlighted_share", "last_item", "full_text", "full_text_state",
)  # fmt: skip


@dataclass(frozen=True)
class FeedHealth:
    """What a feed's last polls say of it: a state and a sentence (with the error, if any)."""

    state: Health
    words: str

    @property
    def label(self) -> str:
        return LABELS[self.state]


def feed_health(feed: Feed) -> FeedHealth:
    """A disabled feed is disabled whatever its history; a feed whose last poll failed is failing; a feed
    never fetched is waiting; anything else is ok (a recovered feed may still carry its last warning)."""
    if not feed.enabled:
        return FeedHealth(Health.DISABLED, f"Disabled: {feed.disabled_reason or 'by you'}")
    if feed.last_fetched is None:
        return FeedHealth(Health.NEVER, "Never polled yet")
    if feed.consecutive_failures > 0:
        reason = feed.last_error or "no answer"
        return FeedHealth(Health.FAILING, f"Failing ({feed.consecutive_failures}× in a row): {reason}")
    words = "OK" + (f" — {feed.last_error}" if feed.last_error else "")
    if feed.full_text and feed.full_text_state and "failed" in feed.full_text_state:
        words += f" — {feed.full_text_state}"  # the feed works; some of its pages did not (polling/fulltext)
    return FeedHealth(Health.OK, words)


def failing_count(feeds: Iterable[Feed]) -> int:
    """How many feeds the status bar calls failing."""
    return sum(1 for f in feeds if feed_health(f).state is Health.FAILING)


@dataclass(frozen=True)
class FeedHealthRow:
    """One feed as the health view and `vigie feeds health` show it.

    Attributes:
        health: the state and its words (feed_health's, or quiet). next_poll: when the scheduler polls the
            feed next (after failures: its retry), from the rule its jobs are armed from; None when disabled.
        first_day: the first day of activity.per_day (UTC).
    """

    feed: Feed
    health: FeedHealth
    next_poll: datetime | None
    activity: FeedActivity
    first_day: date

    @property
    def highlighted_share(self) -> float | None:
        """The share of the feed's stored items the watchlist highlights; None when it has none."""
        items = self.activity.items
        return self.activity.highlighted / items if items else None

    @property
    def items_per_day(self) -> float:
        """The mean of per_day: items a day over the window."""
        return self.activity.recent / len(self.activity.per_day)

    def to_dict(self) -> dict[str, object]:
        """The row as `vigie feeds health --format jsonl` writes it (keys documented in README.md)."""
        feed, share = self.feed, self.highlighted_share
        return {
            "id": feed.id,
            "title": feed.title,
            "url": feed.url,
            "folder": format_folder_path(feed.folder),
            "state": self.health.state.value,
            "health": self.health.words,
            "enabled": feed.enabled,
            "muted": feed.muted,
            "last_success": feed.last_success,
            "last_attempt": feed.last_fetched,
            "last_error": feed.last_error,
            "consecutive_failures": feed.consecutive_failures,
            "next_poll": iso(self.next_poll) if self.next_poll else None,
            "first_day": self.first_day.isoformat(),
            "items_per_day": list(self.activity.per_day),
            "items_14d": self.activity.recent,
            "items": self.activity.items,
            "highlighted": self.activity.highlighted,
            "highlighted_share": None if share is None else round(share, 4),
            "last_item": self.activity.last_item,
            "full_text": feed.full_text,
            "full_text_state": feed.full_text_state,
        }


def health_row(feed: Feed, activity: FeedActivity | None, now: datetime) -> FeedHealthRow:
    """The feed's row at `now`: feed_health's verdict, turned quiet when an ok feed's latest item is older than
    QUIET_AFTER; the next poll from monitor.core.polling.due (a never-polled or overdue feed is due now)."""
    activity = activity or empty_activity()
    health = feed_health(feed)
    latest = parse_iso(activity.last_item)
    if health.state is Health.OK and latest is not None and now - latest > QUIET_AFTER:
        days = (now - latest).days
        health = FeedHealth(Health.QUIET, f"Quiet: nothing new for {days} days (it used to bring items)")
    next_poll = max(due_time(feed, now) or now, now) if feed.enabled else None  # overdue: due now
    first_day = window_days(now, len(activity.per_day))[0]
    return FeedHealthRow(feed, health, next_poll, activity, first_day)
