"""What the sidebar shows, as plain data worked out on a worker: the fixed views, the feeds' folder tree with
each folder's counts summed over its subtree, and the watchlist entries."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from monitor.core.matching.watchlist import Entry
from monitor.core.models import Feed
from monitor.core.polling.health import Health, feed_health
from monitor.core.support.folder_paths import FolderPath, format_folder_path
from monitor.ui.style import HEALTH_COLOURS, KIND_DOTS, TEXT_MUTED

FIXED_VIEWS = [
    ("all", "All articles", "Every article: seeds and feeds (count: unread)"),
    ("new", "New", "Unread articles"),
    ("highlighted", "Highlighted", "Articles the watchlist highlights (count: unread)"),
    ("starred", "Starred", "Articles you starred"),
    ("revised", "Revised", "Articles their outlet changed after publishing: more than one stored version"),
    ("seeds", "Seeds", "The seed corpus (count: unread)"),
]

# Beside an entry whose spike alert is on.
SPIKE_MARK = "▲"


@dataclass(frozen=True)
class Target:
    """What a sidebar row selects: a fixed view, a folder of feeds, a feed, or a watchlist entry."""

    kind: str  # "view" | "folder" | "feed" | "entry"
    view: str = "all"
    feed_id: int | None = None
    entry: str | None = None
    folder: FolderPath = ()  # the folder's path (kind "folder")

    @property
    def label_key(self) -> tuple[str, object]:
        if self.kind == "feed":
            return (self.kind, self.feed_id)
        if self.kind == "entry":
            return (self.kind, self.entry)
        if self.kind == "folder":
            return (self.kind, self.folder)
        return (self.kind, self.view)


def folder_target(path: FolderPath) -> Target:
    return Target("folder", view="folder", folder=tuple(path))


def feed_target(feed_id: int) -> Target:
    return Target("feed", view="feed", feed_id=feed_id)


@dataclass(frozen=True)
class SidebarRow:
    """What one sidebar row shows. `depth` nests the feeds group's rows: a row's parent is the nearest row
    before it one level up (the group itself at depth 0)."""

    target: Target
    label: str
    count: int
    tip: str
    bold: bool = False
    dot: tuple[str, bool] | None = None  # (colour, hollow)
    muted: bool = False  # shown greyed
    depth: int = 0
    highlighted: int = 0  # unread highlighted articles (feeds and folders)
    silenced: bool = False  # the feed is muted, or every feed of the folder is


@dataclass(frozen=True)
class SidebarRows:
    """The rows of the three groups: plain data, worked out on a worker thread by `sidebar_rows`."""

    sources: list[SidebarRow]
    watched: list[SidebarRow]
    feeds: list[SidebarRow]


# Stands for a folder's row while its subtree is walked (the row needs the subtree's sums).
_PENDING = SidebarRow(Target("view"), "", 0, "")


def feeds_under(feeds: Iterable[Feed], path: FolderPath) -> list[Feed]:
    """The feeds of the folder at `path` and of its sub-folders (every feed for ())."""
    return [f for f in feeds if f.folder[: len(path)] == tuple(path)]


def sidebar_rows(
    view_counts: Mapping[str, int],
    feeds: Sequence[Feed],
    unread_by_feed: Mapping[int | None, int],
    entries: Sequence[Entry],
    unread_by_entry: Mapping[str, int],
    highlighted_by_feed: Mapping[int | None, int] | None = None,
    folders: Sequence[FolderPath] = (),
    spiking: Collection[str] = (),
) -> SidebarRows:
    """The fixed views; the folder tree of the feeds (folders before feeds at each level) with each folder's
    unread and highlighted counts summed over its subtree; the watchlist entries, most unread first.

    `folders` adds folders that hold no feed (the feeds' own folders are there anyway); the entries in
    `spiking` (a spike alert is on, core.signals) are marked with SPIKE_MARK."""
    sources = [
        SidebarRow(Target("view", view=view), label, view_counts.get(view, 0), tip, bold=True)
        for view, label, tip in FIXED_VIEWS
    ]
    tree = feed_tree_rows(feeds, unread_by_feed, highlighted_by_feed or {}, folders)
    watched = []
    for entry in sorted(entries, key=lambda e: (-unread_by_entry.get(e.name, 0), e.name.casefold())):
        count = unread_by_entry.get(entry.name, 0)
        spike = entry.name in spiking
        watched.append(
            SidebarRow(
                Target("entry", entry=entry.name),
                f"{entry.name} {SPIKE_MARK}" if spike else entry.name,
                count,
                f"{entry.name} ({entry.kind}, weight {entry.weight:g})\n{count} unread matching articles"
                + ("\nSpiking: named far more than usual (vigie alerts list)" if spike else "")
                + (f"\n{entry.note}" if entry.note else ""),
                dot=(KIND_DOTS.get(entry.kind, TEXT_MUTED), False),
                muted=not count,
            )
        )
    return SidebarRows(sources, watched, tree)


def _feed_row(feed: Feed, unread: int, highlighted: int, depth: int) -> SidebarRow:
    health = feed_health(feed)
    tip = f"{feed.url}\n{health.words}"
    if feed.muted:
        tip += "\nMuted: polled and scored, never an alert"
    return SidebarRow(
        feed_target(feed.id),
        feed.title or feed.url,
        unread,
        tip,
        dot=(HEALTH_COLOURS[health.state], health.state is Health.NEVER),
        muted=health.state is Health.DISABLED or feed.muted,
        depth=depth,
        highlighted=highlighted,
        silenced=feed.muted,
    )


def feed_tree_rows(
    feeds: Sequence[Feed],
    unread_by_feed: Mapping[int | None, int],
    highlighted_by_feed: Mapping[int | None, int],
    folders: Sequence[FolderPath] = (),
) -> list[SidebarRow]:
    """The feeds group in display order (a pre-order walk of the folder tree), `feeds` keeping their order
    within a folder. Each folder's counts are sums of its feeds' counts: no query per folder."""
    children: dict[FolderPath, set[FolderPath]] = {(): set()}
    by_folder: dict[FolderPath, list[Feed]] = {}

    def add_folder(path: FolderPath) -> None:
        for depth in range(1, len(path) + 1):
            children.setdefault(path[:depth], set())
            children[path[: depth - 1]].add(path[:depth])

    for path in folders:
        add_folder(tuple(path))
    for feed in feeds:
        add_folder(feed.folder)
        by_folder.setdefault(feed.folder, []).append(feed)

    rows: list[SidebarRow] = []

    def walk(path: FolderPath, depth: int) -> tuple[int, int, int, int]:
        """Append the rows under `path`; returns its subtree's (unread, highlighted, feeds, muted feeds)."""
        unread = highlighted = count = muted = 0
        for child in sorted(children.get(path, ()), key=lambda p: p[-1].casefold()):
            index = len(rows)
            rows.append(_PENDING)  # filled once its subtree is summed
            sub = walk(child, depth + 1)
            rows[index] = _folder_row(child, depth, *sub)
            unread, highlighted = unread + sub[0], highlighted + sub[1]
            count, muted = count + sub[2], muted + sub[3]
        for feed in by_folder.get(path, ()):
            feed_unread = unread_by_feed.get(feed.id, 0)
            feed_highlighted = highlighted_by_feed.get(feed.id, 0)
            rows.append(_feed_row(feed, feed_unread, feed_highlighted, depth))
            unread, highlighted = unread + feed_unread, highlighted + feed_highlighted
            count, muted = count + 1, muted + feed.muted
        return unread, highlighted, count, muted

    walk((), 0)
    return rows


def _folder_row(
    path: FolderPath, depth: int, unread: int, highlighted: int, feeds: int, muted: int
) -> SidebarRow:
    silenced = feeds > 0 and muted == feeds
    tip = (
        f"{format_folder_path(path)}: {feeds} feed{'s' if feeds != 1 else ''}, {unread} unread, "
        f"{highlighted} highlighted unread"
    )
    if silenced:
        tip += "\nMuted: its feeds never alert"
    elif muted:
        tip += f"\n{muted} of its feeds muted"
    return SidebarRow(
        folder_target(path),
        path[-1],
        unread,
        tip,
        muted=silenced,
        depth=depth,
        highlighted=highlighted,
        silenced=silenced,
    )
