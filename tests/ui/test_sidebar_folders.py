"""The feeds' folder tree in the sidebar: nesting and summed counts, folders kept open or closed, feeds dragged
between folders, the per-folder commands reaching the store and the scheduler, and a folder's articles listed."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QContextMenuEvent, QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QTreeWidgetItem
from pytestqt.qtbot import QtBot

from monitor.core.matching.watchlist import load_default_watchlist
from monitor.core.models import ArticleQuery, Assessment, Feed
from monitor.core.service import VigieCore
from monitor.ui.article_model import ROW_ROLE
from monitor.ui.main_window import MainWindow
from monitor.ui.sidebar import Sidebar, Target, sidebar_rows
from monitor.ui.sidebar_commands import COLLAPSED_KEY, Prompts, SidebarCommands
from monitor.ui.sidebar_rows import feed_target, folder_target
from monitor.ui.uistate import UiState
from tests.ui.conftest import Wiring, item, rss, settle, store_items

NEWS, FRANCE, TECH, LATER = ("News",), ("News", "France"), ("Tech",), ("Later",)


def _feed(feed_id: int, folder: tuple[str, ...], **fields: object) -> Feed:
    return Feed(
        id=feed_id,
        url=f"https://feed{feed_id}.example/rss",
        title=f"Feed {feed_id}",
        folder=folder,
        last_fetched="2026-11-23T10:00:00+00:00",
        last_status=200,
        **fields,  # type: ignore[arg-type]
    )


def _children(parent: QTreeWidgetItem) -> list[str]:
    return [parent.child(i).text(0) for i in range(parent.childCount())]


def _show(sidebar: Sidebar, feeds: list[Feed], unread: dict, highlighted: dict) -> None:  # type: ignore[type-arg]
    rows = sidebar_rows({}, feeds, unread, load_default_watchlist().entries, {}, highlighted, [LATER])
    sidebar.show_rows(rows)
    sidebar.flush()


FEEDS = [_feed(1, NEWS), _feed(2, FRANCE), _feed(3, FRANCE, muted=True), _feed(4, TECH), _feed(5, ())]
UNREAD = {1: 4, 2: 7, 3: 1, 4: 2, 5: 9, None: 100}
HIGHLIGHTED = {1: 1, 2: 3, 4: 2, None: 50}


def test_folders_nest_with_the_unread_and_highlighted_counts_of_their_whole_subtree(qtbot: QtBot) -> None:
    sidebar = Sidebar()
    qtbot.addWidget(sidebar)
    _show(sidebar, FEEDS, UNREAD, HIGHLIGHTED)
    feeds_group = sidebar.topLevelItem(1)
    assert feeds_group.text(0) == "FEEDS"
    # Folders first (by title), then the feeds at that level; the empty folder is there too.
    assert _children(feeds_group) == ["Later", "News", "Tech", "Feed 5"]
    news, france = sidebar.item_for(folder_target(NEWS)), sidebar.item_for(folder_target(FRANCE))
    assert _children(news) == ["France", "Feed 1"]
    assert _children(france) == ["Feed 2", "Feed 3"]
    assert france.parent() is news and news.parent() is feeds_group
    counts = {
        path: (sidebar.item_for(folder_target(path)).text(1), sidebar.item_for(folder_target(path)).text(2))
        for path in (NEWS, FRANCE, TECH, LATER)
    }
    assert counts == {NEWS: ("12", "4"), FRANCE: ("8", "3"), TECH: ("2", "2"), LATER: ("", "")}
    assert sidebar.item_for(feed_target(2)).text(1) == "7" and sidebar.item_for(feed_target(2)).text(2) == "3"
    assert "1 of its feeds muted" in france.toolTip(0)

    # Counts change in place: the same items, the sums follow.
    before = {path: sidebar.item_for(folder_target(path)) for path in (NEWS, FRANCE)}
    _show(sidebar, FEEDS, {**UNREAD, 2: 0}, {**HIGHLIGHTED, 2: 0})
    assert {p: sidebar.item_for(folder_target(p)) for p in (NEWS, FRANCE)} == before
    assert (news.text(1), news.text(2), france.text(1), france.text(2)) == ("5", "1", "1", "")


def test_closed_folders_stay_closed_when_the_counts_change_and_when_the_tree_is_rebuilt(qtbot: QtBot) -> None:
    sidebar = Sidebar()
    qtbot.addWidget(sidebar)
    _show(sidebar, FEEDS, UNREAD, HIGHLIGHTED)
    news = sidebar.item_for(folder_target(NEWS))
    assert news.isExpanded()
    with qtbot.waitSignal(sidebar.collapsed_changed):
        news.setExpanded(False)  # as the arrow or the Left key does
    assert sidebar.collapsed_folders == {NEWS}

    _show(sidebar, FEEDS, {**UNREAD, 1: 40}, HIGHLIGHTED)  # in place
    assert sidebar.item_for(folder_target(NEWS)) is news and not news.isExpanded()
    _show(sidebar, [*FEEDS, _feed(6, NEWS)], UNREAD, HIGHLIGHTED)  # a feed came: rebuilt
    rebuilt = sidebar.item_for(folder_target(NEWS))
    assert rebuilt is not news
    assert not rebuilt.isExpanded()
    assert sidebar.item_for(folder_target(FRANCE)).isExpanded()  # a folder inside keeps its own state
    assert sidebar.item_for(folder_target(TECH)).isExpanded()


def test_a_drop_on_the_view_asks_for_the_move_and_leaves_the_rows_to_the_recount(qtbot: QtBot) -> None:
    sidebar = Sidebar()
    qtbot.addWidget(sidebar)
    sidebar.resize(300, 600)
    sidebar.show()
    qtbot.waitExposed(sidebar)
    _show(sidebar, FEEDS, UNREAD, HIGHLIGHTED)
    feed = sidebar.item_for(feed_target(4))
    data = sidebar.mimeData([feed])
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier

    def over(target: Target) -> QPoint:
        return sidebar.visualItemRect(sidebar.item_for(target)).center()

    # Qt delivers a drop only to the widget that accepted the drag's enter and moves.
    enter = QDragEnterEvent(over(folder_target(FRANCE)), Qt.DropAction.MoveAction, data, buttons, keys)
    QApplication.sendEvent(sidebar.viewport(), enter)
    refused = QDragMoveEvent(over(Target("view", view="all")), Qt.DropAction.MoveAction, data, buttons, keys)
    QApplication.sendEvent(sidebar.viewport(), refused)
    assert not refused.isAccepted()  # not onto a view
    move = QDragMoveEvent(over(folder_target(FRANCE)), Qt.DropAction.MoveAction, data, buttons, keys)
    QApplication.sendEvent(sidebar.viewport(), move)
    assert move.isAccepted()
    drop = QDropEvent(QPointF(over(folder_target(FRANCE))), Qt.DropAction.MoveAction, data, buttons, keys)
    with qtbot.waitSignal(sidebar.feeds_dropped) as dropped:
        QApplication.sendEvent(sidebar.viewport(), drop)
    assert dropped.args == [(4,), FRANCE]
    assert drop.isAccepted()
    assert sidebar.item_for(feed_target(4)) is feed and feed.parent() is sidebar.item_for(folder_target(TECH))


def _feeds_in_folders(core: VigieCore) -> dict[str, Feed]:
    """Four feeds (News: one, News/France: two, Tech: one) with unread articles, some highlighted."""
    feeds: dict[str, Feed] = {}
    for name, folder, count in (
        ("news", NEWS, 3),
        ("lyon", FRANCE, 2),
        ("paris", FRANCE, 4),
        ("tech", TECH, 5),
    ):
        feed, _ = core.add_feed(f"http://127.0.0.1/{name}.xml", name.title(), folder=folder)
        feeds[name] = feed
        items = [item(feed.id * 100 + n, link=f"https://{name}.example/{n}") for n in range(count)]
        marks = [Assessment(score=9.0, highlighted=n % 2 == 0) for n in range(count)]
        store_items(core.store, items, source=feed.url, feed_id=feed.id, assessments=marks)
    core.create_folder(LATER)
    return feeds


def _refresh(qtbot: QtBot, window: MainWindow) -> None:
    window.refresh_sidebar()
    settle(qtbot, window)


def test_the_window_counts_each_folder_from_the_store(qtbot: QtBot, window: MainWindow) -> None:
    _feeds_in_folders(window.core)
    _refresh(qtbot, window)
    sidebar = window.sidebar
    news, france = sidebar.item_for(folder_target(NEWS)), sidebar.item_for(folder_target(FRANCE))
    # News: 3 + 2 + 4 unread, of which 2 + 1 + 2 highlighted; France: 2 + 4, 1 + 2.
    assert (news.text(1), news.text(2), france.text(1), france.text(2)) == ("9", "5", "6", "3")
    assert sidebar.item_for(folder_target(LATER)) is not None  # empty, from VigieCore.folders()


def test_a_feed_dropped_on_a_folder_moves_there_in_the_store(qtbot: QtBot, window: MainWindow) -> None:
    feeds = _feeds_in_folders(window.core)
    _refresh(qtbot, window)
    sidebar = window.sidebar
    dragged = sidebar.mimeData([sidebar.item_for(feed_target(feeds["tech"].id))])
    onto = sidebar.indexFromItem(sidebar.item_for(folder_target(FRANCE)))
    with qtbot.waitSignal(window.bridge.feeds_changed):
        assert sidebar.model().dropMimeData(dragged, Qt.DropAction.MoveAction, -1, -1, onto)
    settle(qtbot, window)
    assert window.core.store.get_feed(feeds["tech"].id).folder == FRANCE
    moved = sidebar.item_for(feed_target(feeds["tech"].id))
    assert moved.parent() is sidebar.item_for(folder_target(FRANCE))
    assert sidebar.item_for(folder_target(FRANCE)).text(1) == "11"

    # On the Feeds header: out of every folder. On a feed: into that feed's folder.
    dragged = sidebar.mimeData([moved])
    assert sidebar.model().dropMimeData(
        dragged, Qt.DropAction.MoveAction, -1, -1, sidebar.indexFromItem(sidebar.topLevelItem(1))
    )
    settle(qtbot, window)
    assert window.core.store.get_feed(feeds["tech"].id).folder == ()
    dragged = sidebar.mimeData([sidebar.item_for(feed_target(feeds["tech"].id))])
    onto = sidebar.indexFromItem(sidebar.item_for(feed_target(feeds["news"].id)))
    assert sidebar.model().dropMimeData(dragged, Qt.DropAction.MoveAction, -1, -1, onto)
    settle(qtbot, window)
    assert window.core.store.get_feed(feeds["tech"].id).folder == NEWS
    # Not onto a view or an entry.
    dragged = sidebar.mimeData([sidebar.item_for(feed_target(feeds["tech"].id))])
    onto = sidebar.indexFromItem(sidebar.item_for(Target("view", view="all")))
    assert not sidebar.model().dropMimeData(dragged, Qt.DropAction.MoveAction, -1, -1, onto)


def test_a_folder_dropped_on_another_moves_with_its_feeds_never_into_itself(
    qtbot: QtBot, window: MainWindow
) -> None:
    feeds = _feeds_in_folders(window.core)
    _refresh(qtbot, window)
    sidebar = window.sidebar

    def drop(path: tuple[str, ...], onto: QTreeWidgetItem) -> bool:
        dragged = sidebar.mimeData([sidebar.item_for(folder_target(path))])
        return sidebar.model().dropMimeData(
            dragged, Qt.DropAction.MoveAction, -1, -1, sidebar.indexFromItem(onto)
        )

    assert not drop(NEWS, sidebar.item_for(folder_target(FRANCE)))  # into its own sub-folder
    assert not drop(FRANCE, sidebar.item_for(folder_target(NEWS)))  # where it already is
    with qtbot.waitSignal(window.bridge.feeds_changed):
        assert drop(FRANCE, sidebar.item_for(folder_target(TECH)))
    settle(qtbot, window)
    assert ("Tech", "France") in window.core.folders() and FRANCE not in window.core.folders()
    assert window.core.store.get_feed(feeds["lyon"].id).folder == ("Tech", "France")
    tech = sidebar.item_for(folder_target(TECH))
    assert sidebar.item_for(folder_target(("Tech", "France"))).parent() is tech
    qtbot.waitUntil(lambda: tech.text(1) == "11")  # its 5 and France's 2 + 4 (the recount is debounced)

    sidebar.item_for(folder_target(("Tech", "France"))).setExpanded(False)
    with qtbot.waitSignal(window.bridge.feeds_changed):  # the sidebar is rebuilt when the move has landed
        assert drop(("Tech", "France"), sidebar.topLevelItem(1))  # the Feeds header: the top level
    settle(qtbot, window)
    assert ("France",) in window.core.folders()
    assert not sidebar.item_for(folder_target(("France",))).isExpanded()  # closed, it stays closed


class Answers(Prompts):
    """The analyst's answers to the commands' questions, and the questions asked."""

    def __init__(self, text: str | None = None, number: int | None = None, choice: str | None = None) -> None:
        self.answers = {"text": text, "number": number, "choice": choice}
        self.asked: list[str] = []

    def text(self, title: str, label: str, value: str = "") -> str | None:
        self.asked.append(label)
        return self.answers["text"]  # type: ignore[return-value]

    def number(self, title: str, label: str, value: int, minimum: int, maximum: int) -> int | None:
        self.asked.append(label)
        return self.answers["number"]  # type: ignore[return-value]

    def choice(self, title: str, label: str, choices: list[str], current: int) -> str | None:
        self.asked.append(f"{label} {choices} {current}")
        return self.answers["choice"]  # type: ignore[return-value]

    def confirm(self, question: str) -> bool:
        self.asked.append(question)
        return True


def _run(qtbot: QtBot, window: MainWindow, target: Target, text: str) -> None:
    """Choose `text` in the context menu of `target`'s row, and wait until what it asked for has landed."""
    menu = window.sidebar.context_menu(target)
    assert menu is not None
    actions = {a.text(): a for a in menu.actions() if a.text()}
    assert text in actions, f"{text!r} not in {list(actions)}"
    actions[text].trigger()
    settle(qtbot, window)


