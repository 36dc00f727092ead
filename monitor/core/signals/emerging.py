"""Emerging names: who is named in the highlighted new items, is not on the watchlist, and is rising or keeps
company with the watched entries.

1. The highlighted articles of the period (default: the last four weeks, at most MAX_ARTICLES, newest first)
   have their candidate names in the name index (storage/name_index.py, written as they were stored): their rows
   are summed by name and go through the suggestion heuristic's selection (matching/suggest.py), which leaves out
   what the watchlist covers, first names alone, adjectives of nationality and common words. No text is read,
   except for the few articles the index still lacks (indexed here first) and the evidence of the names proposed
   (their example sentences).
2. The articles naming a candidate are those whose index rows hold one of its forms: its evidence.
3. A candidate named in at least two articles is kept when it is rising (more articles this week than the
   weekly mean of the weeks before) or appears with watched entries in at least two articles; ranked by
   those co-occurrences plus its rise. Dismissed names (meta ``emerging_dismissed``) never come back.
"""

from __future__ import annotations

import functools
import heapq
import json
import logging
import re
import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from monitor.core.matching import folding
from monitor.core.matching.article_names import collector_from, name_key, words_to_check
from monitor.core.matching.candidates import is_acronym
from monitor.core.matching.suggest import Suggestion, select_suggestions
from monitor.core.matching.watchlist import Entry, Watchlist, WatchlistError
from monitor.core.storage.name_index import (
    PeriodNames,
    article_texts,
    highlighted_since,
    index_ids,
    lower_words_known,
)
from monitor.core.storage.signal_counts import articles_naming
from monitor.core.support.clock import iso

log = logging.getLogger(__name__)

# Names are folded again and again (their forms, their keys, their surnames): a cache of the short strings seen.
fold_key = functools.lru_cache(maxsize=1 << 16)(folding.fold_key)

DISMISSED_KEY = "emerging_dismissed"
DEFAULT_PERIOD = timedelta(weeks=4)
MAX_ARTICLES = 3000  # the newest highlighted articles read: enough for a month of a busy watch
MIN_ARTICLES = 2
MAX_EVIDENCE = 10
# The best names get their example sentences and, when ambiguous, a context rule: the only text read (that of
# their evidence articles). The others are listed with counts alone.
DETAILED = 50
MAX_NAMES = 100  # proposed at most: a longer list is not read
WEIGHED = 2 * MAX_NAMES  # names whose store-wide count is read (see _weighed_by_specificity)
# Who acts in a story comes before where it happens: at equal evidence a person or an organisation ranks above
# a place ("France", "Europe" are in every other article) or a plain keyword.
KIND_WEIGHT = {"person": 1.0, "organisation": 1.0, "place": 0.5, "topic": 0.75, "keyword": 0.5}


@dataclass(frozen=True)
class EmergingName:
    """One proposed name with its evidence.

    Attributes:
        this_week: articles naming it in the last seven days; `weekly_before` the weekly mean before that.
        with_entries: the watched entries it appears with, and in how many articles, most first.
        context: the entries an ambiguous name must appear with to count (its proposed context rule).
    """

    name: str
    kind: str
    score: float
    articles: int
    this_week: int
    weekly_before: float
    with_entries: tuple[tuple[str, int], ...]
    article_ids: tuple[int, ...]
    aliases: tuple[str, ...]
    case_sensitive_aliases: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    examples: tuple[str, ...] = field(default=(), compare=False)

    @property
    def rising(self) -> bool:
        return self.this_week > self.weekly_before

    def to_entry(self) -> Entry:
        """The watchlist entry the Add button saves."""
        return Entry(
            name=self.name,
            kind=self.kind,
            aliases=self.aliases,
            case_sensitive_aliases=self.case_sensitive_aliases,
            context=self.context,
            note=f"Emerging name: named in {self.articles} highlighted articles"
            + (f", with {', '.join(e for e, _ in self.with_entries[:3])}" if self.with_entries else ""),
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "kind": self.kind,
            "score": round(self.score, 2),
            "articles": self.articles,
            "this_week": self.this_week,
            "weekly_before": round(self.weekly_before, 2),
            "rising": self.rising,
            "with_entries": [{"entry": e, "articles": n} for e, n in self.with_entries],
            "article_ids": list(self.article_ids),
            "aliases": list(self.aliases),
            "case_sensitive_aliases": list(self.case_sensitive_aliases),
            "context": list(self.context),
            "examples": list(self.examples),
        }


def _entry_for(suggestion: Suggestion, taken: set[str]) -> Entry | None:
    """A throwaway entry matching the suggestion's forms (forms another candidate has are left out)."""
    forms = [f for f in dict.fromkeys((suggestion.name, *suggestion.aliases)) if fold_key(f) not in taken]
    if not forms:
        return None
    taken.update(fold_key(f) for f in forms)
    # French writes an acronym read as a word in title case too ("l'Ofast", "le Pnaco"): that form goes with it.
    acronyms = tuple(
        dict.fromkeys(
            form
            for f in forms
            if is_acronym(f)
            for form in ((f, f.capitalize()) if len(f) >= 4 and f.isalpha() else (f,))
        )
    )
    plain = tuple(f for f in forms if not is_acronym(f))
    try:
        return Entry(suggestion.name, suggestion.kind_guess, aliases=plain, case_sensitive_aliases=acronyms)
    except WatchlistError:
        return None


