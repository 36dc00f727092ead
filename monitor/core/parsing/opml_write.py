"""Writing OPML: the folder tree with its feeds, and what Vigie knows of each feed in its own namespace."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from monitor.core.models import Subscription
from monitor.core.support.folder_paths import FolderPath, clean_path

VIGIE_NS = "urn:x-vigie:opml:1"
# Characters XML 1.0 cannot carry, even escaped; a feed title may contain them.
XML_FORBIDDEN_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def write_opml(
    feeds: Iterable[Subscription], title: str = "Vigie feeds", *, folders: Iterable[FolderPath] = ()
) -> bytes:
    """An OPML 2.0 document (UTF-8) with the folders (empty ones too) and their feeds; parse_opml reads it back
    to the same feeds and folders. In each folder, its sub-folders come first, then its feeds, both in the order
    given."""
    root = _Node()
    for path in folders:
        root.at(clean_path(path))
    for feed in feeds:
        root.at(clean_path(feed.folder)).feeds.append(feed)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<opml version="2.0" xmlns:vigie="{VIGIE_NS}">',
        "  <head>",
        f"    <title>{escape(_xml_safe(title))}</title>",
        "  </head>",
        "  <body>",
    ]
    root.write(lines, 2)
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines).encode("utf-8")


@dataclass
class _Node:
    """A folder of the document being written: its sub-folders by title, in order, and its feeds."""

    children: dict[str, _Node] = field(default_factory=dict)
    feeds: list[Subscription] = field(default_factory=list)

    def at(self, path: FolderPath) -> _Node:
        node = self
        for title in path:
            node = node.children.setdefault(title, _Node())
        return node

    def write(self, lines: list[str], depth: int) -> None:
        pad = "  " * depth
        for title, child in self.children.items():
            name = quoteattr(_xml_safe(title))
            opening = f'{pad}<outline text={name} title={name} vigie:folder="true"'
            if not child.children and not child.feeds:
                lines.append(opening + "/>")
                continue
            lines.append(opening + ">")
            child.write(lines, depth + 1)
            lines.append(f"{pad}</outline>")
        for feed in self.feeds:
            lines.append(f"{pad}<outline {_feed_attributes(feed)}/>")


def _feed_attributes(feed: Subscription) -> str:
    url = _xml_safe(feed.url)
    name = _xml_safe(feed.title)
    attrs = f'type="rss" text={quoteattr(name or url)}'
    if name:
        attrs += f" title={quoteattr(name)}"
    attrs += f" xmlUrl={quoteattr(url)}"
    if feed.site_url:
        attrs += f" htmlUrl={quoteattr(_xml_safe(feed.site_url))}"
    if feed.interval_minutes:
        attrs += f' vigie:interval="{int(feed.interval_minutes)}"'
    if feed.muted:
        attrs += ' vigie:muted="true"'
    return attrs


def _xml_safe(value: str) -> str:
    """Text XML can carry: forbidden control characters removed, whitespace runs (newlines too) collapsed."""
    return " ".join(XML_FORBIDDEN_CHARS.sub("", value or "").split())
