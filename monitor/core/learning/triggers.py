"""Trigger words: which stored articles a watchlist change may affect, found without running the matcher.

A change to an entry (its weight, context or aliases) or a new entry can only change the assessment of an
article in which that entry is found. Every form the matcher accepts for a term holds each word of the term
(folded) whole: as a whole word where the term puts a space, an apostrophe or the term's own start or end
beside it, and possibly glued to its neighbour where the term has a hyphen (the matcher also accepts the
compound written solid, "narcotrafic" for "narco-trafic") or ends in a prefix ("narcotrafi" runs to the end of
the word). So a trigger is a folded word with the boundaries it is sure to have, and an article none of whose
triggers is found, with those boundaries, in its folded text is assessed alike before and after the change.
One Aho-Corasick automaton finds the triggers of every change in one pass over an article.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

import ahocorasick

from monitor.core.matching.folding import DASHES, fold_key, is_word_char
from monitor.core.matching.watchlist import Entry

# (folded word, a word boundary is sure before it, a word boundary is sure after it)
Trigger = tuple[str, bool, bool]

_WORD = re.compile(r"\w+")


def _boundary(between: str) -> bool:
    """Whether the characters between two words of a term (or beside its ends) keep a word boundary in every
    form the matcher accepts: some of them fold to a non-word character, and none is a hyphen."""
    if any(ch in DASHES for ch in between):
        return False
    folded = fold_key(between) if between.strip() else " "
    return any(not is_word_char(ch) for ch in folded)


def term_triggers(term: str, *, prefix: bool = False, every_word: bool = False) -> list[Trigger]:
    """The trigger of one term: its longest word, with the boundaries it is sure to have; with `every_word`,
    each word of three letters or more too (a person's surname may be found alone)."""
    text = unicodedata.normalize("NFC", term)
    spans = [m.span() for m in _WORD.finditer(text)]
    found: list[tuple[str, bool, bool]] = []
    for i, (start, end) in enumerate(spans):
        word = fold_key(text[start:end])
        if not word or not all(is_word_char(ch) for ch in word):
            return []  # a word the folding splits or empties: no safe trigger, the caller falls back
        before = text[spans[i - 1][1] : start] if i else text[:start]
        after = text[end : spans[i + 1][0]] if i + 1 < len(spans) else text[end:]
        left = _boundary(before) if (i or before) else True
        last = i + 1 == len(spans)
        right = False if last and prefix else (_boundary(after) if (not last or after) else True)
        found.append((word, left, right))
    if not found:
        return []
    longest = max(found, key=lambda t: len(t[0]))
    chosen = [t for t in found if len(t[0]) >= 3] if every_word else []
    return [longest, *chosen]


def triggers_of(entries: Iterable[Entry]) -> tuple[Trigger, ...]:
    """Triggers such that any match of these entries holds one of them: one per term (see term_triggers), and
    every word of a person's name and aliases. A term without a safe trigger gives the empty word, which every
    article holds."""
    out: set[Trigger] = set()
    for entry in entries:
        person = entry.kind == "person"
        terms = [(t, False) for t in (entry.name, *entry.aliases, *entry.case_sensitive_aliases)]
        terms += [(p, True) for p in entry.prefixes]
        for term, prefix in terms:
            found = term_triggers(term, prefix=prefix, every_word=person)
            out.update(found or [("", False, False)])
    return tuple(sorted(out))


class TriggerIndex:
    """The triggers of several changes, found in one pass over an article's folded text."""

    def __init__(self, triggers: Sequence[Sequence[Trigger]]) -> None:
        self.everywhere: frozenset[int] = frozenset(
            index for index, found in enumerate(triggers) if any(not word for word, _, _ in found)
        )
        # word -> [boundary before needed, boundary after needed, change indices]: the weakest need of its uses
        by_word: dict[str, list] = {}
        for index, found in enumerate(triggers):
            for word, left, right in found:
                if not word:
                    continue
                slot = by_word.setdefault(word, [True, True, []])
                slot[0] = slot[0] and left
                slot[1] = slot[1] and right
                slot[2].append(index)
        self._automaton: ahocorasick.Automaton | None = None
        if by_word:
            self._automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY)
            for word, (left, right, indices) in by_word.items():
                self._automaton.add_word(word, (len(word), left, right, tuple(indices)))
            self._automaton.make_automaton()

    def changes_in(self, folded: str) -> set[int]:
        """The indices of the changes whose triggers `folded` (an article's folded text) holds."""
        hit = set(self.everywhere)
        if self._automaton is None:
            return hit
        n = len(folded)
        for end, (length, left, right, indices) in self._automaton.iter(folded):
            start = end - length + 1
            if left and start > 0 and is_word_char(folded[start - 1]):
                continue
            if right and end + 1 < n and is_word_char(folded[end + 1]):
                continue
            hit.update(indices)
        return hit
