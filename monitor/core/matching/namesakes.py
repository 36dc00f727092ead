"""Namesakes: when a bare surname or first name is the watched person, and when it is someone else.

A person entry's alias is *bare* when it is the first or last words of a longer alias of a person entry:
"Bessone" (Nicolas Bessone), "Amra" (Mohamed Amra), "Kessaci" (Amine Kessaci, and the "Kessaci (surname)"
entry), "Le Pen" (Marine Le Pen). Nothing is declared per name: the aliases say it. A bare match

- is someone else when another given name or surname stands right next to it in running text ("Lina
  Kessaci", "Amra Hadžić"): a capitalised word that is not a title, a cue or a common word of Vigie's word
  lists (matching/data). It never counts, and the explanation names the other person;
- otherwise counts as the figure only when the item also names the figure in full, or carries the story's
  context: the entry's own ``context`` when it has one, else a topic, keyword, person or organisation entry
  that counts in the same item.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from monitor.core.matching.capitals import title_cased
from monitor.core.matching.folding import fold_key
from monitor.core.matching.watchlist import Entry
from monitor.core.matching.wordlists import (
    COMMON_WORDS,
    CONNECTORS,
    DETERMINERS,
    ORG_CUES,
    ORG_WORDS,
    PARTICLES,
    PERSON_CUES,
    PLACE_CUES,
)
from monitor.core.models import Match

logger = logging.getLogger(__name__)

__all__ = ["STORY_CONTEXT", "Namesakes", "Screened"]

# What "the story's context" means for a bare name whose entry declares none.
STORY_CONTEXT = ("topic", "keyword", "person", "organisation")
_NOT_NAMES = (
    COMMON_WORDS | CONNECTORS | DETERMINERS | ORG_CUES | ORG_WORDS | PARTICLES | PERSON_CUES | PLACE_CUES
)
_WORD_BEFORE = re.compile(r"([^\W\d_][^\W_]*(?:-[^\W\d_][^\W_]*)*) $")
_WORD_AFTER = re.compile(r" ([^\W\d_][^\W_]*(?:-[^\W\d_][^\W_]*)*)")


@dataclass(frozen=True)
class Screened:
    """The matches left once namesakes are set aside, the context each bare-only entry needs, and why."""

    matches: list[Match]
    contexts: dict[str, tuple[str, ...]]
    bare_only: dict[str, str]  # entry -> the bare name as written, for the explanation
    notes: list[str]


class Namesakes:
    """The bare names of a watchlist's person entries, compiled once."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        people = [e for e in entries if e.kind == "person"]
        full: set[str] = set()
        for entry in people:
            for alias in (*entry.terms(), *entry.case_sensitive_aliases):
                key = fold_key(alias)
                if " " in key:
                    full.add(key)
        self.bare: dict[str, frozenset[str]] = {}
        self.words: dict[str, frozenset[str]] = {}
        self.full_names: dict[str, str] = {}
        for entry in people:
            aliases = [fold_key(a) for a in (*entry.terms(), *entry.case_sensitive_aliases)]
            bare = frozenset(
                a
                for a in aliases
                if a and any(f != a and (f.endswith(" " + a) or f.startswith(a + " ")) for f in full)
            )
            if bare:
                self.bare[entry.name] = bare
                self.words[entry.name] = frozenset(w for a in aliases for w in a.split(" "))
                longest = max((*entry.terms(), *entry.case_sensitive_aliases), key=lambda a: len(a.split()))
                self.full_names[entry.name] = longest if " " in longest.strip() else entry.name
        self.contexts = {e.name: e.context for e in people}

    def __bool__(self) -> bool:
        return bool(self.bare)

    def screen(self, matches: list[Match], fields: Mapping[str, str]) -> Screened:
        """Set aside bare names that belong to someone else; say which entries are named only bare."""
        kept: list[Match] = []
        notes: list[str] = []
        bare_seen: dict[str, str] = {}
        full_seen: set[str] = set()
        headline: dict[str, bool] = {}
        for m in matches:
            bare = self.bare.get(m.entry)
            if bare is None:
                kept.append(m)
                continue
            if fold_key(m.text) not in bare:
                full_seen.add(m.entry)
                kept.append(m)
                continue
            text = fields.get(m.field, "")
            if m.field not in headline:
                headline[m.field] = title_cased(text)
            other = None if headline[m.field] else self._someone_else(m, text)
            if other:
                note = f"{other!r} is someone else, not {m.entry}"
                if note not in notes:
                    notes.append(note)
                continue
            bare_seen.setdefault(m.entry, m.text)
            kept.append(m)
        bare_only = {name: written for name, written in bare_seen.items() if name not in full_seen}
        contexts = {name: self.contexts.get(name) or STORY_CONTEXT for name in bare_only}
        return Screened(kept, contexts, bare_only, notes)

    def _someone_else(self, match: Match, text: str) -> str | None:
        """ "Lina Kessaci" when a name-like capitalised word stands next to the bare name; else None."""
        before = _WORD_BEFORE.search(text, max(0, match.start - 40), match.start)
        if before and self._is_other_name(before.group(1), match.entry):
            return text[before.start(1) : match.end]
        after = _WORD_AFTER.match(text, match.end)
        if after and self._is_other_name(after.group(1), match.entry):
            return text[match.start : after.end(1)]
        return None

    def _is_other_name(self, word: str, entry: str) -> bool:
        if not word[:1].isupper() or word.isupper():
            return False  # lower case, or an acronym (DZ, RN)
        key = fold_key(word)
        return key not in _NOT_NAMES and key not in self.words.get(entry, ())

    def explain_unsupported(self, entry: str, written: str) -> str:
        full = self.full_names.get(entry, entry)
        return f"{written!r} alone is not {entry} without the full name ({full}) or the story's context"
