"""The main window's actions, menus and window-wide shortcuts, built in one place."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut

from monitor.ui import case_pin, case_view, profile_backup, versions_dialog
from monitor.ui.news_search_dialog import ask_words_to_follow
from monitor.ui.proposal_dialog import show_proposal_dialog
from monitor.ui.signals_controller import SignalsController
from monitor.ui.story_mode import StoryMode

if TYPE_CHECKING:
    from monitor.ui.main_window import MainWindow


def _action(
    window: MainWindow,
    text: str,
    slot: Callable[[], object],
    shortcut: str | QKeySequence | QKeySequence.StandardKey | list[str] | None = None,
    tip: str = "",
) -> QAction:
    action = QAction(text, window)
    action.triggered.connect(lambda _checked=False: slot())
    if isinstance(shortcut, list):
        action.setShortcuts([QKeySequence(s) for s in shortcut])
    elif shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    if tip:
        action.setStatusTip(tip)
    window.addAction(action)  # shortcuts work even when the menu bar is hidden
    return action


def build_actions(w: MainWindow) -> None:
    """The window's commands as `w.act_*` (menus, shortcuts and tests reach them there)."""
    w.act_add_feed = _action(
        w, "&Add feed…", w.add_feed, "Ctrl+N", "Subscribe to a feed or a page that links one"
    )
    w.act_import_opml = _action(w, "&Import OPML…", w.import_opml)
    w.act_export_opml = _action(w, "&Export OPML…", w.export_opml)
    w.act_export_csv = _action(w, "Export current list as &CSV…", lambda: w.export_list("csv"))
    w.act_export_jsonl = _action(w, "Export current list as &JSONL…", lambda: w.export_list("jsonl"))
    w.act_backup = _action(
        w,
        "&Back up profile…",
        lambda: profile_backup.backup_profile(w),
        "Ctrl+Shift+B",
        "Copy the whole profile",
    )
    w.act_restore = _action(
        w,
        "&Restore profile…",
        lambda: profile_backup.restore_profile(w),
        None,
        "Replace the profile by a backup",
    )
    w.act_quit = _action(w, "&Quit", w.close, QKeySequence.StandardKey.Quit)
    w.act_search = _action(w, "&Search", w.filters.focus_search, QKeySequence.StandardKey.Find)
    w.act_clear_filters = _action(w, "&Clear search and filters", w.clear_filters)
    w.act_original = _action(
        w,
        "Show &original layout",
        w.rerender,
        None,
        "Show the article's own HTML (images stay blocked) instead of the text with highlights",
    )
    w.act_original.setCheckable(True)
    w.act_next = _action(w, "&Next article", lambda: w.move(1), "J")
    w.act_previous = _action(w, "&Previous article", lambda: w.move(-1), "K")
    w.act_open_link = _action(w, "&Open link in browser (Enter)", w.open_current_link)
    w.act_toggle_read = _action(w, "Toggle &read", w.toggle_read, "M")
    w.act_toggle_star = _action(w, "Toggle &star", w.toggle_star, "S")
    w.act_relevant = _action(w, "Judge r&elevant", lambda: w.judge("relevant"), "Shift+R")
    w.act_not_relevant = _action(w, "Judge &not relevant", lambda: w.judge("not-relevant"), "Shift+N")
    w.act_no_judgement = _action(w, "&Withdraw judgement", lambda: w.judge(None), "Shift+W")
    w.act_add_to_case = _action(
        w,
        "Add to &case…",
        lambda: case_pin.add_current_to_case(w),
        "Shift+C",
        "Pin this article to a case (in the story mode, every report of the story on the current row)",
    )
    w.act_cases = _action(
        w, "&Cases…", lambda: case_view.show_case_view(w), "Ctrl+Shift+C", "Cases, their notes and reports"
    )
    w.act_versions = _action(
        w,
        "Compare &versions…",
        lambda: versions_dialog.show_versions(w),
        versions_dialog.SHORTCUT,
        "The stored versions of a revised article, word by word",
    )
    w.act_mark_all = _action(
        w, "Mark &all read", w.mark_all_read, "Ctrl+Shift+A", "Mark every article of the current list read"
    )
    w.act_poll = _action(w, "&Poll now", w.poll_now, ["F5", "Ctrl+R"], "Fetch every feed now")
    w.act_stop = _action(w, "S&top polling", w.bridge.cancel_poll)
    w.act_stop.setEnabled(False)
    w.act_feeds = _action(w, "&Manage feeds…", w.show_feeds_dialog)
    w.act_follow_words = _action(w, "&Follow words in news search…", lambda: ask_words_to_follow(w))
    w.act_feed_health = _action(
        w, "Feed &health…", w.show_feed_health, "Ctrl+Shift+H", "Each feed's health and figures"
    )
    w.story_mode = StoryMode(w)  # the list's story view (issue 16): View ▸ Group by story, Ctrl+Shift+S
    case_pin.install_context_menus(w)  # right-click an article, a story or a report: Add to case…
    w.act_watchlist = _action(w, "&Edit watchlist…", w.show_watchlist_editor, "Ctrl+E")
    w.act_propose = _action(
        w,
        "&Propose a watchlist change…",
        lambda: show_proposal_dialog(w),
        "Ctrl+Shift+P",
        "The watchlist change your relevant / not relevant judgements call for, and what it would do",
    )
    w.signals = SignalsController(w)  # the timeline and emerging names (issue 17)
    w.act_settings = _action(w, "&Preferences…", w.show_settings, QKeySequence.StandardKey.Preferences)
    w.act_keys = _action(w, "&Keyboard shortcuts", w.show_keys)
    w.act_about = _action(w, "&About Vigie", w.show_about)