def test_mute_set_interval_and_mark_all_read_act_on_the_whole_subtree(
    qtbot: QtBot, window: MainWindow
) -> None:
    feeds = _feeds_in_folders(window.core)
    _refresh(qtbot, window)
    store = window.core.store
    subtree = {feeds["news"].id, feeds["lyon"].id, feeds["paris"].id}
    tech = feeds["tech"].id

    _run(qtbot, window, folder_target(NEWS), "Mute")
    assert {f.id for f in store.list_feeds() if f.muted} == subtree
    _run(qtbot, window, folder_target(NEWS), "Unmute")  # the menu offers it now every feed there is muted
    assert not any(f.muted for f in store.list_feeds())

    window.sidebar_commands.prompts = answers = Answers(number=45)
    _run(qtbot, window, folder_target(FRANCE), "Set interval…")
    assert answers.asked == ["Poll these 2 feeds every (minutes):"]
    intervals = {f.id: f.interval_minutes for f in store.list_feeds()}
    assert {intervals[feeds["lyon"].id], intervals[feeds["paris"].id]} == {45}
    assert intervals[feeds["news"].id] != 45 and intervals[tech] != 45

    _run(qtbot, window, folder_target(NEWS), "Mark all read")
    unread = store.unread_by_feed()
    assert not any(unread.get(i) for i in subtree)
    assert unread[tech] == 5
    assert window.sidebar.item_for(folder_target(NEWS)).text(1) == ""
    assert window.sidebar.item_for(folder_target(TECH)).text(1) == "5"


