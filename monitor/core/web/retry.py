"""When to try a server again: Retry-After read against the server's clock, and back-off after failures."""

from __future__ import annotations

import email.utils
import random
from collections.abc import Mapping
from datetime import UTC, datetime


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After value: delta-seconds or an HTTP-date.

    Args:
        value: the header value, or None.
        now: the present moment, to measure an HTTP-date against (naive means UTC).

    Returns:
        Seconds (0.0 for a date in the past), or None when the value is missing or unreadable.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        if seconds != seconds or seconds in (float("inf"), float("-inf")):
            return None
        return max(0.0, seconds)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def server_now(headers: Mapping[str, str]) -> datetime:
    """The server's idea of now (its Date header), so an HTTP-date Retry-After survives clock skew."""
    date = headers.get("date")
    if date:
        try:
            parsed = email.utils.parsedate_to_datetime(date)
        except (TypeError, ValueError, IndexError):
            parsed = None
        if parsed is not None:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return datetime.now(UTC)


def backoff_delay(
    failures: int, *, base: float = 60.0, cap: float = 6 * 3600, rng: random.Random | None = None
) -> float:
    """Seconds to wait before retrying after `failures` failures in a row.

    Exponential (base, 2*base, 4*base... capped at `cap`) with jitter kept within [50%, 100%] of that value,
    so feeds that failed together do not all come back at the same moment. 0 failures means no wait.
    """
    if failures <= 0:
        return 0.0
    # The exponent is bounded so a long outage cannot overflow a float.
    value = min(cap, base * 2.0 ** min(failures - 1, 64))
    draw = rng.random() if rng is not None else random.random()
    return value * (0.5 + 0.5 * draw)
