"""The little tree the text walk reads: nh3's tidy markup read by one regular expression, or any markup read
by BeautifulSoup's html.parser into the same shape."""

from __future__ import annotations

import html as htmllib
import re
import warnings
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bs4 import PageElement

# Elements that never have content or an end tag.
VOID_TAGS = frozenset(
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
        "track", "wbr",
    }
)  # fmt: skip


class Element:
    """An element of the markup nh3 writes back: the little tree the text walk needs."""

    __slots__ = ("attrs", "contents", "name")

    def __init__(self, name: str, attrs: dict[str, str | list[str]]) -> None:
        self.name = name
        self.attrs = attrs
        self.contents: list[Element | str] = []


Node = Element | str
# What nh3 (html5ever's serialiser) writes: lower-case tags, attributes as name="value", "<" in text always
# escaped, void elements without an end tag, no comments, every other element closed.
_TIDY_TOKEN = re.compile(r'<(/?)([a-z][a-z0-9]*)((?: [a-z][a-z0-9-]*="[^"]*")*)>|([^<]+)')
_TIDY_ATTRIBUTE = re.compile(r' ([a-z][a-z0-9-]*)="([^"]*)"')
# As BeautifulSoup stores them: class is a list of words; a whitespace-only string outside <pre> is one "\n"
# or " ".
_ASCII_SPACES = frozenset("\x20\x0a\x09\x0c\x0d")
_WHITESPACE_KEEPING = frozenset({"pre", "textarea"})


def read_tidy(markup: str) -> list[Node] | None:
    """The tree of markup written by nh3, read with one regular expression, as BeautifulSoup's html.parser
    would build it; None when the markup is not in the shape nh3 writes. html.parser was the largest part of
    turning feed items into text (figures in docs/BENCHMARKS.md)."""
    root: list[Node] = []
    open_elements: list[Element] = []
    contents = root
    keeping_whitespace = 0
    position = 0
    for token in _TIDY_TOKEN.finditer(markup):
        if token.start() != position:
            return None
        position = token.end()
        closing, name, raw_attributes, data = token.groups()
        if data is not None:
            if "&" in data:
                data = htmllib.unescape(data)
            if not keeping_whitespace and all(c in _ASCII_SPACES for c in data):
                data = "\n" if "\n" in data else " "
            contents.append(data)
        elif closing:
            if not open_elements or open_elements[-1].name != name:
                return None
            if name in _WHITESPACE_KEEPING:
                keeping_whitespace -= 1
            open_elements.pop()
            contents = open_elements[-1].contents if open_elements else root
        else:
            attrs: dict[str, str | list[str]] = {}
            for attribute, value in _TIDY_ATTRIBUTE.findall(raw_attributes):
                value = htmllib.unescape(value) if "&" in value else value
                attrs[attribute] = value.split() if attribute == "class" else value
            element = Element(name, attrs)
            contents.append(element)
            if name not in VOID_TAGS:
                open_elements.append(element)
                contents = element.contents
                if name in _WHITESPACE_KEEPING:
                    keeping_whitespace += 1
    if position != len(markup) or open_elements:
        return None
    return root


def read_with_beautifulsoup(markup: str) -> list[Node]:
    """Any markup, through BeautifulSoup's html.parser: the reference :func:`read_tidy` is tested against,
    and the path for markup that is not in nh3's shape."""
    # Imported here: BeautifulSoup (with soupsieve) takes about 0.2 s to import, and the window, which only
    # sanitises, would pay it before its first page; nh3's tidy markup never needs it.
    from bs4 import (
        BeautifulSoup,
        CData,
        MarkupResemblesLocatorWarning,
        NavigableString,
        Tag,
        XMLParsedAsHTMLWarning,
    )

    with warnings.catch_warnings():
        # Both are advice for people who pass a URL or an XML document by mistake; we parse feed fragments.
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(markup, "html.parser")
    root: list[Node] = []
    # Iterative: hostile nesting must not hit the recursion limit.
    stack: list[tuple[PageElement, list[Node]]] = [(child, root) for child in reversed(soup.contents)]
    while stack:
        node, parent = stack.pop()
        if isinstance(node, Tag):
            element = Element(node.name, dict(node.attrs))
            parent.append(element)
            stack.extend((child, element.contents) for child in reversed(node.contents))
        elif type(node) is NavigableString or isinstance(node, CData):
            parent.append(str(node))
    return root