def build_menus(w: MainWindow) -> None:
    bar = w.menuBar()
    menus: list[tuple[str, list[QAction | None]]] = [
        (
            "&File",
            [
                w.act_add_feed,
                w.act_import_opml,
                w.act_export_opml,
                None,
                w.act_export_csv,
                w.act_export_jsonl,
                None,
                w.act_backup,
                w.act_restore,
                None,
                w.act_quit,
            ],
        ),
        ("&View", [w.act_search, w.act_clear_filters, None, w.story_mode.action, None, w.act_original]),
        (
            "&Articles",
            [
                w.act_next,
                w.act_previous,
                w.act_open_link,
                None,
                w.act_toggle_read,
                w.act_toggle_star,
                w.act_mark_all,
                None,
                w.act_relevant,
                w.act_not_relevant,
                w.act_no_judgement,
                w.act_propose,
                None,
                w.act_versions,
                w.act_add_to_case,
            ],
        ),
        ("&Cases", [w.act_cases, w.act_add_to_case]),
        ("F&eeds", [w.act_poll, w.act_stop, None, w.act_feeds, w.act_feed_health, w.act_follow_words]),
        (
            "&Watchlist",
            [
                w.act_watchlist,
                w.act_propose,
                None,
                w.signals.act_timeline,
                w.signals.act_emerging,
                w.signals.act_cooccurrence,
            ],
        ),
        ("&Settings", [w.act_settings]),
        ("&Help", [w.act_keys, w.act_about]),
    ]
    for title, actions in menus:
        menu = bar.addMenu(title)
        for action in actions:
            if action is None:
                menu.addSeparator()
            else:
                menu.addAction(action)


def build_shortcuts(w: MainWindow) -> None:
    # Space pages the reader from anywhere but text fields (they take Space for themselves).
    QShortcut(QKeySequence(Qt.Key.Key_Space), w, w.space)
    QShortcut(
        QKeySequence(Qt.Key.Key_Escape),
        w.filters.search,
        w.escape_search,
        context=Qt.ShortcutContext.WidgetShortcut,
    )
