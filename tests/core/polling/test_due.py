"""The rule that turns a feed's stored facts into the time it is due, and `vigie feeds list`, which prints it."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from monitor.cli import main
from monitor.core.models import Feed
from monitor.core.polling.due import MAX_BACKOFF, backoff, due_time, is_overdue
from monitor.core.storage.store import Store
from monitor.core.support.clock import iso

ATTEMPT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def feed(**facts: object) -> Feed:
    values: dict[str, object] = {"id": 7, "url": "https://a.example/rss", "last_fetched": iso(ATTEMPT)}
    values.update(facts)
    return Feed(**values)  # type: ignore[arg-type]


def test_a_feed_never_attempted_is_due_at_once() -> None:
    never = feed(last_fetched=None)
    assert due_time(never) is None
    assert is_overdue(never, ATTEMPT - timedelta(days=400))
    assert not is_overdue(dataclasses.replace(never, enabled=False), ATTEMPT)


def test_after_a_success_the_feed_is_due_one_interval_after_its_attempt() -> None:
    ok = feed(interval_minutes=20)
    assert due_time(ok) == ATTEMPT + timedelta(minutes=20)
    assert not is_overdue(ok, ATTEMPT + timedelta(minutes=19, seconds=59))
    assert is_overdue(ok, ATTEMPT + timedelta(minutes=20))
    assert due_time(feed(interval_minutes=0)) == ATTEMPT + timedelta(minutes=1)
    assert due_time(ok, minute=timedelta(seconds=1)) == ATTEMPT + timedelta(seconds=20)  # the test hook


def test_failures_back_off_exponentially_the_same_way_for_the_same_facts_capped_at_six_hours() -> None:
    for failures in range(1, 20):
        wait = backoff(feed(consecutive_failures=failures))
        step = min(MAX_BACKOFF, timedelta(minutes=2 ** (failures - 1)))
        assert step / 2 <= wait <= step
        assert wait == backoff(feed(consecutive_failures=failures))  # no hidden randomness
        assert wait.microseconds == 0
    spread = {backoff(feed(id=n, consecutive_failures=8)) for n in range(1, 30)}
    assert len(spread) > 10  # feeds that failed together come back at different times
    failing = feed(consecutive_failures=3, interval_minutes=1)
    assert due_time(failing) == ATTEMPT + backoff(failing)
    slow = feed(consecutive_failures=1, interval_minutes=60)
    assert due_time(slow) == ATTEMPT + timedelta(minutes=60)  # never sooner than the interval


def test_a_servers_retry_after_deadline_is_kept_up_to_six_hours() -> None:
    told = feed(consecutive_failures=1, retry_not_before=iso(ATTEMPT + timedelta(hours=2)))
    assert due_time(told) == ATTEMPT + timedelta(hours=2)
    greedy = feed(consecutive_failures=1, retry_not_before=iso(ATTEMPT + timedelta(days=30)))
    assert due_time(greedy) == ATTEMPT + MAX_BACKOFF
    past = feed(
        consecutive_failures=2, interval_minutes=1, retry_not_before=iso(ATTEMPT + timedelta(seconds=5))
    )
    assert due_time(past) == ATTEMPT + backoff(past)  # the backoff is the longer wait here


def test_an_attempt_recorded_in_the_future_counts_from_now() -> None:
    """The wall clock was set back after the attempt: the feed waits its interval from now, not for days."""
    now = ATTEMPT - timedelta(days=2)
    ok = feed(interval_minutes=15)
    assert due_time(ok, now) == now + timedelta(minutes=15)
    told = feed(consecutive_failures=1, retry_not_before=iso(ATTEMPT + timedelta(hours=1)))
    assert due_time(told, now) == now + timedelta(hours=1)
    assert due_time(ok, ATTEMPT + timedelta(hours=1)) == ATTEMPT + timedelta(minutes=15)


def test_vigie_feeds_list_prints_the_time_the_rule_gives(
    data_dir: Path, httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    httpserver.expect_request("/busy.xml").respond_with_response(
        Response("busy", status=503, headers={"Retry-After": "5400"})
    )
    assert main(["feeds", "add", httpserver.url_for("/busy.xml"), "--no-check"]) == 0
    main(["poll"])
    store = Store.open(data_dir / "vigie.sqlite3")
    try:
        (stored,) = store.list_feeds()
    finally:
        store.close()
    attempted = datetime.fromisoformat(stored.last_fetched or "")
    assert due_time(stored) == attempted + timedelta(minutes=90)  # Retry-After: 5400

    capsys.readouterr()
    assert main(["feeds", "list"]) == 0
    assert f"; next poll {iso(attempted + timedelta(minutes=90))}" in capsys.readouterr().out
