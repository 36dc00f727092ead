"""The standby loop's hooks (core/polling/headless.py), which the window's status bar follows, on both engines:
while another holder has the lease the loop says whom it stands by for, once; when that holder lets go it takes
the lease and hands over its started scheduler; stopped, it says polling stopped with that same scheduler, and
the lease is free again. Real leases (a flock, an advisory lock), a real store and scheduler."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from pathlib import Path

from monitor.core.polling.headless import HeadlessPoller, StandbyHooks
from monitor.core.polling.poller import PollResult
from monitor.core.polling.scheduler import PollFunction, PollScheduler
from monitor.core.storage.lease import lease_for
from monitor.core.storage.store import Store

WAIT_S = 60.0  # an upper bound for a slow, shared machine; the test waits for events, never for a duration


def _never_polls(feed_ids, *, on_progress=None, cancel=None) -> PollResult:  # type: ignore[no-untyped-def]
    raise AssertionError(f"no feed to poll, yet asked to poll {feed_ids}")


def _never_takes_over(gated: PollFunction) -> PollScheduler:
    raise AssertionError("the lease is held elsewhere: the loop must not take over")


def test_the_loop_tells_whom_it_stands_by_for_then_hands_over_its_scheduler(
    open_store: Callable[[], Store], tmp_path: Path
) -> None:
    store = open_store()
    database = tmp_path / "v.sqlite3"
    other = lease_for(database, store.database, name="vigie on elsewhere (pid 1)")
    assert other.try_acquire()
    told: queue.Queue[tuple[str, object]] = queue.Queue()
    made: list[PollScheduler] = []

    def make_scheduler(gated: PollFunction) -> PollScheduler:
        made.append(PollScheduler(store, gated, jitter_seconds=0))
        return made[-1]

    hooks = StandbyHooks(
        on_standby=lambda holder: told.put(("standby", holder)),
        on_takeover=lambda scheduler: told.put(("takeover", scheduler)),
        on_released=lambda scheduler: told.put(("released", scheduler)),
        on_error=lambda message: told.put(("error", message)),
    )
    ours = lease_for(database, store.database, name="the window")
    loop = HeadlessPoller(
        ours, _never_polls, make_scheduler, retry_seconds=0.05, check_seconds=0.05, hooks=hooks
    )
    stop = threading.Event()
    thread = threading.Thread(target=loop.run, args=(stop,), daemon=True)
    thread.start()
    try:
        kind, holder = told.get(timeout=WAIT_S)
        assert kind == "standby" and isinstance(holder, str)
        assert holder.startswith("vigie on elsewhere (pid 1)")  # on PostgreSQL, its server pid follows
        assert not ours.held and made == []

        other.release()
        kind, scheduler = told.get(timeout=WAIT_S)
        assert (kind, scheduler) == ("takeover", made[0]) and ours.held and made[0].running
        assert loop.takeovers == 1
    finally:
        stop.set()
        thread.join(WAIT_S)
        other.release()
    assert told.get(timeout=WAIT_S) == ("released", made[0])
    assert told.empty()  # the standby was told once, not at every try
    assert not made[0].running and not ours.held
    again = lease_for(database, store.database, name="the next one")
    try:
        assert again.try_acquire()  # the loop gave the lease back when it stopped
    finally:
        again.release()


def test_a_standby_names_the_holder_again_when_it_changes(postgres_server: str, tmp_path: Path) -> None:
    """The holder is read again every `holder_seconds`: when it is another (here the holding session names
    itself anew, as a new holder would be named), the standby is told again, with the new name."""
    import psycopg

    from monitor.core.storage.lease import PG_LEASE_KEY

    Store.open(tmp_path / "unused.sqlite3", database=postgres_server).close()  # the schema, once
    told: queue.Queue[str] = queue.Queue()
    with psycopg.connect(
        postgres_server, autocommit=True, application_name="vigie on first (pid 1)"
    ) as first:
        assert first.execute("SELECT pg_try_advisory_lock(%s, %s)", PG_LEASE_KEY).fetchone()[0]
        ours = lease_for(tmp_path / "v.sqlite3", postgres_server, name="the window")
        loop = HeadlessPoller(
            ours,
            _never_polls,
            _never_takes_over,
            retry_seconds=0.05,
            holder_seconds=0.05,
            hooks=StandbyHooks(on_standby=told.put),
        )
        stop = threading.Event()
        thread = threading.Thread(target=loop.run, args=(stop,), daemon=True)
        thread.start()
        try:
            assert told.get(timeout=WAIT_S).startswith("vigie on first (pid 1)")
            first.execute("SET application_name = 'vigie on second (pid 2)'")
            assert told.get(timeout=WAIT_S).startswith("vigie on second (pid 2)")
            assert not ours.held
        finally:
            stop.set()
            thread.join(WAIT_S)
