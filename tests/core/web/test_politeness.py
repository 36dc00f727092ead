"""Per-host politeness on its own: host buckets, round-robin order, slots per host, spaced starts."""

from __future__ import annotations

import pytest

from monitor.core.web.politeness import HostPoliteness, host_key, interleaved


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://Example.FR/a", "example.fr:443"),
        ("http://example.fr/a", "example.fr:80"),
        ("http://example.fr:8080/a", "example.fr:8080"),
        (" https://example.fr:443/b ", "example.fr:443"),
        ("http://example.fr:port/", ""),  # unreadable port: one shared bucket, never a crash
    ],
)
def test_host_key_is_host_and_port(url: str, key: str) -> None:
    assert host_key(url) == key


def test_interleaved_takes_hosts_in_turn() -> None:
    urls = ["http://a/1", "http://a/2", "http://a/3", "http://b/1", "http://c/1", "http://b/2"]
    assert interleaved(urls) == [0, 3, 4, 1, 5, 2]


def test_a_host_has_as_many_slots_as_allowed_and_hosts_do_not_share_them() -> None:
    politeness = HostPoliteness(2, 0.0, monotonic=lambda: 0.0, sleep=lambda _: None)
    slot = politeness.slot("a:80")
    assert politeness.slot("a:80") is slot
    assert slot.acquire(blocking=False) and slot.acquire(blocking=False)
    assert not slot.acquire(blocking=False)
    assert politeness.slot("b:80").acquire(blocking=False)
    assert HostPoliteness(0, 0.0, monotonic=lambda: 0.0, sleep=lambda _: None).slot("a:80").acquire(False)


def test_starts_to_one_host_are_spaced_on_the_injected_clock() -> None:
    now = [10.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    politeness = HostPoliteness(1, 0.5, monotonic=lambda: now[0], sleep=sleep)
    for _ in range(3):
        politeness.wait_turn("a:80")  # the clock stands still: each turn is booked half a second later
    politeness.wait_turn("b:80")
    assert sleeps == [0.5, 1.0]
    now[0] = 12.0  # long after the last booked start: no wait
    politeness.wait_turn("a:80")
    assert sleeps == [0.5, 1.0]