def test_poll_now_on_a_folder_polls_exactly_its_feeds(qtbot: QtBot, window: MainWindow, httpserver) -> None:  # type: ignore[no-untyped-def]
    core = window.core
    for name, folder in (("a", FRANCE), ("b", NEWS), ("c", TECH)):
        httpserver.expect_request(f"/{name}.xml").respond_with_data(
            rss([{"title": f"Item {name}", "link": f"https://{name}.example/1"}]),
            content_type="application/rss+xml",
        )
        core.add_feed(httpserver.url_for(f"/{name}.xml"), name, folder=folder)
    with qtbot.waitSignal(window.bridge.poll_finished, timeout=20000):
        window.poll_now()  # every feed once: none is due afterwards
    settle(qtbot, window)
    httpserver.clear_log()
    with qtbot.waitSignal(window.bridge.poll_finished, timeout=20000):
        _run(qtbot, window, folder_target(NEWS), "Poll now")
    settle(qtbot, window)
    assert sorted(request.path for request, _response in httpserver.log) == ["/a.xml", "/b.xml"]


def test_new_move_and_remove_folders_from_the_menus(qtbot: QtBot, window: MainWindow) -> None:
    feeds = _feeds_in_folders(window.core)
    _refresh(qtbot, window)
    core = window.core
    window.sidebar_commands.prompts = answers = Answers(text="Archive/2025")
    _run(qtbot, window, folder_target(()), "New folder…")  # the Feeds header's menu
    _run(qtbot, window, folder_target(TECH), "New folder…")
    assert {("Archive",), ("Archive", "2025"), ("Tech", "Archive"), ("Tech", "Archive", "2025")} <= set(
        core.folders()
    )
    assert window.sidebar.item_for(folder_target(("Archive", "2025"))) is not None

    answers.answers["choice"] = "Archive/2025"
    _run(qtbot, window, feed_target(feeds["news"].id), "Move to folder…")
    assert core.store.get_feed(feeds["news"].id).folder == ("Archive", "2025")
    assert "(top level)" in answers.asked[-1]

    answers.answers["text"] = "Plus tard"
    _run(qtbot, window, folder_target(LATER), "Rename folder…")
    assert ("Plus tard",) in core.folders() and LATER not in core.folders()
    asked = len(answers.asked)
    _run(qtbot, window, folder_target(("Plus tard",)), "Remove folder…")  # empty: no question
    assert ("Plus tard",) not in core.folders() and len(answers.asked) == asked
    assert window.sidebar.select(folder_target(NEWS))
    _run(qtbot, window, folder_target(NEWS), "Remove folder…")
    assert answers.asked[-1] == (
        "Remove the folder News and the 1 folder inside it? Its 2 feeds move to the top level;"
        " no feed is unsubscribed."
    )
    # The folder shown is gone: the list shows every article, as the sidebar does.
    assert window.sidebar.current_target() == Target("view", view="all")
    assert window.model.query.feed_ids is None and window.model.query.view == "all"
    assert NEWS not in core.folders() and FRANCE not in core.folders()
    assert core.store.get_feed(feeds["lyon"].id).folder == ()


