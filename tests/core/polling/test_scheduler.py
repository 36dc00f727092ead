"""The poll scheduler, driven by an injected clock against feeds served on 127.0.0.1.

Most tests step the scheduler by hand (`tick`, `watchdog`, `run_pending`) with the real poller behind it: the
APScheduler jobs are the plan even then (pending jobs of a scheduler not started), and `next_run` reads them. A
few run the real BackgroundScheduler with an interval minute trimmed to a second, waiting on events, never on
timings.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from monitor.core.matching.matcher import Matcher
from monitor.core.matching.watchlist import load_default_watchlist
from monitor.core.models import Feed
from monitor.core.polling.due import due_time
from monitor.core.polling.poller import FeedReport, PollResult, poll_once
from monitor.core.polling.scheduler import PollFunction, PollScheduler, SchedulerCallbacks
from monitor.core.service import VigieCore, core_poll_function
from monitor.core.storage.feed_records import FeedState
from monitor.core.storage.store import Store
from monitor.core.support.clock import iso, utc_now
from monitor.core.web.fetch import Fetcher, FetchSettings
from monitor.paths import AppPaths

# After the real now, so that the attempts a test records at the real now are in the past at T0.
T0 = (datetime.now(UTC) + timedelta(days=1)).replace(second=0, microsecond=0)
WAIT = 20.0  # seconds an event may take before a test gives up (never a timing assertion)

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Local news</title><link>http://127.0.0.1/</link>
{items}
</channel></rss>"""
ITEM = """<item><guid>{guid}</guid><title>{title}</title><link>http://127.0.0.1/{guid}</link>
<description>{title}</description><pubDate>Fri, 14 Nov 2025 08:00:00 GMT</pubDate></item>"""


def rss(*titles: str) -> bytes:
    items = "\n".join(ITEM.format(guid=f"item-{i}", title=t) for i, t in enumerate(titles))
    return RSS.format(items=items).encode()


