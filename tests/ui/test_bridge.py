"""Background work: results reach the GUI thread through signals, and the window keeps working meanwhile."""

from __future__ import annotations

import itertools
import threading
import time

import pytest
from PySide6.QtCore import QTimer
from werkzeug import Request, Response

from monitor.core.errors import UserError
from monitor.ui.bridge import Bridge, TaskRunner, describe_error
from tests.ui.conftest import rss


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


def test_errors_arrive_as_errors(qtbot, runner: TaskRunner) -> None:  # type: ignore[no-untyped-def]
    errors: list[BaseException] = []

    def task(_progress):  # type: ignore[no-untyped-def]
        raise UserError("no such feed")

    runner.submit(task, on_error=errors.append)
    qtbot.waitUntil(lambda: bool(errors))
    assert describe_error(errors[0]) == "no such feed"
    assert describe_error(ValueError("x")) == "internal error: ValueError: x"


def test_serial_tasks_run_in_order(qtbot, runner: TaskRunner) -> None:  # type: ignore[no-untyped-def]
    order: list[int] = []
    for i in range(20):
        runner.submit(lambda _p, i=i: (time.sleep(0.001 * (i % 3)), order.append(i)), serial=True)
    qtbot.waitUntil(lambda: len(order) == 20)
    assert order == list(range(20))


def test_a_slow_poll_never_freezes_the_window(qtbot, core, httpserver) -> None:  # type: ignore[no-untyped-def]
    """While a feed takes a second to answer, the event loop keeps running and progress is reported."""

    def slow(_request: Request) -> Response:
        time.sleep(1.0)
        return Response(
            rss([{"title": "Amine Kessaci", "link": "https://x.example/1"}]),
            content_type="application/rss+xml",
        )

    httpserver.expect_request("/slow.xml").respond_with_handler(slow)
    core.store.add_feed(httpserver.url_for("/slow.xml"), "Slow")
    runner = TaskRunner()
    bridge = Bridge(core, runner)
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(20)
    progress: list[object] = []
    bridge.poll_progress.connect(progress.append)
    try:
        with qtbot.waitSignal(bridge.poll_finished, timeout=20000) as finished:
            assert bridge.poll_now()
            assert bridge.polling
            assert not bridge.poll_now()  # one poll at a time
        timer.stop()
        assert finished.args[0].new == 1
        assert len(progress) == 1
        assert len(ticks) > 20  # the GUI thread kept turning while the feed was slow
        assert max(b - a for a, b in itertools.pairwise(ticks)) < 0.5
        assert not bridge.polling
    finally:
        runner.shutdown(wait=True)


def test_the_window_polls_the_dev_feeds_in_the_background(qtbot, qapp, core, dev_feeds) -> None:  # type: ignore[no-untyped-def]
    """The real thing: a worker-thread poll of the five dev feeds; the list and the status bar follow."""
    from monitor.app import build_window
    from monitor.ui.sidebar import Target

    for url in dev_feeds.values():
        core.store.add_feed(url)
    runner = TaskRunner()
    window = build_window(core, runner, confirm=lambda _q: True)
    qtbot.addWidget(window)
    try:
        window.show()
        with qtbot.waitSignal(window.bridge.poll_finished, timeout=30000):
            window.act_poll.trigger()
            assert window.status.activity.text().startswith("Polling")
            assert not window.act_poll.isEnabled()
        qtbot.waitUntil(lambda: window.model.rowCount() == 65)  # 60 dev items and the 5 seeds
        assert window.act_poll.isEnabled()
        assert window.status.last_poll.text().startswith("Last poll")
        window.sidebar.select(Target("view", view="highlighted"))
        assert 0 < window.model.rowCount() < 65
    finally:
        window.close()
        runner.shutdown(wait=True)
