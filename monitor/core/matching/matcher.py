"""Compiled watchlist: finds entries in an article's fields, resolves context rules and scores the article.

The whole watchlist is compiled once into a single Aho-Corasick automaton over folded terms
(:mod:`monitor.core.matching.folding`), so matching costs one pass over each folded field whatever the number of
aliases. Each raw hit is then checked:

- whole words on the folded text: a letter or digit just before the hit, or just after it, cancels it (prefix
  terms only need the left boundary and run to the end of the word). Apostrophes are not word characters, so
  French elisions (d'Amine, l’OFDT, qu'Amra) and English possessives (Kessaci's, Kessaci’s) match the name;
- hyphens and spaces fold alike (Aix-en-Provence = Aix en Provence); an alias written with a hyphen also
  matches the hyphen-less compound (narco-trafic = narcotrafic);
- case-sensitive aliases are compared with the original letter case (RAID, not raid). A single capitalised
  word ("Conscience") is ignored at the start of a sentence and in Title Case headlines, where the capital
  tells nothing;
- overlapping hits resolve leftmost-longest: no two kept matches overlap.

Scoring (:meth:`Matcher.assess`): a bare surname that names someone else, or that has neither the full name
nor the story's context beside it, is set aside (:mod:`monitor.core.matching.namesakes`); entries whose
``context`` is not satisfied (none of the named entries or kinds counts in the same article) are dropped from
the matches and the score; when the watchlist has a scope and the item happens elsewhere, topics and keywords
are dropped too (:mod:`monitor.core.matching.scope`). The explanation says what was set aside and why. Each
remaining entry adds its
weight, multiplied by :data:`TITLE_BOOST` when it appears in the title and by a slowly growing factor for
repeated mentions (``1 + 0.25 * log2(mentions)``, at most x2). The article is highlighted when the score
reaches the threshold.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick

from monitor.core.matching.capitals import at_sentence_start, title_cased
from monitor.core.matching.folding import DASHES, FoldedText, fold, fold_key, is_word_char
from monitor.core.matching.namesakes import Namesakes
from monitor.core.matching.scope import SCOPED_KINDS, CompiledScope
from monitor.core.matching.watchlist import Entry, Watchlist
from monitor.core.models import FIELDS, Assessment, Match

logger = logging.getLogger(__name__)

__all__ = ["DEFAULT_HIGHLIGHT_THRESHOLD", "MENTION_FACTOR_CAP", "TITLE_BOOST", "Matcher"]

DEFAULT_HIGHLIGHT_THRESHOLD = 4.0
TITLE_BOOST = 1.5
MENTION_FACTOR_CAP = 2.0

_FIELD_INDEX = {name: index for index, name in enumerate(FIELDS)}
_TITLE_INDEX = _FIELD_INDEX["title"]


@dataclass(frozen=True)
class _Term:
    """One compiled search term: what to check once the automaton has found its folded key."""

    entry: int
    length: int
    rank: int  # the entry's place among equal spans: heavier first, then earlier in the list
    number: int = dataclasses.field(compare=False)  # unique per term
    prefix: bool = False
    case_form: str | None = None  # the case-preserving fold, for case-sensitive aliases
    ambiguous_capital: bool = False  # single capitalised word: uninformative at a sentence start
    checks_left: bool = True
    checks_right: bool = True


def _mention_factor(count: int) -> float:
    return min(MENTION_FACTOR_CAP, 1.0 + 0.25 * math.log2(max(count, 1)))


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _hyphen_free(alias: str) -> str | None:
    """'narco-trafic' -> 'narcotrafic': the compound written solid, when the alias has a hyphen between
    letters."""
    if not any(d in alias for d in DASHES):
        return None
    joined = re.sub(r"(?<=\w)[" + re.escape("".join(sorted(DASHES))) + r"](?=\w)", "", alias)
    return joined if joined != alias else None


class Matcher:
    """A watchlist compiled for fast matching. Immutable and safe to share between threads once built."""

    def __init__(
        self, watchlist: Watchlist, *, highlight_threshold: float = DEFAULT_HIGHLIGHT_THRESHOLD
    ) -> None:
        self.watchlist = watchlist
        self.threshold = float(highlight_threshold)
        self._entries: tuple[Entry, ...] = watchlist.entries
        self._by_name: dict[str, Entry] = {e.name: e for e in self._entries}
        self._with_context = frozenset(e.name for e in self._entries if e.context)
        self._kinds = {e.name: e.kind for e in self._entries}
        self._namesakes = Namesakes(self._entries)
        places = (e.name for e in self._entries if e.kind == "place")
        self.scope = CompiledScope(watchlist.scope, places) if watchlist.scope else None
        self._automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY)
        by_weight = sorted(range(len(self._entries)), key=lambda i: (-self._entries[i].weight, i))
        self._rank = {index: rank for rank, index in enumerate(by_weight)}
        self.term_count = 0
        for index, entry in enumerate(self._entries):
            for alias in entry.terms():
                self._add(alias, index)
                joined = _hyphen_free(alias)
                if joined:
                    self._add(joined, index)
            for alias in entry.case_sensitive_aliases:
                self._add(alias, index, case_sensitive=True)
                joined = _hyphen_free(alias)
                if joined:
                    self._add(joined, index, case_sensitive=True)
            for prefix in entry.prefixes:
                self._add(prefix, index, prefix=True)
        self._empty = self.term_count == 0
        if not self._empty:
            self._automaton.make_automaton()
        logger.debug("compiled %d entries, %d terms", len(self._entries), self.term_count)

    def _add(self, term: str, entry: int, *, case_sensitive: bool = False, prefix: bool = False) -> None:
        key = fold_key(term)
        if not key:
            return
        case_form = fold_key(term, keep_case=True) if case_sensitive else None
        ambiguous = bool(
            case_form
            and " " not in case_form
            and case_form[0].isupper()
            and not any(c.isupper() for c in case_form[1:])
        )
        compiled = _Term(
            entry=entry,
            length=len(key),
            rank=self._rank[entry],
            number=self.term_count,
            prefix=prefix,
            case_form=case_form,
            ambiguous_capital=ambiguous,
            checks_left=is_word_char(key[0]),
            checks_right=is_word_char(key[-1]),
        )
        existing = self._automaton.get(key, ())
        if compiled not in existing:
            self._automaton.add_word(key, (*existing, compiled))
            self.term_count += 1

    # -- finding ---------------------------------------------------------------------------------------------

    def find(self, text: str, field: str, folded: FoldedText | None = None) -> list[Match]:
        """Every watchlist hit in one field, leftmost-longest, without context rules (see :meth:`assess`).

        Each match satisfies ``match.text == text[match.start:match.end]``. ``folded`` is ``fold(text)`` when
        the caller has it already.
        """
        if self._empty or not text:
            return []
        folded = folded or fold(text)
        ft = folded.text
        n = len(ft)
        # (start, start - end, rank, term): sorting these puts the leftmost first, then the longest, then the
        # heavier entry, then the earlier one in the list (rank); the term's own number breaks the last ties.
        hits: list[tuple[int, int, int, int, _Term]] = []
        headline_case: bool | None = None
        for last, terms in self._automaton.iter(ft):
            end = last + 1
            for term in terms:
                start = end - term.length
                if term.checks_left and start > 0:
                    before = ft[start - 1]
                    if before.isalnum() or before == "_":
                        continue
                stop = end
                if term.prefix:
                    while stop < n and is_word_char(ft[stop]):
                        stop += 1
                elif term.checks_right and end < n:
                    after = ft[end]
                    if after.isalnum() or after == "_":
                        continue
                if term.case_form is not None:
                    o_start, o_end = folded.to_original(start, stop)
                    if fold_key(text[o_start:o_end], keep_case=True) != term.case_form:
                        continue
                    if term.ambiguous_capital:
                        if headline_case is None:
                            headline_case = title_cased(text)
                        if headline_case or at_sentence_start(text, o_start):
                            continue
                hits.append((start, start - stop, term.rank, term.number, term))
        if len(hits) > 1:
            hits.sort()
        matches: list[Match] = []
        last_end = -1
        starts, ends = folded.starts, folded.ends
        entries = self._entries
        for start, negative_length, _, _, term in hits:
            if start < last_end:
                continue
            last_end = start - negative_length
            entry = entries[term.entry]
            o_start, o_end = starts[start], ends[last_end - 1]
            matches.append(Match(entry.name, entry.kind, field, o_start, o_end, text[o_start:o_end]))
        return matches

    def find_fields(self, fields: dict[str, str]) -> list[Match]:
        """:meth:`find` over several named fields, in the order given."""
        out: list[Match] = []
        for name, text in fields.items():
            out.extend(self.find(text, name))
        return out

    # -- scoring ---------------------------------------------------------------------------------------------

    def _active(self, present: Iterable[str], contexts: dict[str, tuple[str, ...]] | None = None) -> set[str]:
        """Entries whose context is satisfied: the largest set in which every entry with a context has one of
        its context entries, or an entry of one of its context kinds, besides itself. Entries may support each
        other ("règlement de comptes" next to "Marseille"), but support from an entry that is itself dropped
        does not count. ``contexts`` gives some entries the context this item asks of them (a bare name)."""
        active = set(present)
        contexts = contexts or {}
        if active.isdisjoint(self._with_context) and active.isdisjoint(contexts):
            return active
        by_name = self._by_name
        changed = True
        while changed:
            changed = False
            kinds: dict[str, int] = {}
            for name in active:
                kinds[by_name[name].kind] = kinds.get(by_name[name].kind, 0) + 1
            for name in sorted(active):
                entry = by_name[name]
                context = contexts.get(name, entry.context)
                if not context:
                    continue
                supported = any(
                    (ref in active and ref != name) or kinds.get(ref, 0) - (entry.kind == ref) > 0
                    for ref in context
                )
                if not supported:
                    active.discard(name)
                    changed = True
                    break  # recount kinds before judging the next entry
        return active

    def assess(self, title: str, summary: str = "", content: str = "") -> Assessment:
        """Match all three fields, set namesakes aside, drop entries whose context is missing and, out of the
        watchlist's scope, topics and keywords; score and explain."""
        fields = dict(zip(FIELDS, (title or "", summary or "", content or ""), strict=True))
        folded = {name: fold(text) for name, text in fields.items() if text}
        raw = [m for name, text in folded.items() for m in self.find(fields[name], name, text)]
        if not raw:
            return Assessment((), 0.0, self.threshold <= 0, "No watchlist match.")
        notes: list[str] = []
        contexts: dict[str, tuple[str, ...]] = {}
        bare_only: dict[str, str] = {}
        if self._namesakes:
            screened = self._namesakes.screen(raw, fields)
            raw, contexts, bare_only, notes = (
                screened.matches,
                screened.contexts,
                screened.bare_only,
                screened.notes,
            )
        present = {m.entry for m in raw}
        active = self._active(present, contexts)
        kinds = self._kinds
        if self.scope is not None and any(kinds[n] in SCOPED_KINDS for n in active):
            verdict = self.scope.judge(fields, raw, active, kinds, folded)
            if not verdict.in_scope:
                scoped_out = sorted(n for n in present if kinds[n] in SCOPED_KINDS)
                present.difference_update(scoped_out)
                active = self._active(present, contexts)
                notes.append(f"{verdict.reason} (not counted: {', '.join(scoped_out)})")
        kept = tuple(m for m in raw if m.entry in active)
        by_name = self._by_name
        per_field: dict[str, list[int]] = {}  # entry -> mentions in each of FIELDS, in order of first mention
        for m in kept:
            counts = per_field.get(m.entry)
            if counts is None:
                counts = per_field[m.entry] = [0] * len(FIELDS)
            counts[_FIELD_INDEX[m.field]] += 1
        contributions: list[tuple[float, str, str]] = []
        for name, counts in per_field.items():
            boost = TITLE_BOOST if counts[_TITLE_INDEX] else 1.0
            value = by_name[name].weight * boost * _mention_factor(sum(counts))
            places = ", ".join(
                field if count == 1 else f"{count}× {field}"
                for field, count in zip(FIELDS, counts, strict=True)
                if count
            )
            contributions.append((value, name, places))
        score = round(sum(value for value, _, _ in contributions), 2)
        highlighted = score >= self.threshold
        contributions.sort(key=lambda c: -c[0])
        parts = " + ".join(f"{name} ({places})" for _, name, places in contributions)
        sign = "≥" if highlighted else "<"
        if parts:
            explanation = f"{parts} = {_fmt(score)} {sign} {_fmt(self.threshold)}"
        else:
            explanation = f"No entry counts: 0 < {_fmt(self.threshold)}"
        dropped = sorted(present - active)
        unsupported = [n for n in dropped if n in bare_only and not by_name[n].context]
        for name in unsupported:
            notes.append(self._namesakes.explain_unsupported(name, bare_only[name]))
        dropped = [n for n in dropped if n not in unsupported]
        if dropped:
            explanation += f"; not counted without context: {', '.join(dropped)}"
        for note in notes:
            explanation += f"; {note}"
        return Assessment(kept, score, highlighted, explanation)
