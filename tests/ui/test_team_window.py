"""The window on a team's shared PostgreSQL database (issue 19): the usual window, the main window's own tests
run on it too (imported below: one suite, not a copy), SQLite-only features greyed out with a tooltip, and a
server lost while it runs gives a banner with Retry."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from monitor.core.storage.store import Store
from monitor.paths import AppPaths
from monitor.ui.main_window import MainWindow
from monitor.ui.team_mode import SERVER_LOST_LIST, SQLITE_ONLY
from tests.pg_server import empty_database
from tests.ui.conftest import settle
from tests.ui.test_main_window import (  # noqa: F401 - run again here on the shared database
    test_keyboard_moves_reads_stars_and_opens,
    test_mark_all_read,
    test_opening_an_article_marks_it_read,
    test_sidebar_feeds_and_watchlist_entries_filter_the_list,
    test_the_window_opens_on_the_seeds_with_their_highlights,
    test_unread_rows_are_bold_in_the_view,
)


@pytest.fixture
def team_url(tmp_path: Path, postgres_server: str) -> str:
    Store.open(tmp_path / "unused.sqlite3", database=postgres_server).close()
    return empty_database(postgres_server)


@pytest.fixture
def core(data_dir: Path, team_url: str) -> Iterator[object]:
    from monitor.core.service import VigieCore

    vigie = VigieCore(AppPaths(data_dir), database=team_url, analyst="alice")
    yield vigie
    vigie.close()


def test_sqlite_only_features_are_greyed_out_with_a_tooltip(window: MainWindow) -> None:
    assert window.core.on_shared_database
    greyed = [window.act_backup, window.act_restore, window.act_cases]
    greyed += [window.signals.act_timeline, window.signals.act_emerging, window.signals.act_cooccurrence]
    for action in greyed:
        assert not action.isEnabled() and action.toolTip() == SQLITE_ONLY
    assert window.story_mode.action.isEnabled()  # stories work on PostgreSQL (test_team_story_mode.py)
    assert window.act_toggle_star.isEnabled() and window.act_poll.isEnabled()
    assert "alice" in window.team.who.text() and not window.team.banner.isVisible()


def test_a_lost_server_gives_a_banner_with_retry(qtbot, window: MainWindow, team_url: str) -> None:  # type: ignore[no-untyped-def]
    """The database stops taking connections and drops the window's: the next read fails, the banner says so
    and stays while Retry finds the server gone; once it is back, Retry hides it and the list reads again."""
    import psycopg

    dbname = urlsplit(team_url).path.lstrip("/")
    team = window.team
    with psycopg.connect(team_url.replace(f"/{dbname}?", "/postgres?"), autocommit=True) as admin:
        admin.execute(f"ALTER DATABASE {dbname} ALLOW_CONNECTIONS false")
        try:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [dbname]
            )
            window.reload_list()  # a read on the GUI thread fails; the check on the runner confirms
            qtbot.waitUntil(lambda: team.banner.isVisible(), timeout=15000)
            assert "cannot be reached" in team.banner.label.text()
            assert window.model.rowCount() == 0 and window.view.empty_message == SERVER_LOST_LIST
            with qtbot.waitSignal(team.reachable, timeout=15000) as answered:
                team.banner.button.click()
            assert answered.args == [False] and team.banner.isVisible()
        finally:
            admin.execute(f"ALTER DATABASE {dbname} ALLOW_CONNECTIONS true")
    with qtbot.waitSignal(team.reachable, timeout=15000) as answered:
        team.banner.button.click()
    assert answered.args == [True]
    assert not team.banner.isVisible()
    settle(qtbot, window)
    assert window.model.rowCount() > 0  # the seeds, read again
    assert window.core.paths.watchlist.exists() and window.core.paths.settings.parent.exists()


def test_alerts_of_another_clients_poll_are_pushed_to_the_window(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow, team_url: str, tmp_path: Path
) -> None:
    from tests.core.team.test_pushed_alerts import poll

    team = window.team
    qtbot.waitUntil(lambda: team.listener.last_seq is not None, timeout=10000)  # listening
    poller = Store.open(tmp_path / "p.sqlite3", database=team_url, analyst="poller")
    try:
        with qtbot.waitSignal(team.pushed_notification, timeout=10000) as shown:
            ids = poll(poller, ["Alerte venue du serveur"])
    finally:
        poller.close()
    notification = shown.args[0]
    assert notification.article_ids == ids and notification.body == "Alerte venue du serveur"
    settle(qtbot, window)
    assert window.model.row_of(ids[0]) is not None  # the list was read again
