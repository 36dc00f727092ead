"""The window on a team's shared PostgreSQL database (issue 19): the usual window, the main window's own tests
run on it too (imported below: one suite, not a copy), as do the case view's and Add to case's (the analyst's own
case files on the server), SQLite-only features greyed out with a tooltip, the signal views on the server, and a
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
from tests.ui.conftest import GuiThreadGuard, settle
from tests.ui.test_case_view import (  # noqa: F401 - run again here: cases work on the shared database
    test_add_to_case_without_an_article_says_what_to_do,
    test_pin_from_the_reader_then_work_in_the_case_view,
)
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
def core(data_dir: Path, team_url: str, guard: GuiThreadGuard) -> Iterator[object]:
    from monitor.core.service import VigieCore

    vigie = VigieCore(AppPaths(data_dir), database=team_url, analyst="alice")
    guard.watch(vigie)  # the case view's test checks that the GUI thread never reads the server
    yield vigie
    guard.armed = False
    vigie.close()


def test_sqlite_only_features_are_greyed_out_with_a_tooltip(window: MainWindow) -> None:
    assert window.core.on_shared_database
    greyed = [window.act_backup, window.act_restore]
    for action in greyed:
        assert not action.isEnabled() and action.toolTip() == SQLITE_ONLY
    signals = [window.signals.act_timeline, window.signals.act_emerging, window.signals.act_cooccurrence]
    assert all(a.isEnabled() and a.toolTip() != SQLITE_ONLY for a in signals)  # signals work on the server
    assert window.story_mode.action.isEnabled()  # stories work on PostgreSQL (test_team_story_mode.py)
    assert window.act_toggle_star.isEnabled() and window.act_poll.isEnabled()
    assert window.act_cases.isEnabled() and window.act_add_to_case.isEnabled()  # cases: each analyst's own
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


def test_the_signal_views_read_the_shared_database(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow, guard: GuiThreadGuard
) -> None:
    """Timeline, who appears with whom and emerging names open in team mode and show the server's counts (read
    on the task runner: the guard fails the test if the GUI thread reads the server)."""
    from datetime import timedelta

    from monitor.core.models import ParsedItem
    from monitor.core.support.clock import iso, utc_now
    from tests.ui.test_signals_views import RECENT

    core = window.core
    guard.armed = False
    items = [
        ParsedItem(
            guid=f"r{i}",
            link=f"https://news.example/{i}",
            title=text.split(". ")[0][:80],
            summary="",
            content=text,
            content_html="",
            published=iso(utc_now() - timedelta(days=1, hours=i)),
        )
        for i, text in enumerate(RECENT)
    ]
    feed, _ = core.store.add_feed("https://news.example/rss")
    pending = core.store.prepare(feed.url, items)
    assessed = [(p, core.matcher.assess(p.item.title, "", p.item.content)) for p in pending]
    core.store.save_items(
        source=feed.url, feed_id=feed.id, items=assessed, fetched_at=iso(utc_now()), poll_id=1
    )
    guard.armed = True

    window.sidebar.timeline_requested.emit("Amine Kessaci")
    timeline = window.signals.timeline
    assert timeline is not None
    qtbot.waitUntil(lambda: bool(timeline.rows), timeout=10000)
    assert sum(r.count for r in timeline.rows) == 3  # the last 30 days: the recent items, not the seeds

    window.signals.act_cooccurrence.trigger()
    matrix = window.signals.cooccurrence
    assert matrix is not None
    qtbot.waitUntil(lambda: matrix.found is not None, timeout=10000)
    assert matrix.found.count("Amine Kessaci", "DZ Mafia") >= 1

    emerging = window.signals.open_emerging()
    qtbot.waitUntil(lambda: bool(emerging.names), timeout=10000)
    assert emerging.names[0].name == "Karim Zeroual"
    settle(qtbot, window)
    assert guard.calls == []
