"""Feed health, defined once: ok, failing, disabled or never polled, in words, and the failing count."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from monitor.core.models import Feed


class Health(StrEnum):
    OK = "ok"
    FAILING = "failing"
    DISABLED = "disabled"
    NEVER = "never"  # subscribed, not polled yet


LABELS = {
    Health.OK: "OK",
    Health.FAILING: "Failing",
    Health.DISABLED: "Disabled",
    Health.NEVER: "Never polled",
}


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
    return FeedHealth(Health.OK, "OK" + (f" — {feed.last_error}" if feed.last_error else ""))


def failing_count(feeds: Iterable[Feed]) -> int:
    """How many feeds the status bar calls failing."""
    return sum(1 for f in feeds if feed_health(f).state is Health.FAILING)
