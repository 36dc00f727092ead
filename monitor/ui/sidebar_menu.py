"""The sidebar's context menus: per folder (its subtree), per feed, the Feeds header, a watchlist entry."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMenu

from monitor.ui.sidebar_rows import Target

if TYPE_CHECKING:
    from monitor.ui.sidebar import Sidebar


def sidebar_menu(sidebar: Sidebar, target: Target, *, silenced: bool) -> QMenu | None:
    """The menu of `target` (the folder () is the Feeds header): its actions emit the sidebar's
    `command_requested(command, target)` or `follow_requested(entry)`. `silenced`: the feed is muted, or
    every feed of the folder is (the menu offers Unmute). None for the fixed views."""
    menu = QMenu(sidebar)

    def add(text: str, command: str) -> None:
        menu.addAction(text).triggered.connect(lambda: sidebar.command_requested.emit(command, target))

    if target.kind == "entry" and target.entry:
        name = target.entry
        menu.addAction("Follow in news search").triggered.connect(lambda: sidebar.follow_requested.emit(name))
        menu.addAction("Timeline…").triggered.connect(lambda: sidebar.timeline_requested.emit(name))
    elif target.kind == "feed":
        add("Move to folder…", "move")
        add("Poll now", "poll")
        add("Unmute" if silenced else "Mute", "unmute" if silenced else "mute")
    elif target.kind == "folder" and not target.folder:
        add("New folder…", "new_folder")
    elif target.kind == "folder":
        add("Poll now", "poll")
        add("Mark all read", "mark_read")
        add("Unmute" if silenced else "Mute", "unmute" if silenced else "mute")
        add("Set interval…", "interval")
        menu.addSeparator()
        add("New folder…", "new_folder")
        add("Rename folder…", "rename")
        add("Remove folder…", "remove_folder")
    else:
        menu.deleteLater()
        return None
    return menu
