"""The plain-text helpers' fast path (text with single spaces only, the common case) against the expressions it
skips: the same text out, whatever the whitespace and the invisible characters in."""

from __future__ import annotations

import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.core.parsing import text


def _normalize_by_expressions(value: str) -> str:
    """normalize_whitespace without its fast path."""
    value = text._INVISIBLE.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    value = text._INLINE_WS.sub(" ", value).replace(" \n", "\n").replace("\n ", "\n")
    return text._MANY_BREAKS.sub("\n\n", value).strip()


def _single_line_by_expressions(value: str) -> str:
    return text._ANY_WS.sub(" ", text._INVISIBLE.sub("", value)).strip()


SPACES = [
    " ",
    "  ",
    "\n",
    "\n\n\n",
    "\r",
    "\r\n",
    "\t",
    "\x0b",
    "\x0c",
    "\x1c",
    "\x85",
    "\xa0",
    "\u2003",
    "\u2028",
]
INVISIBLE = ["\x00", "\x07", "\x1f", "\x7f", "\u00ad", "\u200b", "\u200d", "\u2060", "\ufeff"]
pieces = st.one_of(
    st.sampled_from(SPACES + INVISIBLE),
    st.text(alphabet=st.sampled_from(list("abcéÉ’'-.,;:!?0123456789œ")), min_size=1, max_size=8),
)
texts = st.lists(pieces, max_size=14).map("".join)


@settings(max_examples=800, deadline=None)
@given(texts)
def test_the_fast_path_changes_nothing(value: str) -> None:
    assert text.normalize_whitespace(value) == _normalize_by_expressions(value)
    assert text.single_line(value) == _single_line_by_expressions(value)
    assert text._collapse_spaces(value) == text._ANY_WS.sub(" ", value)
    assert text._collapse_inline_spaces(value) == text._INLINE_WS.sub(" ", value)


def test_printable_characters_are_neither_whitespace_nor_invisible_but_the_space() -> None:
    """What the fast path rests on, over every code point."""
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        if ch.isprintable() and ch != " ":
            assert not ch.isspace() and not text._INVISIBLE.match(ch), hex(code)


def test_paragraphs_and_spaces() -> None:
    assert text.normalize_whitespace(" a b \n c\n\n\n\nd ") == "a b\nc\n\nd"
    assert text.normalize_whitespace("a\u00a0\u00a0b\u200b") == "a b"
    assert text.single_line(" Le  titre\n du jour ") == "Le titre du jour"
    assert text.single_line("Le titre") == "Le titre"