def test_selecting_a_folder_lists_exactly_the_articles_of_its_subtree(qtbot: QtBot, wired: Wiring) -> None:
    wired.scheduler.pause()  # no catch-up poll of these unreachable feeds reloads the list behind the test
    window = wired.window
    feeds = _feeds_in_folders(window.core)
    _refresh(qtbot, window)

    def listed() -> set[int]:
        return {window.model.index(r, 0).data(ROW_ROLE).id for r in range(window.model.rowCount())}

    def articles_of(*names: str) -> set[int]:
        store = window.core.store
        return {
            row.id
            for name in names
            for row in store.rows(ArticleQuery(view="feed", feed_id=feeds[name].id), 0, 100)
        }

    assert window.sidebar.select(folder_target(NEWS))
    assert listed() == articles_of("news", "lyon", "paris")
    assert window.filters.title.text() == "News · 9 articles"
    assert window.sidebar.select(folder_target(FRANCE))
    assert listed() == articles_of("lyon", "paris")
    assert window.sidebar.select(folder_target(LATER))
    assert listed() == set()

    # A feed moved into the selected folder shows there once the tree is recounted.
    assert window.sidebar.select(folder_target(FRANCE))
    window.sidebar_commands.move_feeds([feeds["tech"].id], FRANCE)
    settle(qtbot, window)
    assert listed() == articles_of("lyon", "paris", "tech")


