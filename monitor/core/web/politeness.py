"""Per-host politeness: at most a few requests in flight per host, their starts spaced, hosts interleaved."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit


def host_key(url: str) -> str:
    """The politeness bucket of a URL: host and port."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        return ""
    return f"{(parts.hostname or '').lower()}:{port}"


def interleaved(urls: Sequence[str]) -> list[int]:
    """Indices of `urls` taken round-robin over hosts, so a pool is not filled by one host's queue."""
    buckets: dict[str, list[int]] = {}
    for index, url in enumerate(urls):
        buckets.setdefault(host_key(url), []).append(index)
    order: list[int] = []
    queues = [iter(b) for b in buckets.values()]
    while queues:
        remaining = []
        for queue in queues:
            index = next(queue, None)
            if index is not None:
                order.append(index)
                remaining.append(queue)
        queues = remaining
    return order


class HostPoliteness:
    """The per-host limits one Fetcher shares between its threads.

    Args:
        per_host_concurrency: requests in flight at once per host (at least 1).
        per_host_delay: minimum seconds between two request starts to the same host.
        monotonic: the clock that spaces the starts.
        sleep: how to wait for a turn.
    """

    def __init__(
        self,
        per_host_concurrency: int,
        per_host_delay: float,
        *,
        monotonic: Callable[[], float],
        sleep: Callable[[float], None],
    ) -> None:
        self._concurrency = max(1, per_host_concurrency)
        self._delay = per_host_delay
        self._monotonic = monotonic
        self._sleep = sleep
        self._lock = threading.Lock()
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._next_start: dict[str, float] = {}

    def slot(self, host: str) -> threading.BoundedSemaphore:
        """The semaphore a request to `host` holds while in flight."""
        with self._lock:
            slot = self._slots.get(host)
            if slot is None:
                slot = threading.BoundedSemaphore(self._concurrency)
                self._slots[host] = slot
            return slot

    def wait_turn(self, host: str) -> None:
        """Keep request starts to one host at least per_host_delay apart."""
        delay = self._delay
        if delay <= 0:
            return
        with self._lock:
            now = self._monotonic()
            start = max(now, self._next_start.get(host, now))
            self._next_start[host] = start + delay
        if start > now:
            self._sleep(start - now)
