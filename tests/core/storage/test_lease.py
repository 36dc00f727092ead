"""The poller lease on both engines: one holder at a time, released on demand, and lost (then free for another)
when the holder's session dies. The process-level takeover is tests/core/polling/test_serve.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.core.storage.lease import PG_LEASE_KEY, AdvisoryLease, FileLease, Lease, lease_for
from tests.pg_server import empty_database


@pytest.fixture
def leases(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[Lease, Lease]]:
    url = None
    if engine == "postgresql":
        url = empty_database(request.getfixturevalue("postgres_server"))
    database = tmp_path / "vigie.sqlite3"
    one, two = lease_for(database, url, name="one"), lease_for(database, url, name="two")
    yield one, two
    one.release()
    two.release()


def test_one_holder_at_a_time_and_the_next_after_a_release(leases: tuple[Lease, Lease]) -> None:
    one, two = leases
    assert one.try_acquire() and one.held and one.still_held()
    assert one.try_acquire()  # taking it again is a no-op
    assert not two.try_acquire() and not two.held
    assert "one" in two.holder()
    one.release()
    assert not one.held and not one.still_held()
    assert two.try_acquire()
    assert not one.try_acquire()


def test_the_lock_file_sits_beside_the_database(tmp_path: Path) -> None:
    lease = lease_for(tmp_path / "vigie.sqlite3")
    assert isinstance(lease, FileLease) and lease.path == tmp_path / "vigie.sqlite3.poller-lock"
    assert lease.try_acquire()
    assert (lease.path.stat().st_mode & 0o777) == 0o600
    lease.release()
    assert lease.holder() == ""  # a released lease names nobody


def test_a_holder_whose_session_dies_loses_the_lease_to_the_standby(postgres_server: str) -> None:
    import psycopg

    url = empty_database(postgres_server)
    holder, standby = AdvisoryLease(url, "holder"), AdvisoryLease(url, "standby")
    try:
        assert holder.try_acquire()
        assert not standby.try_acquire()
        with psycopg.connect(url, autocommit=True) as admin:  # the server ends the holder's session
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND classid = %s AND objid = %s AND objsubid = 2",
                PG_LEASE_KEY,
            )
        assert standby.try_acquire()
        assert not holder.still_held() and not holder.held  # it must stop polling: the lease is elsewhere
    finally:
        holder.release()
        standby.release()
