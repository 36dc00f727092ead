"""`vigie serve` as real processes on both engines: it polls local feeds on schedule, a second one stands by
while the first holds the poller lease, takes over when the first is killed with SIGKILL, and stops with exit
code 0 on SIGTERM, a poll in flight included."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug import Request, Response

from monitor.cli import main
from monitor.core.storage.store import Store
from tests.conftest import REPO
from tests.core.hostile_server import rss
from tests.pg_server import empty_database

WAIT_S = 60.0  # an upper bound for a slow, shared machine; the tests wait for events, never for a duration


class Serve:
    """One `vigie serve` child process, its stderr in a file the test reads as it grows."""

    def __init__(self, tmp: Path, name: str, database: str | None, *extra: str) -> None:
        self.log = tmp / f"{name}.err"
        command = [sys.executable, "-m", "monitor"]
        command += ["--database", database] if database else []
        command += ["serve", "--retry", "0.2", "--resync", "0.5", *extra]
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        with self.log.open("wb") as err:
            self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err, env=env, cwd=REPO)

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, words: str, count: int = 1) -> None:
        deadline = time.monotonic() + WAIT_S
        while self.text().count(words) < count:
            if self.process.poll() is not None:
                pytest.fail(f"vigie serve ended ({self.process.returncode}) before {words!r}:\n{self.text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"vigie serve never said {words!r}:\n{self.text()}")
            time.sleep(0.1)

    def stop(self, signum: int = signal.SIGTERM) -> int:
        self.process.send_signal(signum)
        return self.process.wait(timeout=WAIT_S)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=WAIT_S)


@pytest.fixture
def database(engine: str, request: pytest.FixtureRequest) -> str | None:
    """None (the profile's SQLite file) or the URL of the session's emptied PostgreSQL database."""
    return empty_database(request.getfixturevalue("postgres_server")) if engine == "postgresql" else None


@pytest.fixture
def serves(tmp_path: Path) -> Iterator[list[Serve]]:
    started: list[Serve] = []
    yield started
    for serve in started:
        serve.kill()


def _cli(database: str | None, *args: str) -> None:
    assert main([*(["--database", database] if database else []), *args]) == 0


def _stored(data_dir: Path, database: str | None, source: str) -> int:
    store = Store.open(data_dir / "vigie.sqlite3", database=database)
    try:
        return int(
            store.conn.execute("SELECT count(*) FROM articles WHERE source = ?", (source,)).fetchone()[0]
        )
    finally:
        store.close()


def _wait_stored(data_dir: Path, database: str | None, source: str, count: int) -> None:
    deadline = time.monotonic() + WAIT_S
    while _stored(data_dir, database, source) < count:
        assert time.monotonic() < deadline, f"{source} never reached {count} stored articles"
        time.sleep(0.2)


def _feed(httpserver, path: str, prefix: str, items: int = 3) -> str:  # type: ignore[no-untyped-def]
    body = rss(prefix, [(f"{prefix}-{i}", f"{prefix} item {i}") for i in range(items)])
    httpserver.expect_request(path).respond_with_data(body, content_type="application/rss+xml")
    return str(httpserver.url_for(path))


def test_a_standby_takes_over_when_the_polling_service_is_killed(
    data_dir: Path, database: str | None, httpserver, tmp_path: Path, serves: list[Serve]
) -> None:
    first_feed = _feed(httpserver, "/first.xml", "first")
    _cli(database, "feeds", "add", "--no-check", first_feed, "--title", "First")

    first = Serve(tmp_path, "first", database)
    serves.append(first)
    first.wait_for("took the poller lease")
    _wait_stored(data_dir, database, first_feed, 3)  # a feed never polled is due at once

    second = Serve(tmp_path, "second", database)
    serves.append(second)
    second.wait_for("standby: the poller lease is held by")
    assert f"pid {first.process.pid})" in second.text(), second.text()  # the holder is named
    assert "took the poller lease" not in second.text()

    first.kill()  # SIGKILL: no handler runs, nothing is released by the process itself
    second.wait_for("took the poller lease")
    later_feed = _feed(httpserver, "/later.xml", "later")
    _cli(database, "feeds", "add", "--no-check", later_feed, "--title", "Later")
    _wait_stored(data_dir, database, later_feed, 3)  # only the second process is alive to poll it

    assert second.stop(signal.SIGTERM) == 0
    assert "SIGTERM received: stopping" in second.text() and second.text().rstrip().endswith("stopped")
    assert _stored(data_dir, database, first_feed) == 3  # the takeover polled nothing twice


def test_sigterm_lets_the_poll_in_flight_end_and_exits_0(
    data_dir: Path, database: str | None, httpserver, tmp_path: Path, serves: list[Serve]
) -> None:
    quick = _feed(httpserver, "/quick.xml", "quick")
    fetched = threading.Event()
    release = threading.Event()

    def slow(_request: Request) -> Response:
        fetched.set()
        release.wait(WAIT_S)  # held until the service was told to stop
        return Response(rss("slow", [("slow-1", "slow item")]), content_type="application/rss+xml")

    httpserver.expect_request("/slow.xml").respond_with_handler(slow)
    slow_url = httpserver.url_for("/slow.xml")
    _cli(database, "feeds", "add", "--no-check", quick, "--title", "Quick")
    _cli(database, "feeds", "add", "--no-check", slow_url, "--title", "Slow")

    serve = Serve(tmp_path, "serve", database)
    serves.append(serve)
    assert fetched.wait(WAIT_S), serve.text()
    _wait_stored(data_dir, database, quick, 3)
    serve.process.send_signal(signal.SIGTERM)
    serve.wait_for("SIGTERM received")
    release.set()  # the fetch in flight answers; its items are stored whole before the process ends
    assert serve.process.wait(timeout=WAIT_S) == 0, serve.text()
    assert "the poll in flight" in serve.text()
    assert _stored(data_dir, database, slow_url) in (0, 1)  # whole or not at all, never half a feed
    assert _stored(data_dir, database, quick) == 3


def test_serve_refuses_a_server_it_cannot_reach_in_one_line(data_dir: Path, tmp_path: Path) -> None:
    url = f"postgresql://vigie@/none?host={tmp_path}"
    done = subprocess.run(
        [sys.executable, "-m", "monitor", "--database", url, "serve"],
        capture_output=True,
        text=True,
        timeout=WAIT_S,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        cwd=REPO,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("vigie: error: cannot reach the database"), done.stderr


def test_a_one_off_poll_refuses_while_the_service_polls(
    data_dir: Path, database: str | None, httpserver, tmp_path: Path, serves: list[Serve], capsys
) -> None:
    feed = _feed(httpserver, "/feed.xml", "feed")
    _cli(database, "feeds", "add", "--no-check", feed, "--title", "Feed")
    serve = Serve(tmp_path, "serve", database)
    serves.append(serve)
    serve.wait_for("took the poller lease")
    _wait_stored(data_dir, database, feed, 3)
    capsys.readouterr()

    assert main([*(["--database", database] if database else []), "poll"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("vigie: error: another Vigie polls this store") and "\n" not in err
    assert f"pid {serve.process.pid})" in err

    assert serve.stop() == 0
    _cli(database, "poll")  # the lease is free again


def test_a_scheduled_poll_outside_the_lease_stands_aside_while_another_process_polls(
    data_dir: Path, database: str | None, httpserver, tmp_path: Path
) -> None:
    """A PollScheduler on VigieCore.poll that does not hold the lease (the window's scheduler runs behind it,
    tests/ui/test_window_standby.py): VigieCore.poll refuses in words, naming the holder, and polls once free."""
    from monitor.core.polling.scheduler import PollScheduler, SchedulerCallbacks
    from monitor.core.service import VigieCore, core_poll_function
    from monitor.core.storage.lease import lease_for
    from monitor.paths import AppPaths

    feed = _feed(httpserver, "/feed.xml", "feed")
    _cli(database, "feeds", "add", "--no-check", feed, "--title", "Feed")
    core = VigieCore(AppPaths.resolve(data_dir), database=database)
    service = lease_for(core.paths.database, database, name="vigie serve elsewhere")
    errors: list[str] = []
    try:
        assert service.try_acquire()
        scheduler = PollScheduler(
            core.store, core_poll_function(core), SchedulerCallbacks(on_error=errors.append), jitter_seconds=0
        )
        assert scheduler.tick() is None  # the never-polled feed is due, but another process holds the lease
        assert errors and "vigie serve elsewhere" in errors[0]
        assert len(httpserver.log) == 0 and _stored(data_dir, database, feed) == 0
        service.release()
        scheduler.poll_now()
        result = scheduler.run_pending()
        assert result is not None and result.new == 3
    finally:
        service.release()
        core.close()
