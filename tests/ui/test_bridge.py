"""Background work: results reach the GUI thread through signals, and the window keeps working meanwhile.

Every wait is on an event (a signal, a condition, a threading.Event); none counts ticks or measures time.
"""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QTimer
from werkzeug import Request, Response

from monitor.core.errors import UserError, describe_error
from monitor.ui.tasks import TaskRunner
from tests.ui.conftest import Wiring, rss, settle


@pytest.fixture
def runner(qtbot):  # type: ignore[no-untyped-def]
    tasks = TaskRunner()
    yield tasks
    tasks.shutdown(wait=True)


def test_results_and_progress_arrive_on_the_gui_thread(qtbot, runner: TaskRunner) -> None:  # type: ignore[no-untyped-def]
    seen: list[tuple[str, object, bool]] = []
    gui = threading.current_thread()

    def task(progress):  # type: ignore[no-untyped-def]
        worker = threading.current_thread()
        for i in range(3):
            progress(i)
        return worker is not gui

    runner.submit(
        task,
        on_progress=lambda v: seen.append(("progress", v, threading.current_thread() is gui)),
        on_result=lambda v: seen.append(("result", v, threading.current_thread() is gui)),
    )
    qtbot.waitUntil(lambda: any(kind == "result" for kind, _, _ in seen))
    assert seen == [
        ("progress", 0, True),
        ("progress", 1, True),
        ("progress", 2, True),
        ("result", True, True),
    ]
    assert runner.pending() == 0


def test_errors_arrive_as_errors_in_the_core_s_words(qtbot, runner: TaskRunner) -> None:  # type: ignore[no-untyped-def]
    errors: list[BaseException] = []

    def task(_progress):  # type: ignore[no-untyped-def]
        raise UserError("no such feed")

    runner.submit(task, on_error=errors.append)
    qtbot.waitUntil(lambda: bool(errors))
    assert describe_error(errors[0]) == "no such feed"


def test_serial_tasks_run_in_order_on_one_thread(qtbot, runner: TaskRunner) -> None:  # type: ignore[no-untyped-def]
    """The first write is held until every other is queued: the rest must wait for it, in order."""
    gate = threading.Event()
    ran: list[tuple[int, str]] = []

    def write(i: int) -> None:
        if i == 0:
            gate.wait(10)
        ran.append((i, threading.current_thread().name))

    for i in range(20):
        runner.submit(lambda _p, i=i: write(i), serial=True)
    gate.set()
    qtbot.waitUntil(lambda: len(ran) == 20)
    assert [i for i, _ in ran] == list(range(20))
    assert len({name for _, name in ran}) == 1


def test_a_slow_feed_never_holds_the_gui_thread(qtbot, wired: Wiring, httpserver) -> None:  # type: ignore[no-untyped-def]
    """The feed answers only when the test lets it, after the event loop has shown it turns meanwhile:
    a poll on the GUI thread would block before the timer could fire, and the test would time out."""
    release = threading.Event()
    asked = threading.Event()

    def slow(_request: Request) -> Response:
        asked.set()
        release.wait(20)
        return Response(
            rss([{"title": "Amine Kessaci", "link": "https://x.example/1"}]),
            content_type="application/rss+xml",
        )

    httpserver.expect_request("/slow.xml").respond_with_handler(slow)
    window = wired.window
    bridge = window.bridge
    window.core.store.add_feed(httpserver.url_for("/slow.xml"), "Slow")
    progress: list[object] = []
    bridge.poll_progress.connect(progress.append)
    try:
        with qtbot.waitSignal(bridge.poll_started, timeout=10000):
            assert bridge.poll_now()
        qtbot.waitUntil(asked.is_set, timeout=10000)
        assert bridge.polling
        turned = QTimer(window)
        turned.setSingleShot(True)
        with qtbot.waitSignal(turned.timeout, timeout=5000):
            turned.start(0)  # the event loop runs while the feed is still being fetched
        assert not release.is_set() and bridge.polling
    finally:
        release.set()
    with qtbot.waitSignal(bridge.poll_finished, timeout=20000) as finished:
        pass
    assert finished.args[0].new == 1
    assert len(progress) == 1
    settle(qtbot, window)


def test_polling_without_a_scheduler_is_refused(qtbot, core) -> None:  # type: ignore[no-untyped-def]
    """The scheduler's path is the only one: a bridge without it does not poll behind its back."""
    from monitor.ui.bridge import Bridge

    runner = TaskRunner()
    bridge = Bridge(core, runner)
    core.store.add_feed("http://127.0.0.1:9/never.xml", "Never")
    try:
        with qtbot.waitSignal(bridge.message) as said:
            assert not bridge.poll_now()
        assert said.args == ["Polling is not running."]
        assert runner.pending() == 0
    finally:
        runner.shutdown(wait=True)


def test_the_window_polls_the_dev_feeds_in_the_background(qtbot, wired: Wiring, dev_feeds) -> None:  # type: ignore[no-untyped-def]
    """The real thing: a scheduler poll of the five dev feeds; the list and the status bar follow."""
    from monitor.ui.sidebar import Target

    window = wired.window
    for url in dev_feeds.values():
        window.core.store.add_feed(url)
    with qtbot.waitSignal(window.bridge.poll_started, timeout=10000):
        window.act_poll.trigger()
    assert window.status.activity.text().startswith("Polling")
    assert not window.act_poll.isEnabled()
    qtbot.waitUntil(lambda: window.model.rowCount() == 65, timeout=30000)  # 60 dev items and the 5 seeds
    qtbot.waitUntil(window.act_poll.isEnabled)
    assert window.status.last_poll.text().startswith("Last poll")
    window.sidebar.select(Target("view", view="highlighted"))
    assert 0 < window.model.rowCount() < 65
