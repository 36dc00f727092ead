"""When a feed is due: the one rule, computed from the facts the store keeps about the feed's last fetch.

The store records what happened (when the feed was last attempted, how many attempts in a row failed, the
deadline a server gave in Retry-After); this module turns those facts into the time the feed is next due. The
scheduler arms each feed's APScheduler job from it, and `vigie feeds list`, which runs no scheduler, prints it.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from monitor.core.models import Feed
from monitor.core.support.clock import parse_iso
from monitor.core.web.retry import backoff_delay

MIN_INTERVAL_MINUTES = 1
# The longest a failing feed waits, whatever its failures or its server's Retry-After say.
MAX_BACKOFF = timedelta(hours=6)
MINUTE = timedelta(minutes=1)


def interval_of(feed: Feed, minute: timedelta = MINUTE) -> timedelta:
    """The feed's polling interval (at least one minute); `minute` is the scheduler's test hook."""
    return minute * max(MIN_INTERVAL_MINUTES, feed.interval_minutes)


def backoff(feed: Feed) -> timedelta:
    """How long a failing feed waits after its last attempt: exponential in its failures in a row (one minute,
    two, four...), capped at MAX_BACKOFF, spread over 50-100 % of that step so that feeds which failed together
    do not all come back at once. The spread is drawn from the feed's id and failure count, so the same facts
    always give the same time; whole seconds, as the store records the attempts."""
    failures = feed.consecutive_failures
    if failures <= 0:
        return timedelta(0)
    spread = random.Random(f"{feed.id}:{failures}")
    return timedelta(seconds=round(backoff_delay(failures, cap=MAX_BACKOFF.total_seconds(), rng=spread)))


def due_time(feed: Feed, now: datetime | None = None, *, minute: timedelta = MINUTE) -> datetime | None:
    """When the feed is next due to be polled, or None when it was never attempted (due at once).

    After a success: its interval after the last attempt. After failures: the longer of the interval and the
    backoff, and never before the server's Retry-After deadline (itself capped at MAX_BACKOFF). Given `now`, an
    attempt recorded after `now` means the wall clock was set back since: the waits then count from `now`, so
    a clock set back by days does not leave the feed waiting for days.
    """
    attempted = parse_iso(feed.last_fetched)
    if attempted is None:
        return None
    wait = max(interval_of(feed, minute), backoff(feed))
    retry = parse_iso(feed.retry_not_before)
    if retry is not None:
        wait = max(wait, min(retry - attempted, MAX_BACKOFF))
    start = attempted if now is None else min(attempted, now)
    return start + wait


def is_overdue(feed: Feed, now: datetime, *, minute: timedelta = MINUTE) -> bool:
    """True when the feed is enabled and due at `now` (a never-polled feed is)."""
    if not feed.enabled:
        return False
    due = due_time(feed, now, minute=minute)
    return due is None or due <= now
