"""What a capital letter tells: nothing at a sentence start or in a Title Case headline, a proper noun elsewhere.

Shared by the matcher (case-sensitive aliases such as "Conscience") and the place recogniser (city names that
are also words).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["at_sentence_start", "title_cased"]

_SENTENCE_END = frozenset(".!?…:")
_OPENERS = frozenset("\"'“”«»‘’‹›([{*•·-–—‐‑|/")
_TITLE_WORD = re.compile(r"[^\W\d_]{4,}")
CHUNK = 32_768


def at_sentence_start(text: str, start: int, *, colon_ends: bool = False) -> bool:
    """Whether only openers (quotes, brackets, bullets, spaces) stand between a sentence end and ``start``.

    ``colon_ends`` counts a colon as a sentence end too (French headlines: "Marseille : un homme tué")."""
    i = start - 1
    while i >= 0:
        ch = text[i]
        if ch == "\n":
            return True
        if ch.isspace() or ch in _OPENERS:
            i -= 1
            continue
        return ch in _SENTENCE_END and (colon_ends or ch != ":")
    return True


def title_cased(text: str) -> bool:
    """A headline In Title Case, where capitals carry no information about proper nouns."""
    total = capitals = 0
    for words in _chunks(text):
        total += len(words)
        capitals += sum(1 for w in words if w[0].isupper())
    if total < 3:
        return False
    return capitals / total >= 0.75


def _chunks(text: str) -> Iterator[list[str]]:
    """``_TITLE_WORD.findall(text)`` a slice of CHUNK characters at a time, cut after a space (which no word
    holds): over a 500 KB article one findall held the interpreter for about 40 ms."""
    start = 0
    while start < len(text):
        cut = text.find(" ", start + CHUNK)
        end = len(text) if cut < 0 else cut
        yield _TITLE_WORD.findall(text, start, end)
        start = end
