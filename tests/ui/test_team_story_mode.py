"""The list's story mode on a team's shared PostgreSQL database: the story-mode tests (test_story_mode.py)
run again here with the window over the session's PostgreSQL (imported below: one suite, not a copy), every
store read on the task runner (the guard is armed)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.core.service import VigieCore
from monitor.core.storage.store import Store
from monitor.paths import AppPaths
from tests.pg_server import empty_database
from tests.ui.conftest import GuiThreadGuard
from tests.ui.test_story_mode import (  # noqa: F401 - run again here on the shared database
    mode,
    test_a_story_shows_its_timeline_and_a_report_opens_in_the_reader,
    test_each_story_column_sorts_the_rows,
    test_j_and_k_move_between_stories,
    test_one_row_per_story_expanded_to_its_reports_earliest_first,
    test_the_rows_come_a_page_at_a_time_as_the_view_reaches_their_end,
    test_the_selection_and_the_expanded_stories_are_kept_across_reloads,
    test_the_sidebar_and_the_filters_select_stories_by_any_report,
)


@pytest.fixture
def core(data_dir: Path, postgres_server: str, tmp_path: Path, guard: GuiThreadGuard) -> Iterator[VigieCore]:
    """The window's core on the shared database, its store and matcher guarded before the window exists."""
    Store.open(tmp_path / "unused.sqlite3", database=postgres_server).close()
    vigie = VigieCore(AppPaths(data_dir), database=empty_database(postgres_server), analyst="alice")
    guard.watch(vigie)
    yield vigie
    guard.armed = False
    vigie.close()


def test_the_story_view_is_on_over_the_shared_database(mode) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    window = mode.tree.window()
    assert window.core.on_shared_database and window.team is not None
    assert mode.action.isEnabled() and mode.enabled and mode.tree.isVisible()