class Clock:
    """Wall and monotonic clocks that move only when told; `sleep` moves the wall clock alone (a suspend)."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now
        self.mono = 1000.0

    def __call__(self) -> datetime:
        return self.now

    def monotonic(self) -> float:
        return self.mono

    def advance(self, delta: timedelta) -> None:
        self.now += delta
        self.mono += delta.total_seconds()

    def sleep(self, delta: timedelta) -> None:
        self.now += delta


@dataclass
class Endpoint:
    """A feed URL whose answer a test can change between polls; counts the requests it served."""

    status: int = 200
    body: bytes = field(default_factory=lambda: rss("Marseille : Amine Kessaci témoigne"))
    hits: int = 0
    headers: dict[str, str] = field(default_factory=dict)  # of an error answer

    def __call__(self, request: Request) -> Response:
        self.hits += 1
        if self.status != 200:
            return Response("no", status=self.status, headers=self.headers)
        return Response(self.body, status=200, content_type="application/rss+xml")


@dataclass
class Env:
    store: Store
    clock: Clock
    server: HTTPServer
    poll: PollFunction
    events: list[tuple[str, object]] = field(default_factory=list)

    def feed(self, name: str, endpoint: Endpoint, interval: int = 15) -> Feed:
        self.server.expect_request(f"/{name}.xml").respond_with_handler(endpoint)
        feed, _ = self.store.add_feed(self.server.url_for(f"/{name}.xml"), name, interval)
        return feed

    def get(self, feed: Feed) -> Feed:
        current = self.store.get_feed(feed.id)
        assert current is not None
        return current

    def scheduler(self, **options: object) -> PollScheduler:
        callbacks = SchedulerCallbacks(
            on_poll_started=lambda ids: self.events.append(("started", ids)),
            on_progress=lambda done, total, report: self.events.append(("progress", (done, total))),
            on_poll_finished=lambda result: self.events.append(("finished", result.poll_id)),
            on_error=lambda message: self.events.append(("error", message)),
        )
        defaults: dict[str, object] = {
            "clock": self.clock,
            "monotonic": self.clock.monotonic,
            "jitter_seconds": 0,
            "gather_seconds": 0,
            "rng": random.Random(3),
        }
        defaults.update(options)
        return PollScheduler(self.store, self.poll, callbacks, **defaults)  # type: ignore[arg-type]


def make_poll(store: Store, clock: Callable[[], datetime]) -> PollFunction:
    """What the app injects (VigieCore.poll on those feeds), from the same parts."""
    matcher = Matcher(load_default_watchlist())

    def poll(
        feed_ids: Sequence[int],
        *,
        on_progress: Callable[[int, int, FeedReport], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> PollResult:
        feeds = [f for f in (store.get_feed(i) for i in feed_ids) if f is not None]
        with Fetcher(FetchSettings(connect_timeout=5, read_timeout=5, total_timeout=10)) as fetcher:
            return poll_once(
                feeds,
                store,
                fetcher,
                matcher,
                clock=clock,
                on_progress=on_progress,
                cancel=cancel,
                full_poll=False,
            )

    return poll


@pytest.fixture
def env(tmp_path: Path, httpserver: HTTPServer) -> Iterator[Env]:
    store = Store.open(tmp_path / "vigie.sqlite3")
    clock = Clock()
    yield Env(store, clock, httpserver, make_poll(store, clock))
    store.close()


def polled_ids(result: PollResult | None) -> list[int]:
    assert result is not None
    return sorted(r.feed_id for r in result.reports)


def new_threads(before: set[threading.Thread]) -> list[str]:
    return [t.name for t in threading.enumerate() if t not in before and t.is_alive()]


# -- intervals -----------------------------------------------------------------------------------------------


def test_a_feed_is_polled_when_its_interval_has_passed_and_not_before(env: Env) -> None:
    site = Endpoint()
    feed = env.feed("news", site, interval=15)
    scheduler = env.scheduler()

    assert scheduler.due_feeds() == [feed.id]  # never polled: due at once
    assert polled_ids(scheduler.tick()) == [feed.id]
    assert due_time(env.get(feed)) == T0 + timedelta(minutes=15)
    assert scheduler.next_run(feed.id) == T0 + timedelta(minutes=15)

    env.clock.advance(timedelta(minutes=14, seconds=59))
    assert scheduler.tick() is None
    assert site.hits == 1

    env.clock.advance(timedelta(seconds=1))
    assert polled_ids(scheduler.tick()) == [feed.id]
    assert site.hits == 2


def test_each_feed_keeps_its_own_interval(env: Env) -> None:
    fast = env.feed("fast", Endpoint(), interval=5)
    slow = env.feed("slow", Endpoint(), interval=20)
    scheduler = env.scheduler()
    assert polled_ids(scheduler.tick()) == [fast.id, slow.id]  # both due together: one poll

    seen = []
    for _ in range(4):
        env.clock.advance(timedelta(minutes=5))
        seen.append(polled_ids(scheduler.tick()))
    assert seen == [[fast.id], [fast.id], [fast.id], [fast.id, slow.id]]


def test_feeds_due_close_together_share_one_poll(env: Env) -> None:
    first = env.feed("first", Endpoint(), interval=15)
    second = env.feed("second", Endpoint(), interval=15)
    scheduler = env.scheduler(gather_seconds=60)
    scheduler.tick()
    # The second feed is fetched again 40 s later (say, by the CLI): its job runs 40 s after the first one's.
    env.clock.advance(timedelta(seconds=40))
    env.store.record_fetch(second.id, FeedState(200, None), iso(env.clock.now))
    scheduler.sync()
    assert scheduler.run_pending() is None
    assert scheduler.next_run(second.id) == T0 + timedelta(minutes=15, seconds=40)

    env.clock.advance(timedelta(minutes=14, seconds=20))
    assert polled_ids(scheduler.tick()) == [first.id, second.id]


def test_jitter_delays_each_run_by_at_most_the_jitter(env: Env) -> None:
    feeds = [env.feed(f"f{i}", Endpoint(), interval=10) for i in range(5)]
    scheduler = env.scheduler(jitter_seconds=30)
    scheduler.tick()
    runs = [scheduler.next_run(f.id) for f in feeds]
    nominal = T0 + timedelta(minutes=10)
    assert all(run is not None and nominal <= run <= nominal + timedelta(seconds=30) for run in runs)
    assert len(set(runs)) > 1


def test_the_interval_is_at_least_one_minute(env: Env) -> None:
    feed = env.feed("news", Endpoint(), interval=1)
    env.store.conn.execute("UPDATE feeds SET interval_minutes = 0 WHERE id = ?", (feed.id,))
    scheduler = env.scheduler()
    scheduler.tick()
    assert scheduler.next_run(feed.id) == T0 + timedelta(minutes=1)


# -- failures ------------------------------------------------------------------------------------------------


def test_a_failing_feed_backs_off_exponentially_up_to_six_hours_then_recovers(env: Env) -> None:
    site = Endpoint(status=500)
    feed = env.feed("flaky", site, interval=1)
    scheduler = env.scheduler()

    delays = []
    for _ in range(14):
        assert polled_ids(scheduler.tick()) == [feed.id]
        due = due_time(env.get(feed))
        assert due is not None and scheduler.next_run(feed.id) == due
        delays.append((due - env.clock.now).total_seconds())
        env.clock.advance(due - env.clock.now - timedelta(seconds=1))
        assert scheduler.tick() is None  # not a second early
        env.clock.advance(timedelta(seconds=1))

    assert env.get(feed).consecutive_failures == 14
    for n, delay in enumerate(delays, start=1):
        full = min(6 * 3600, 60 * 2 ** (n - 1))
        assert max(60, full / 2) <= delay <= full  # jitter keeps 50-100 % of the exponential step
    assert delays[-1] >= 3 * 3600 and max(delays) <= 6 * 3600

    site.status = 200
    assert polled_ids(scheduler.tick()) == [feed.id]
    recovered = env.get(feed)
    assert recovered.consecutive_failures == 0 and recovered.last_error is None
    assert scheduler.next_run(feed.id) == env.clock.now + timedelta(minutes=1)


def test_a_server_that_asks_to_retry_later_is_left_alone_until_then(env: Env) -> None:
    site = Endpoint(status=503, headers={"Retry-After": "5400"})
    feed = env.feed("busy", site, interval=5)
    scheduler = env.scheduler()
    assert polled_ids(scheduler.tick()) == [feed.id]
    assert scheduler.next_run(feed.id) == T0 + timedelta(minutes=90)

    env.clock.advance(timedelta(minutes=89, seconds=59))
    assert scheduler.tick() is None
    env.clock.advance(timedelta(seconds=1))
    site.status = 200
    assert polled_ids(scheduler.tick()) == [feed.id]
    assert env.get(feed).retry_not_before is None  # a success clears the server's deadline
    assert scheduler.next_run(feed.id) == env.clock.now + timedelta(minutes=5)


def test_a_re_timed_feed_gets_its_job_re_armed_at_the_new_interval(env: Env) -> None:
    feed = env.feed("news", Endpoint(), interval=15)
    scheduler = env.scheduler()
    scheduler.tick()
    env.clock.advance(timedelta(minutes=5))

    env.store.update_feed_settings(feed.id, interval_minutes=60)
    scheduler.sync()
    assert scheduler.run_pending() is None  # not overdue: nothing to poll, only the job to move
    assert scheduler.next_run(feed.id) == T0 + timedelta(minutes=60)
    env.store.update_feed_settings(feed.id, interval_minutes=2)
    scheduler.sync()
    assert polled_ids(scheduler.run_pending()) == [feed.id]  # overdue at the new interval: polled at once
    assert scheduler.next_run(feed.id) == env.clock.now + timedelta(minutes=2)


def test_a_gone_feed_and_a_feed_missing_three_times_are_disabled_and_unscheduled(env: Env) -> None:
    gone = env.feed("gone", Endpoint(status=410), interval=1)
    missing = env.feed("missing", Endpoint(status=404), interval=1)
    healthy = env.feed("healthy", Endpoint(), interval=1)
    scheduler = env.scheduler()

    scheduler.tick()
    assert not env.get(gone).enabled and "410" in (env.get(gone).disabled_reason or "")
    assert scheduler.scheduled_feeds() == [missing.id, healthy.id]

    for _ in range(2):
        env.clock.advance(timedelta(hours=1))
        scheduler.tick()
    assert not env.get(missing).enabled and "404" in (env.get(missing).disabled_reason or "")
    assert scheduler.scheduled_feeds() == [healthy.id]

    env.clock.advance(timedelta(days=1))
    assert scheduler.due_feeds() == [healthy.id]
    assert polled_ids(scheduler.tick()) == [healthy.id]


def test_a_re_enabled_feed_is_scheduled_again_and_polled_at_once(env: Env) -> None:
    site = Endpoint(status=410)
    feed = env.feed("back", site, interval=5)
    scheduler = env.scheduler()
    scheduler.tick()
    assert scheduler.scheduled_feeds() == []

    site.status = 200
    env.store.update_feed_settings(feed.id, enabled=True)
    scheduler.sync()
    assert polled_ids(scheduler.run_pending()) == [feed.id]
    assert scheduler.scheduled_feeds() == [feed.id]


def test_a_poll_that_raises_is_reported_and_cannot_spin(env: Env) -> None:
    feed = env.feed("news", Endpoint(), interval=10)

    def broken(feed_ids: Sequence[int], **_: object) -> PollResult:
        raise RuntimeError("disk full")

    scheduler = PollScheduler(
        env.store,
        broken,
        SchedulerCallbacks(on_error=lambda m: env.events.append(("e", m))),
        clock=env.clock,
        monotonic=env.clock.monotonic,
        jitter_seconds=0,
    )
    assert scheduler.tick() is None
    assert env.events == [("e", "the poll failed: disk full")]
    assert scheduler.next_run(feed.id) == T0 + timedelta(minutes=10)  # not "now" again


# -- catching up ---------------------------------------------------------------------------------------------


def test_overdue_feeds_are_polled_at_once_after_a_clock_jump(env: Env) -> None:
    feed = env.feed("news", Endpoint(), interval=15)
    scheduler = env.scheduler()
    scheduler.tick()

    env.clock.advance(timedelta(seconds=30))
    assert scheduler.watchdog() is False
    assert scheduler.run_pending() is None

    env.clock.sleep(timedelta(hours=3))  # the laptop slept: the wall clock moved, the monotonic one did not
    env.clock.advance(timedelta(seconds=30))
    assert scheduler.watchdog() is True
    assert polled_ids(scheduler.run_pending()) == [feed.id]
    assert scheduler.next_run(feed.id) == env.clock.now + timedelta(minutes=15)


def test_a_clock_set_back_does_not_leave_feeds_waiting_for_days(env: Env) -> None:
    feed = env.feed("news", Endpoint(), interval=15)
    scheduler = env.scheduler()
    scheduler.tick()
    env.clock.now -= timedelta(days=2)  # someone set the clock back
    env.clock.advance(timedelta(seconds=30))
    assert scheduler.watchdog() is True
    scheduler.run_pending()
    run = scheduler.next_run(feed.id)
    assert run is not None and run <= env.clock.now + timedelta(minutes=15)


def test_overdue_feeds_are_polled_at_start_up(env: Env) -> None:
    overdue = env.feed("overdue", Endpoint(), interval=15)
    later = env.feed("later", Endpoint(), interval=15)
    # Last fetched 2 h 15 min ago (due 2 h ago), and 5 min ago (due in 10 min).
    env.store.record_fetch(overdue.id, FeedState(200, None), iso(utc_now() - timedelta(hours=2, minutes=15)))
    env.store.record_fetch(later.id, FeedState(200, None), iso(utc_now() - timedelta(minutes=5)))
    finished = threading.Event()
    results: list[PollResult] = []

    def done(result: PollResult) -> None:
        results.append(result)
        finished.set()

    scheduler = PollScheduler(
        env.store,
        make_poll(env.store, utc_now),
        SchedulerCallbacks(on_poll_finished=done),
        jitter_seconds=0,
        gather_seconds=0,
    )
    scheduler.start()
    try:
        assert finished.wait(WAIT)
        assert polled_ids(results[0]) == [overdue.id]
        # The running jobs hold the plan the rule gives, by the time the poll is reported finished.
        assert scheduler.next_run(later.id) == due_time(env.get(later))
        assert scheduler.next_run(overdue.id) == due_time(env.get(overdue))
    finally:
        scheduler.shutdown(wait=True)


# -- what the user does --------------------------------------------------------------------------------------


def test_poll_now_polls_one_feed_or_all_of_them_before_they_are_due(env: Env) -> None:
    a_site, b_site = Endpoint(), Endpoint()
    a = env.feed("a", a_site, interval=60)
    b = env.feed("b", b_site, interval=60)
    scheduler = env.scheduler()
    scheduler.tick()
    env.clock.advance(timedelta(minutes=5))

    scheduler.poll_now(a.id)
    assert polled_ids(scheduler.run_pending()) == [a.id]
    assert (a_site.hits, b_site.hits) == (2, 1)

    scheduler.poll_now()
    assert polled_ids(scheduler.run_pending()) == [a.id, b.id]
    assert (a_site.hits, b_site.hits) == (3, 2)

    scheduler.poll_now([b.id, a.id])
    assert polled_ids(scheduler.run_pending()) == [a.id, b.id]
    assert (a_site.hits, b_site.hits) == (4, 3)
    assert scheduler.next_run(b.id) == env.clock.now + timedelta(minutes=60)


def test_a_paused_scheduler_polls_nothing_until_resumed_then_catches_up(env: Env) -> None:
    site = Endpoint()
    feed = env.feed("news", site, interval=15)
    scheduler = env.scheduler()
    scheduler.tick()

    scheduler.pause()
    assert scheduler.paused
    env.clock.advance(timedelta(hours=1))
    assert scheduler.tick() is None
    assert site.hits == 1

    scheduler.poll_now(feed.id)  # an explicit request still runs
    assert polled_ids(scheduler.run_pending()) == [feed.id]
    env.clock.advance(timedelta(hours=1))
    assert scheduler.tick() is None

    scheduler.resume()
    assert polled_ids(scheduler.run_pending()) == [feed.id]
    assert site.hits == 3


def test_callbacks_say_when_a_poll_starts_progresses_and_ends(env: Env) -> None:
    feed = env.feed("news", Endpoint(), interval=15)
    result = env.scheduler().tick()
    assert result is not None
    assert env.events == [("started", [feed.id]), ("progress", (1, 1)), ("finished", result.poll_id)]
    assert result.alert_ids  # "Amine Kessaci" is on the default watchlist


# -- the real BackgroundScheduler ----------------------------------------------------------------------------


def test_the_background_scheduler_polls_on_the_interval_and_shuts_down_cleanly(env: Env) -> None:
    site = Endpoint()
    feed = env.feed("news", site, interval=1)
    before = set(threading.enumerate())
    polls: list[PollResult] = []
    third = threading.Event()

    def finished(result: PollResult) -> None:
        polls.append(result)
        if len(polls) >= 3:
            third.set()

    scheduler = PollScheduler(
        env.store,
        make_poll(env.store, utc_now),
        SchedulerCallbacks(on_poll_finished=finished),
        minute=timedelta(seconds=1),  # the test hook: a one-minute interval lasts one second
        jitter_seconds=0,
        gather_seconds=0,
        watchdog_seconds=1,
    )
    scheduler.start()
    try:
        assert third.wait(WAIT), f"only {len(polls)} polls"
        assert scheduler.running and scheduler.scheduled_feeds() == [feed.id]
        assert scheduler.next_run(feed.id) is not None  # read from the running job
        scheduler.pause()
        scheduler.resume()
    finally:
        scheduler.shutdown(wait=True)
    assert not scheduler.running
    assert all(polled_ids(p) == [feed.id] for p in polls)
    assert new_threads(before) == []
    assert site.hits >= 3


def test_shutdown_cancels_the_poll_in_progress_and_waits_for_its_write(env: Env) -> None:
    env.feed("news", Endpoint(), interval=15)
    inside = threading.Event()
    cancelled: list[bool] = []

    def slow_poll(
        feed_ids: Sequence[int], *, on_progress: object = None, cancel: threading.Event | None = None
    ) -> PollResult:
        inside.set()
        assert cancel is not None
        cancelled.append(cancel.wait(WAIT))  # fetching stops once shutdown asks
        env.store.set_meta("written", "yes")  # then the write it had begun ends whole
        return PollResult(poll_id=1, started=iso(utc_now()), finished=iso(utc_now()))

    before = set(threading.enumerate())
    scheduler = PollScheduler(env.store, slow_poll, jitter_seconds=0)
    scheduler.start()
    assert inside.wait(WAIT)
    scheduler.shutdown(wait=True)

    assert cancelled == [True]
    assert env.store.get_meta("written") == "yes"
    assert new_threads(before) == []


def test_cancel_poll_stops_the_running_poll_and_the_schedule_goes_on(env: Env) -> None:
    env.feed("news", Endpoint(), interval=15)
    inside = threading.Event()
    polls: list[bool] = []

    def slow_poll(
        feed_ids: Sequence[int], *, on_progress: object = None, cancel: threading.Event | None = None
    ) -> PollResult:
        inside.set()
        assert cancel is not None
        polls.append(cancel.wait(WAIT))
        return PollResult(poll_id=len(polls), started=iso(utc_now()), finished=iso(utc_now()))

    finished = threading.Event()
    scheduler = PollScheduler(
        env.store, slow_poll, SchedulerCallbacks(on_poll_finished=lambda _: finished.set()), jitter_seconds=0
    )
    scheduler.start()
    try:
        assert inside.wait(WAIT)
        scheduler.cancel_poll()
        assert finished.wait(WAIT)
        assert polls == [True] and scheduler.running and not scheduler.busy
    finally:
        scheduler.shutdown(wait=True)


def test_the_app_poll_function_polls_those_feeds_through_vigie_core(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    clock = Clock()
    core = VigieCore(AppPaths(tmp_path / "profile"), clock=clock)
    try:
        site, other = Endpoint(), Endpoint()
        httpserver.expect_request("/a.xml").respond_with_handler(site)
        httpserver.expect_request("/b.xml").respond_with_handler(other)
        a, _ = core.store.add_feed(httpserver.url_for("/a.xml"), "A", 15)
        core.store.add_feed(httpserver.url_for("/b.xml"), "B", 15)
        progress: list[tuple[int, int]] = []

        result = core_poll_function(core)([a.id], on_progress=lambda d, t, _: progress.append((d, t)))

        assert polled_ids(result) == [a.id] and (site.hits, other.hits) == (1, 0)
        assert progress == [(1, 1)] and result.alert_ids
        scheduler = PollScheduler(core.store, core_poll_function(core), clock=clock, jitter_seconds=0)
        assert scheduler.due_feeds() == [f.id for f in core.store.list_feeds() if f.id != a.id]
    finally:
        core.close()