def _surnames_into_full_names(suggestions: list[Suggestion]) -> list[Suggestion]:
    """A surname seen alone ("Perrée") becomes an alias of the one full name it ends ("Vanessa Perrée")."""
    ends: dict[str, list[Suggestion]] = {}
    for s in suggestions:
        if s.kind_guess == "person" and len(s.name.split()) >= 2:
            ends.setdefault(fold_key(s.name.split()[-1]), []).append(s)
    merged: dict[str, Suggestion] = {}
    dropped: set[str] = set()
    for s in suggestions:
        owners = ends.get(fold_key(s.name), []) if " " not in s.name and not is_acronym(s.name) else []
        if len(owners) == 1:
            owner = merged.get(owners[0].name, owners[0])
            merged[owner.name] = replace(
                owner, aliases=(*owner.aliases, s.name, *s.aliases), count=owner.count + s.count
            )
            dropped.add(s.name)
    return [merged.get(s.name, s) for s in suggestions if s.name not in dropped]


def _ambiguous(name: str, texts: list[str]) -> bool:
    """A single word, a short acronym, or a name also written in lower case in `texts` (a common word too)
    names several things: it needs a context rule."""
    if is_acronym(name):
        return len(name) <= 3
    if " " not in name.strip():
        return True
    lower = re.compile(rf"\b{re.escape(name.lower())}\b") if texts else None
    return lower is not None and any(lower.search(text) for text in texts)


def _context(name: str, with_entries: Sequence[tuple[str, int]], texts: list[str]) -> tuple[str, ...]:
    """The proposed context rule of an ambiguous name: the watched entries it appears with most (or any topic or
    keyword); none for a name that is not ambiguous."""
    if not _ambiguous(name, texts):
        return ()
    return tuple(e for e, _ in with_entries[:3]) or ("topic", "keyword")


_SENTENCES = re.compile(r"(?<=[.!?…])\s+|\n+")


def _examples(forms: Sequence[str], texts: list[str], limit: int = 3) -> tuple[str, ...]:
    """Up to `limit` sentences of `texts` that write one of `forms`."""
    found: list[str] = []
    for text in texts:
        for sentence in _SENTENCES.split(text):
            if any(f in sentence for f in forms) and sentence.strip() not in found:
                found.append(sentence.strip() if len(sentence) <= 240 else sentence[:237].strip() + "...")
                if len(found) >= limit:
                    return tuple(found)
    return tuple(found)


def _candidates(conn: sqlite3.Connection, period: PeriodNames, watchlist: Watchlist) -> list[Suggestion]:
    """The suggestion heuristic's selection over the period's summed index rows."""
    collector = collector_from(period.totals())
    words = [
        w
        for cand in collector.candidates.values()
        if cand.forms and cand.count >= MIN_ARTICLES and cand.running_text
        for w in words_to_check(cand.forms.most_common(1)[0][0])
    ]
    collector.lower_words.update(lower_words_known(conn, words))
    return select_suggestions(collector, watchlist, min_count=MIN_ARTICLES)


def emerging_names(
    conn: sqlite3.Connection,
    watchlist: Watchlist,
    now: datetime,
    *,
    since: str | None = None,
    dismissed: Sequence[str] = (),
) -> list[EmergingName]:
    """The emerging names of the highlighted articles published since `since` (default: four weeks before
    `now`), best first."""
    start = since or iso(now - DEFAULT_PERIOD)
    dated = highlighted_since(conn, start, MAX_ARTICLES)
    if not dated:
        return []
    try:  # articles stored before schema 16, or judged relevant since, are indexed first
        caught_up = index_ids(conn, [i for i, _ in dated])
    except sqlite3.OperationalError as exc:  # a read-only or busy store: the names indexed so far are counted
        log.warning("emerging names: could not index the period's articles first (%s)", exc)
        caught_up = 0
    if caught_up:
        log.info("emerging names: %d articles indexed first", caught_up)
    period = PeriodNames(conn, (i for i, _ in dated))
    try:
        return _rank(conn, period, dict(dated), watchlist, now, start, dismissed)
    finally:
        period.close()


