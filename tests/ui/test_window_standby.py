"""The window stands by on the poller lease (issue 19), on both engines: while another process holds the lease
(a real `vigie serve`, or a bare lease holder) the window polls nothing, its status bar and Poll now name the
holder, and the holder's new articles reach its list; when the holder is killed, the window takes the lease,
polls the overdue feeds at once and says so; when it quits, the lease is free again."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from werkzeug import Request, Response

from monitor.cli import main
from monitor.core.storage.lease import lease_for
from monitor.core.storage.store import Store
from monitor.paths import AppPaths
from monitor.ui.poll_standby import ROLE_WORDS, TAKEN_OVER, WindowPoller
from tests.conftest import REPO
from tests.core.hostile_server import rss
from tests.core.team.test_roles import _as
from tests.core.team.test_roles import roles as roles  # the fixture: packaging's roles and their logins
from tests.pg_server import empty_database

ALERT_TITLE = "Amine Kessaci menacé par le narcotrafic à Marseille après le meurtre de Mehdi Kessaci"
SERVED = rss(
    "Served",
    [
        ("served-0", "Served by the service 0"),
        ("served-1", "Served by the service 1"),
        ("alert", ALERT_TITLE),
    ],
)
WAIT_MS = 60_000  # an upper bound for a slow, shared machine; the tests wait for events, never for a duration

# A process that takes the poller lease, says so and holds it until killed.
HOLDER = """
import sys, time
from pathlib import Path
from monitor.cli import main
from monitor.core.storage.lease import lease_for
lease = lease_for(Path(sys.argv[1]), sys.argv[2] or None)
assert lease.try_acquire(), "the lease was not free"
print("held", flush=True)
time.sleep(3600)
"""


@pytest.fixture
def database(engine: str, request: pytest.FixtureRequest, tmp_path: Path) -> str | None:
    """None (the profile's SQLite file) or the URL of the session's emptied PostgreSQL database."""
    if engine == "sqlite":
        return None
    url = request.getfixturevalue("postgres_server")
    Store.open(tmp_path / "unused.sqlite3", database=url).close()  # the schema, once
    return empty_database(url)


class Child:
    """A child process on the profile: stopped (SIGKILL) at the end of the test if still alive."""

    def __init__(self, command: list[str], log: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        self.log = log
        with log.open("wb") as err:
            self.process = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=err, env=env, cwd=REPO, text=True
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=WAIT_MS / 1000)
        if self.process.stdout is not None:
            self.process.stdout.close()


@pytest.fixture
def children() -> Iterator[list[Child]]:
    started: list[Child] = []
    yield started
    for child in started:
        child.kill()


def hold_lease(data_dir: Path, database: str | None, tmp_path: Path, children: list[Child]) -> Child:
    """A bare lease holder in a process of its own, once it holds the lease."""
    holder = Child(
        [sys.executable, "-c", HOLDER, str(data_dir / "vigie.sqlite3"), database or ""],
        tmp_path / "holder.err",
    )
    children.append(holder)
    assert holder.process.stdout is not None
    assert holder.process.stdout.readline().strip() == "held", holder.log.read_text()
    return holder


def serve(database: str | None, tmp_path: Path, children: list[Child]) -> Child:
    """A real `vigie serve` on the profile (it takes the lease at once: nobody else holds it)."""
    command = [sys.executable, "-m", "monitor", *(["--database", database] if database else [])]
    command += ["serve", "--retry", "0.2", "--resync", "0.5"]
    child = Child(command, tmp_path / "serve.err")
    children.append(child)
    return child


@dataclass
class Opened:
    window: object
    poller: WindowPoller


@pytest.fixture
def open_window(qtbot, qapp, data_dir: Path) -> Iterator:  # type: ignore[no-untyped-def]
    """Opens the window on the profile as run_app does (its poller started), with short standby timings."""
    from monitor.app import build_window, setup_application, wire_scheduling
    from monitor.core.service import VigieCore
    from monitor.ui.tasks import TaskRunner

    opened: list[tuple[VigieCore, TaskRunner, WindowPoller]] = []

    def open_one(database: str | None, analyst: str = "alice") -> Opened:
        setup_application(qapp)
        core = VigieCore(AppPaths(data_dir), database=database, analyst=analyst if database else None)
        runner = TaskRunner()
        window = build_window(core, runner, confirm=lambda _q: True)
        qtbot.addWidget(window)
        poller, _notifier = wire_scheduling(
            core,
            window,
            qapp,
            jitter_seconds=0,
            gather_seconds=0,
            retry_seconds=0.2,
            check_seconds=0.2,
            watch_seconds=0.2,
        )
        opened.append((core, runner, poller))
        window.show()
        qtbot.waitExposed(window)
        return Opened(window, poller)

    yield open_one
    for core, runner, poller in opened:
        poller.shutdown(wait=True)
        runner.shutdown(wait=True)
        core.close()
    QApplication.setQuitOnLastWindowClosed(True)


def add_feed(database: str | None, url: str, title: str) -> None:
    """`vigie feeds add` (it makes the profile on a first use)."""
    assert (
        main(
            [
                *(["--database", database] if database else []),
                "feeds",
                "add",
                "--no-check",
                url,
                "--title",
                title,
            ]
        )
        == 0
    )


def titles(window) -> list[str]:  # type: ignore[no-untyped-def]
    model = window.model
    return [row.title for row in (model.row_at(i) for i in range(model.rowCount())) if row is not None]


def test_the_window_stands_by_while_another_process_holds_the_lease_and_takes_over_when_it_dies(  # type: ignore[no-untyped-def]
    qtbot, open_window, data_dir: Path, database: str | None, httpserver, tmp_path: Path, children
) -> None:
    body = rss("Local", [(f"local-{i}", f"Standby local item {i}") for i in range(3)])
    httpserver.expect_request("/local.xml").respond_with_data(body, content_type="application/rss+xml")
    add_feed(database, httpserver.url_for("/local.xml"), "Local")  # never polled: overdue
    holder = hold_lease(data_dir, database, tmp_path, children)

    opened = open_window(database)
    window, poller = opened.window, opened.poller
    started: list[int] = []
    window.bridge.poll_started.connect(started.append)
    with qtbot.waitSignal(poller.standing_by, timeout=WAIT_MS) as standing:
        poller.start()
    words = standing.args[0]
    assert words.startswith("Polling is done by vigie on ") and words.endswith("; this window stands by")
    assert f"(pid {holder.pid})" in words  # the holder is named
    assert window.status.standby.isVisible() and words in window.status.standby.text()
    assert poller.scheduler is None and poller.standing_by_now

    # Poll now says who polls, in words, instead of an error; nothing is fetched.
    with qtbot.waitSignal(window.bridge.message, timeout=WAIT_MS) as said:
        window.act_poll.trigger()
    assert said.args == [words]
    assert not window.status.error.isVisible()
    assert started == [] and len(httpserver.log) == 0

    messages: list[str] = []
    window.statusBar().messageChanged.connect(messages.append)
    holder.kill()  # SIGKILL: the kernel (or the server) drops its lock
    with (
        qtbot.waitSignal(poller.took_over, timeout=WAIT_MS),
        qtbot.waitSignal(
            window.bridge.poll_finished, timeout=WAIT_MS, check_params_cb=lambda result: result.new == 3
        ),
    ):
        pass
    assert poller.scheduler is not None and not poller.standing_by_now
    assert not window.status.standby.isVisible()
    assert TAKEN_OVER in messages  # said, before the poll's own message
    qtbot.waitUntil(lambda: "Standby local item 0" in titles(window), timeout=WAIT_MS)

    poller.shutdown(wait=True)  # quitting gives the lease back
    other = lease_for(data_dir / "vigie.sqlite3", database, name="the test")
    try:
        assert other.try_acquire()
    finally:
        other.release()


def test_a_window_standing_by_for_vigie_serve_lists_its_new_articles_and_takes_over(  # type: ignore[no-untyped-def]
    qtbot, open_window, data_dir: Path, database: str | None, httpserver, tmp_path: Path, children
) -> None:
    """The service polls a feed whose answer waits until the window stands by: the window, which polls nothing,
    lists the service's articles all the same. Killed, the service's place is the window's."""
    standing = threading.Event()

    def answer(_request: Request) -> Response:
        standing.wait(WAIT_MS / 1000)
        return Response(SERVED, content_type="application/rss+xml")

    httpserver.expect_request("/served.xml").respond_with_handler(answer)
    add_feed(database, httpserver.url_for("/served.xml"), "Served")
    service = serve(database, tmp_path, children)
    qtbot.waitUntil(lambda: "took the poller lease" in service.log.read_text(), timeout=WAIT_MS)

    opened = open_window(database)
    window, poller = opened.window, opened.poller
    with qtbot.waitSignal(poller.standing_by, timeout=WAIT_MS) as said:
        poller.start()
    assert f"(pid {service.pid})" in said.args[0]
    assert said.args[0] in window.status.standby.text()
    qtbot.waitUntil(lambda: poller.watching, timeout=WAIT_MS)  # the watch knows the store as it is now
    # Its alerts reach the window too: on SQLite through the same watch, on PostgreSQL pushed by the server.
    alerted = window.team.pushed_notification if database else poller.notification
    with (
        qtbot.waitSignal(poller.store_moved, timeout=WAIT_MS),
        qtbot.waitSignal(alerted, timeout=WAIT_MS) as notified,
    ):
        standing.set()  # the service's fetch answers now; its articles are stored by the service alone
    assert "Kessaci" in notified.args[0].body
    qtbot.waitUntil(lambda: "Served by the service 0" in titles(window), timeout=WAIT_MS)
    # The poll's end is recorded after its articles: a later look of the watch shows it.
    qtbot.waitUntil(lambda: window.status.last_poll.text().startswith("Last poll"), timeout=WAIT_MS)
    assert poller.scheduler is None

    service.kill()
    with qtbot.waitSignal(poller.took_over, timeout=WAIT_MS):
        pass
    with qtbot.waitSignal(window.bridge.poll_finished, timeout=WAIT_MS):
        window.act_poll.trigger()  # Poll now polls: the window holds the lease


def test_an_analysts_window_on_postgresql_leaves_polling_to_the_service(  # type: ignore[no-untyped-def]
    qtbot, open_window, data_dir: Path, roles: str
) -> None:
    """An analyst's login may not store articles: her window never takes the lease (a service started after it
    would otherwise stand by behind a window whose polls all fail), and says so."""
    from monitor.core.service import VigieCore

    VigieCore(AppPaths(data_dir), database=roles).close()  # the owner sets the store up (seeds, watchlist)
    opened = open_window(_as(roles, "alice"))
    window, poller = opened.window, opened.poller
    with qtbot.waitSignal(poller.standing_by, timeout=WAIT_MS) as said:
        poller.start()
    assert said.args == [ROLE_WORDS] and ROLE_WORDS in window.status.standby.text()
    service = lease_for(data_dir / "vigie.sqlite3", _as(roles, "poller"), name="the service")
    try:
        assert service.try_acquire()  # free: the window never took it
    finally:
        service.release()
    with qtbot.waitSignal(window.bridge.message, timeout=WAIT_MS) as told:
        window.act_poll.trigger()
    assert told.args == [ROLE_WORDS]


def test_a_window_standing_by_is_told_of_the_spikes_the_holders_polls_find(  # type: ignore[no-untyped-def]
    qtbot, open_window, data_dir: Path, database: str | None, tmp_path: Path, children
) -> None:
    """The holder's poll stores a burst of articles naming an entry and logs the spike: the window standing by
    shows it as its own poll would have, once."""
    from monitor.core.service import VigieCore
    from tests.core.signals.test_spikes import _publish

    add_feed(database, "https://standby.example/rss", "Standby")  # makes the profile
    hold_lease(data_dir, database, tmp_path, children)
    opened = open_window(database)
    poller = opened.poller
    with qtbot.waitSignal(poller.standing_by, timeout=WAIT_MS):
        poller.start()
    qtbot.waitUntil(lambda: poller.watching and poller._spikes_seen is not None, timeout=WAIT_MS)

    holder = VigieCore(AppPaths(data_dir), database=database, analyst="bob" if database else None)
    try:
        entry = holder.watchlist.entries[0].name
        now = datetime.now(UTC)
        _publish(holder.store, entry, [now - timedelta(minutes=m) for m in range(1, 60, 6)])
        notes: list = []  # on SQLite the watch also tells the stored items' alert: only spikes are looked at
        poller.notification.connect(
            lambda note: notes.append(note) if note.title.startswith("Spike") else None
        )
        [spike] = holder.signals.check_spikes()  # as the holder does after its poll
        qtbot.waitUntil(lambda: bool(notes), timeout=WAIT_MS)
        assert notes[0].title == f"Spike: {entry}" and notes[0].body == spike.body
        assert sorted(notes[0].article_ids) == sorted(spike.article_ids)
        qtbot.wait(1_000)  # five more looks of the watch: the spike is not told again
        assert len(notes) == 1
    finally:
        holder.close()