def test_closed_folders_are_kept_across_restarts(qtbot: QtBot, window: MainWindow) -> None:
    _feeds_in_folders(window.core)
    _refresh(qtbot, window)
    window.sidebar.item_for(folder_target(FRANCE)).setExpanded(False)
    window.save_state()
    saved = UiState(window.core.paths.data_dir)
    assert saved.strings(COLLAPSED_KEY) == ["News/France"]

    # The next start: a new sidebar over the same profile's UI state.
    sidebar = Sidebar()
    qtbot.addWidget(sidebar)
    SidebarCommands(sidebar, window.bridge, window.counter, Answers(), lambda: None, saved)
    assert window.counter.counts is not None
    sidebar.show_rows(window.counter.counts.rows)
    sidebar.flush()
    assert not sidebar.item_for(folder_target(FRANCE)).isExpanded()
    assert sidebar.item_for(folder_target(NEWS)).isExpanded()


def test_follow_in_news_search_on_a_watchlist_entry_emits_the_entry(  # type: ignore[no-untyped-def]
    qtbot: QtBot, window: MainWindow, httpserver
) -> None:
    window.core.news_search_base = httpserver.url_for("/rss/search")  # no search reaches the internet
    httpserver.expect_request("/rss/search").respond_with_data(rss([]), content_type="application/rss+xml")
    entry = Target("entry", entry="Amine Kessaci")
    menu = window.sidebar.context_menu(entry)
    assert menu is not None
    follow = next(a for a in menu.actions() if a.text() == "Follow in news search")
    with qtbot.waitSignal(window.sidebar.follow_requested, check_params_cb=lambda n: n == "Amine Kessaci"):
        follow.trigger()
    settle(qtbot, window)
    # The window follows the entry (helper I's bridge.follow_in_news_search): its search feeds, in Searches.
    searches = window.core.feeds_in_folder(("Searches",))
    assert sorted(f.title for f in searches) == [
        "News search (en): Amine Kessaci",
        "News search (fr): Amine Kessaci",
    ]
    qtbot.waitUntil(lambda: window.sidebar.item_for(folder_target(("Searches",))) is not None)
    assert window.sidebar.context_menu(Target("view", view="all")) is None


