"""A word-level diff of two texts (difflib on words), for comparing two versions of an article."""

from __future__ import annotations

import difflib
import logging

log = logging.getLogger(__name__)

# Each part of a diff: ("same" | "removed" | "added", the words joined by single spaces).
DiffPart = tuple[str, str]


def word_diff(old: str, new: str) -> list[DiffPart]:
    """The words of `old` and `new` as runs that are the same, removed from `old` or added in `new`, in order
    (a replaced run gives its removed part first)."""
    before, after = old.split(), new.split()
    parts: list[DiffPart] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(("same", " ".join(before[a1:a2])))
            continue
        if a2 > a1:
            parts.append(("removed", " ".join(before[a1:a2])))
        if b2 > b1:
            parts.append(("added", " ".join(after[b1:b2])))
    return parts
