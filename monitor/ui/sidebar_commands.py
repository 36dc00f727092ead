"""What the sidebar's folder tree asks for, done: moves (drag and drop, "Move to folder…"), new and removed
folders, and per folder (its whole subtree) poll now, mark all read, mute and unmute, set the interval.

Every store change runs on the bridge's runner, in order with the window's other writes; the tree follows from
the recount that `feeds_changed` starts, never from the request itself.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QInputDialog, QLineEdit, QWidget

from monitor.core.errors import describe_error
from monitor.core.models import ArticleQuery, Feed
from monitor.core.support.folder_paths import FolderPath, format_folder_path, parse_folder_path
from monitor.ui.bridge import Bridge
from monitor.ui.questions import ask_yes_no
from monitor.ui.sidebar import Sidebar
from monitor.ui.sidebar_counts import SidebarCounter
from monitor.ui.sidebar_rows import Target
from monitor.ui.uistate import UiState

if TYPE_CHECKING:
    from monitor.ui.main_window import MainWindow

log = logging.getLogger(__name__)

TOP_LEVEL = "(top level)"
COLLAPSED_KEY = "sidebar/collapsed_folders"


class Prompts:
    """The questions the commands ask (modal dialogs); tests answer them with a subclass."""

    def __init__(self, parent: QWidget) -> None:
        self.parent = parent

    def text(self, title: str, label: str, value: str = "") -> str | None:
        text, ok = QInputDialog.getText(self.parent, title, label, QLineEdit.EchoMode.Normal, value)
        return text if ok else None

    def number(self, title: str, label: str, value: int, minimum: int, maximum: int) -> int | None:
        number, ok = QInputDialog.getInt(self.parent, title, label, value, minimum, maximum)
        return number if ok else None

    def choice(self, title: str, label: str, choices: list[str], current: int) -> str | None:
        """One of `choices`, or any text typed in (an editable list)."""
        text, ok = QInputDialog.getItem(self.parent, title, label, choices, current, True)
        return text if ok else None

    def confirm(self, question: str) -> bool:
        return ask_yes_no(self.parent, "Vigie", question)


def folder_label(path: FolderPath) -> str:
    return format_folder_path(path) if path else "the top level"


class SidebarCommands(QObject):
    """Connects the sidebar's requests (`feeds_dropped`, `folders_dropped`, `command_requested`) to the core,
    through the bridge.

    The feeds a folder command acts on are those of the sidebar's last count (what the analyst sees).
    """

    def __init__(
        self,
        sidebar: Sidebar,
        bridge: Bridge,
        counter: SidebarCounter,
        prompts: Prompts,
        refresh: Callable[[], None],
        ui_state: UiState | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.sidebar = sidebar
        self.bridge = bridge
        self.counter = counter
        self.prompts = prompts
        self._refresh = refresh
        self._ui_state = ui_state
        sidebar.feeds_dropped.connect(self.move_feeds)
        sidebar.folders_dropped.connect(self.move_folders)
        sidebar.command_requested.connect(self.run)
        if ui_state is not None:  # the folders the analyst closed stay closed, across restarts too
            sidebar.set_collapsed_folders([parse_folder_path(p) for p in ui_state.strings(COLLAPSED_KEY)])
            sidebar.collapsed_changed.connect(self.keep_collapsed_folders)

    def keep_collapsed_folders(self) -> None:
        """Note the closed folders in the UI state (written to disk with the window's layout)."""
        if self._ui_state is not None:
            paths = sorted(format_folder_path(p) for p in self.sidebar.collapsed_folders)
            self._ui_state.set_strings(COLLAPSED_KEY, paths)

    @classmethod
    def for_window(cls, window: MainWindow) -> SidebarCommands:
        """The commands of the window's sidebar, asking through dialogs over the window."""
        return cls(
            window.sidebar,
            window.bridge,
            window.counter,
            Prompts(window),
            window.refresh_sidebar,
            window.ui_state,
            window,
        )

    # -- the requests ---------------------------------------------------------------------------------------

    def run(self, command: str, target: Target) -> None:
        """Do a context-menu command on a folder (its subtree) or a feed."""
        handlers: dict[str, Callable[[Target], None]] = {
            "move": self.ask_move,
            "new_folder": self.ask_new_folder,
            "remove_folder": self.remove_folder,
            "rename": self.ask_rename,
            "poll": self.poll,
            "mark_read": self.mark_read,
            "mute": lambda t: self.set_muted(t, True),
            "unmute": lambda t: self.set_muted(t, False),
            "interval": self.ask_interval,
        }
        handler = handlers.get(command)
        if handler is None:
            log.warning("unknown sidebar command %r", command)
            return
        handler(target)

    def feeds_of(self, target: Target) -> list[Feed]:
        """The feeds a target stands for: a feed, or every feed of a folder's subtree (as last counted)."""
        counts = self.counter.counts
        if counts is None:
            return []
        if target.kind == "feed":
            feed = counts.feed(target.feed_id)
            return [feed] if feed is not None else []
        if target.kind == "folder":
            return counts.feeds_under(target.folder)
        return []

    def folder_feed_ids(self, target: Target) -> tuple[int, ...] | None:
        """The ids of a folder's feeds (the article list's filter when it is selected); None for other rows."""
        return tuple(f.id for f in self.feeds_of(target)) if target.kind == "folder" else None

    def move_feeds(self, feed_ids: Sequence[int], folder: FolderPath) -> None:
        """Put the feeds in `folder` (created if missing; () is the top level)."""
        ids, path = list(feed_ids), tuple(folder)
        core = self.bridge.core

        def move() -> int:
            for feed_id in ids:
                core.move_feed(feed_id, path)
            return len(ids)

        self._write(
            "move_feeds",
            move,
            lambda n: f"Moved {n} feed{'s' if n != 1 else ''} to {folder_label(path)}.",
            "Could not move the feed",
        )

    def move_folders(self, paths: Sequence[FolderPath], parent: FolderPath) -> None:
        """Put the folders, with their feeds and sub-folders, under `parent` (() is the top level)."""
        moving, under = [tuple(p) for p in paths], tuple(parent)
        core = self.bridge.core

        def move() -> list[tuple[FolderPath, FolderPath]]:
            return [(path, core.move_folder(path, under)) for path in moving]

        def done(moves: list[tuple[FolderPath, FolderPath]]) -> str:
            self._follow_closed(moves)
            return f"Moved {', '.join(format_folder_path(new) for _, new in moves)} to {folder_label(under)}."

        self._write("move_folders", move, done, "Could not move the folder")

    def _follow_closed(self, moves: list[tuple[FolderPath, FolderPath]]) -> None:
        """A closed folder (or one inside it) that moved or was renamed stays closed at its new path."""
        closed = self.sidebar.collapsed_folders
        for old, new in moves:
            closed = {(*new, *c[len(old) :]) if c[: len(old)] == old else c for c in closed}
        if closed != self.sidebar.collapsed_folders:
            self.sidebar.set_collapsed_folders(sorted(closed))
            self.keep_collapsed_folders()

    def ask_rename(self, target: Target) -> None:
        path = target.folder
        if not path:
            return
        answer = self.prompts.text("Rename folder", f"New title of {format_folder_path(path)}:", path[-1])
        if answer is None or not answer.strip() or answer.strip() == path[-1]:
            return
        core = self.bridge.core

        def done(renamed: FolderPath) -> str:
            self._follow_closed([(path, renamed)])
            return f"Renamed the folder to {format_folder_path(renamed)}."

        def rename() -> FolderPath:
            return core.move_folder(path, path[:-1], answer)

        self._write("rename_folder", rename, done, "Could not rename the folder")

    def ask_move(self, target: Target) -> None:
        feeds = self.feeds_of(target)
        if not feeds:
            return
        counts = self.counter.counts
        folders = counts.folders if counts is not None else []
        choices = [TOP_LEVEL, *(format_folder_path(p) for p in folders)]
        current = folders.index(feeds[0].folder) + 1 if feeds[0].folder in folders else 0
        answer = self.prompts.choice(
            "Move to folder", f"Move {feeds[0].title or feeds[0].url} to:", choices, current
        )
        if answer is None:
            return
        path = () if answer.strip() == TOP_LEVEL else parse_folder_path(answer)
        self.move_feeds([f.id for f in feeds], path)

    def ask_new_folder(self, target: Target) -> None:
        parent = target.folder if target.kind == "folder" else ()
        where = f" inside {format_folder_path(parent)}" if parent else ""
        answer = self.prompts.text("New folder", f"Title of the new folder{where} (a/b nests):")
        path = (*parent, *parse_folder_path(answer or ""))
        if answer is None or len(path) == len(parent):
            return
        core = self.bridge.core
        self._write(
            "create_folder",
            lambda: core.create_folder(path),
            lambda made: f"Created the folder {format_folder_path(made)}.",
            "Could not create the folder",
            feeds_changed=False,
        )

    def remove_folder(self, target: Target) -> None:
        path = target.folder
        if not path:
            return
        feeds = self.feeds_of(target)
        counts = self.counter.counts
        inside = [
            p for p in (counts.folders if counts else []) if len(p) > len(path) and p[: len(path)] == path
        ]
        if feeds or inside:
            question = f"Remove the folder {format_folder_path(path)}"
            if inside:
                question += f" and the {len(inside)} folder{'s' if len(inside) != 1 else ''} inside it"
            question += "?"
            if feeds:
                question += (
                    f" Its {len(feeds)} feed{'s' if len(feeds) != 1 else ''} move to {folder_label(path[:-1])};"
                    " no feed is unsubscribed."
                )
            if not self.prompts.confirm(question):
                return
        core = self.bridge.core
        self._write(
            "remove_folder",
            lambda: core.remove_folder(path),
            lambda moved: (
                f"Removed the folder {format_folder_path(path)}"
                + (f"; {moved} feeds moved to {folder_label(path[:-1])}." if moved else ".")
            ),
            "Could not remove the folder",
        )

    def poll(self, target: Target) -> None:
        feeds = [f for f in self.feeds_of(target) if f.enabled]
        if not feeds:
            self.bridge.message.emit("No enabled feed to poll there.")
            return
        self.bridge.poll_now(feeds)

    def mark_read(self, target: Target) -> None:
        ids = tuple(f.id for f in self.feeds_of(target))
        if ids:
            self.bridge.mark_all_read(ArticleQuery(view="folder", feed_ids=ids))

    def set_muted(self, target: Target, muted: bool) -> None:
        ids = [f.id for f in self.feeds_of(target)]
        if not ids:
            return
        core = self.bridge.core
        word = "Muted" if muted else "Unmuted"
        self._write(
            "set_muted",
            lambda: core.set_muted(ids, muted),
            lambda n: f"{word} {n} feed{'s' if n != 1 else ''}.",
            "Could not change the mute",
        )

    def ask_interval(self, target: Target) -> None:
        feeds = self.feeds_of(target)
        if not feeds:
            return
        usual = Counter(f.interval_minutes for f in feeds).most_common(1)[0][0]
        minutes = self.prompts.number(
            "Set interval", f"Poll these {len(feeds)} feeds every (minutes):", usual, 1, 7 * 24 * 60
        )
        if minutes is None:
            return
        ids = [f.id for f in feeds]
        core = self.bridge.core
        self._write(
            "set_interval",
            lambda: core.set_interval(ids, minutes),
            lambda n: f"{n} feed{'s' if n != 1 else ''} now polled every {minutes} minutes.",
            "Could not change the interval",
        )

    # -- on the runner --------------------------------------------------------------------------------------

    def _write(
        self,
        name: str,
        write: Callable[[], Any],
        done: Callable[[Any], str],
        failure: str,
        *,
        feeds_changed: bool = True,
    ) -> None:
        """A store write after a user action, in order with the others; then the sidebar (and, when feeds
        changed, the scheduler and the feeds dialog) hear of it."""
        bridge = self.bridge

        def landed(result: object) -> None:
            if feeds_changed:
                bridge.feeds_changed.emit()
            else:
                self._refresh()
            bridge.message.emit(done(result))

        def failed(exc: BaseException) -> None:
            bridge.error.emit(f"{failure}: {describe_error(exc)}")

        bridge.runner.submit(lambda _p: write(), on_result=landed, on_error=failed, serial=True, name=name)