def test_the_menu_key_opens_the_current_rows_menu_and_a_right_click_the_clicked_rows(qtbot: QtBot) -> None:
    sidebar = Sidebar()
    qtbot.addWidget(sidebar)
    sidebar.resize(300, 600)
    sidebar.show()
    qtbot.waitExposed(sidebar)
    _show(sidebar, FEEDS, UNREAD, HIGHLIGHTED)
    asked: list[Target] = []
    sidebar.context_menu = lambda target: asked.append(target)  # type: ignore[method-assign, assignment, return-value]
    sidebar.select(folder_target(FRANCE))
    keyboard = QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, QPoint(5, 5), QPoint(5, 5))
    QApplication.sendEvent(sidebar, keyboard)
    clicked = sidebar.visualItemRect(sidebar.item_for(feed_target(4))).center()
    mouse = QContextMenuEvent(
        QContextMenuEvent.Reason.Mouse, clicked, sidebar.viewport().mapToGlobal(clicked)
    )
    QApplication.sendEvent(sidebar.viewport(), mouse)
    header = sidebar.visualItemRect(sidebar.topLevelItem(1)).center()
    QApplication.sendEvent(
        sidebar.viewport(),
        QContextMenuEvent(QContextMenuEvent.Reason.Mouse, header, sidebar.viewport().mapToGlobal(header)),
    )
    assert asked == [folder_target(FRANCE), feed_target(4), folder_target(())]