def _rank(
    conn: sqlite3.Connection,
    period: PeriodNames,
    published: dict[int, str],
    watchlist: Watchlist,
    now: datetime,
    start: str,
    dismissed: Sequence[str],
) -> list[EmergingName]:
    gone = {fold_key(d) for d in dismissed}
    suggestions = [s for s in _candidates(conn, period, watchlist) if fold_key(s.name) not in gone]
    suggestions = _surnames_into_full_names(suggestions)
    taken: set[str] = set()
    entries = [e for e in (_entry_for(s, taken) for s in suggestions) if e is not None]
    if not entries:
        return []
    by_name = {s.name: s for s in suggestions}
    keys = {e.name: {name_key(f) for f in (e.name, *e.aliases, *e.case_sensitive_aliases)} for e in entries}
    surnames = {e.name: name_key(e.name.split()[-1]) for e in entries if len(e.name.split()) >= 2}
    naming = period.articles_naming({k for ks in keys.values() for k in ks} | set(surnames.values()))
    watched = period.entries()
    week_ago = iso(now - timedelta(days=7))
    weeks_before = max(1.0, (now - timedelta(days=7) - _parse(start, now)) / timedelta(weeks=1))
    out: list[EmergingName] = []
    for entry in entries:
        ids = {i for k in keys[entry.name] for i in naming.get(k, ())}
        if len(ids) < MIN_ARTICLES:
            continue
        found = sorted(ids, key=lambda i: (published[i], i), reverse=True)
        this_week = sum(published[i] >= week_ago for i in found)
        before = (len(found) - this_week) / weeks_before
        company = Counter(e for i in found for e in watched.get(i, ()))
        together = sum(1 for i in found if watched.get(i))
        rising = this_week >= MIN_ARTICLES and this_week > before
        if not rising and together < MIN_ARTICLES:
            continue
        suggestion = by_name[entry.name]
        with_entries = tuple(company.most_common())
        aliases = entry.aliases
        # A person's surname written alone in the articles naming them ("Zeroual said", "M. Zeroual") is an alias,
        # however few times: the analyst's next articles will use it.
        surname = surnames.get(entry.name) if suggestion.kind_guess == "person" else None
        if surname and len(surname) > 2 and ids & set(naming.get(surname, ())):
            written = entry.name.split()[-1]
            if fold_key(written) not in {fold_key(a) for a in aliases}:
                aliases = (*aliases, written)
        out.append(
            EmergingName(
                name=entry.name,
                kind=suggestion.kind_guess,
                score=(together + max(0.0, this_week - before)) * KIND_WEIGHT.get(suggestion.kind_guess, 0.5),
                articles=len(found),
                this_week=this_week,
                weekly_before=before,
                with_entries=with_entries,
                article_ids=tuple(found[:MAX_EVIDENCE]),
                aliases=aliases,
                case_sensitive_aliases=entry.case_sensitive_aliases,
                # What needs no text (a single word, a short acronym); _detailed reads the best names' texts.
                context=_context(entry.name, with_entries, []),
            )
        )
    best = _weighed_by_specificity(conn, out)
    return _detailed(conn, best[:DETAILED]) + best[DETAILED:]


def _weighed_by_specificity(conn: sqlite3.Connection, names: list[EmergingName]) -> list[EmergingName]:
    """The MAX_NAMES best of `names`, best first, each score weighed by its specificity.

    A name the whole store uses everywhere ("France") says less than one found mostly in the highlighted
    articles of the period: the share of the store's articles naming it (the full-text index counts them) that
    are those weighs its score. A weight is at most 1, so once the next name's unweighed score cannot reach the
    MAX_NAMES-th weighed one, the rest are left out without being counted; and at most WEIGHED names are counted
    (one full-text count each), those of best unweighed score: a name below them is one seen in two or three
    articles, which a long list of the period's names would not show anyway."""
    weighed: list[EmergingName] = []
    floor: list[float] = []  # a min-heap of the MAX_NAMES best weighed scores so far
    for name in sorted(names, key=lambda e: -e.score)[:WEIGHED]:
        if len(floor) >= MAX_NAMES and name.score < floor[0]:
            break
        store_wide = articles_naming(conn, (*name.aliases, *name.case_sensitive_aliases))
        weighed.append(replace(name, score=name.score * min(1.0, name.articles / max(1, store_wide))))
        heapq.heappush(floor, weighed[-1].score)
        if len(floor) > MAX_NAMES:
            heapq.heappop(floor)
    weighed.sort(key=lambda e: (-e.score, -e.articles, e.name.casefold()))
    return weighed[:MAX_NAMES]


def _detailed(conn: sqlite3.Connection, names: list[EmergingName]) -> list[EmergingName]:
    """`names` with their example sentences and, where a name is ambiguous, its context rule (the watched entries
    it appears with most), read from the text of their evidence articles."""
    texts = article_texts(conn, sorted({i for n in names for i in n.article_ids}))
    out = []
    for name in names:
        shown = [texts[i] for i in name.article_ids if i in texts]
        context = _context(name.name, name.with_entries, shown)
        forms = (*name.aliases, *name.case_sensitive_aliases)
        out.append(replace(name, context=context, examples=_examples(forms, shown)))
    return out


def _parse(value: str, default: datetime) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return default


def load_dismissed(raw: str | None) -> list[str]:
    try:
        value = json.loads(raw or "[]")
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []
