"""After a watchlist change between two runs, the window shows at once and re-scores in the background."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.core.models import ArticleQuery
from monitor.core.service import VigieCore
from monitor.paths import AppPaths
from tests.ui.conftest import GuiThreadGuard, Wiring, settle

NEW_ENTRY = '\n[[entry]]\nname = "Ville test"\nkind = "place"\nweight = 5\naliases = ["Marseille"]\n'


@pytest.fixture
def guard() -> GuiThreadGuard:
    return GuiThreadGuard()


@pytest.fixture
def core(data_dir: Path, guard: GuiThreadGuard) -> Iterator[VigieCore]:
    """A profile whose watchlist file gained an entry since the last run, opened as run_app opens it."""
    paths = AppPaths(data_dir)
    VigieCore(paths).close()
    with paths.watchlist.open("a", encoding="utf-8") as out:
        out.write(NEW_ENTRY)
    vigie = VigieCore(paths, rescore_at_start=False)
    guard.watch(vigie)
    yield vigie
    guard.armed = False
    vigie.close()


def marseille_matches(core: VigieCore) -> int:
    return core.store.count(ArticleQuery(entry="Ville test"))


def test_the_constructor_leaves_the_re_score_to_the_window(core: VigieCore, guard: GuiThreadGuard) -> None:
    guard.armed = False
    assert core.rescore_pending
    assert core.store.get_meta("watchlist_version") != core.watchlist.fingerprint
    assert marseille_matches(core) == 0  # not re-scored yet


def test_the_re_score_runs_on_the_runner_with_progress_in_the_status_bar(  # type: ignore[no-untyped-def]
    qtbot, wired: Wiring, guard: GuiThreadGuard
) -> None:
    window = wired.window
    progress: list[tuple[int, int]] = []
    window.bridge.rescore_progress.connect(lambda done, total: progress.append((done, total)))
    with qtbot.waitSignal(window.bridge.rescore_started):
        assert window.bridge.finish_startup_rescore()
    assert window.status.activity.text().startswith("Re-scoring")
    with qtbot.waitSignal(window.bridge.rescore_finished, timeout=20000) as finished:
        pass
    assert finished.args == [5]  # the five seeds
    assert progress and progress[-1][0] == progress[-1][1] == 5
    settle(qtbot, window)
    assert guard.calls == []
    guard.armed = False
    assert not window.core.rescore_pending
    assert window.core.store.get_meta("watchlist_version") == window.core.watchlist.fingerprint
    assert marseille_matches(window.core) > 0
    assert not window.bridge.finish_startup_rescore()  # nothing left to do


def test_what_start_up_does_after_the_re_score_waits_for_its_end(  # type: ignore[no-untyped-def]
    qtbot, wired: Wiring, guard: GuiThreadGuard
) -> None:
    """The name index's catch-up waits (app.when_rescored): two pools of worker processes at once took both
    cores from the window's thread."""
    from monitor.app import when_rescored

    window = wired.window
    done: list[bool] = []
    assert window.bridge.finish_startup_rescore()
    when_rescored(window.bridge, lambda: done.append(window.bridge.rescoring))
    assert done == []  # not yet
    with qtbot.waitSignal(window.bridge.rescore_finished, timeout=20000):
        pass
    assert done == [False]
    when_rescored(window.bridge, lambda: done.append(window.bridge.rescoring))  # none runs: at once
    assert done == [False, False]
    settle(qtbot, window)
    assert guard.calls == []
