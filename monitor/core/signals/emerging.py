"""Emerging names: who is named in the highlighted new items, is not on the watchlist, and is rising or keeps
company with the watched entries.

1. The highlighted articles of the period (default: the last four weeks) go through the entry suggestions
   (matching/suggest.py: the offline heuristic, spaCy too where installed), which leave out what the
   watchlist covers, first names alone, adjectives of nationality and common words.
2. Each candidate's forms are compiled into a throwaway matcher (one Aho-Corasick pass per article) to find
   the articles naming it: its evidence.
3. A candidate named in at least two articles is kept when it is rising (more articles this week than the
   weekly mean of the weeks before) or appears with watched entries in at least two articles; ranked by
   those co-occurrences plus its rise. Dismissed names (meta ``emerging_dismissed``) never come back.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from monitor.core.matching.candidates import is_acronym
from monitor.core.matching.folding import fold_key
from monitor.core.matching.matcher import Matcher
from monitor.core.matching.suggest import Suggestion, suggest_entries
from monitor.core.matching.watchlist import Entry, Watchlist, WatchlistError
from monitor.core.storage.signal_counts import DatedText, articles_naming, recent_highlighted
from monitor.core.support.clock import iso

log = logging.getLogger(__name__)

DISMISSED_KEY = "emerging_dismissed"
DEFAULT_PERIOD = timedelta(weeks=4)
MAX_ARTICLES = 3000  # the newest highlighted articles read: enough for a month of a busy watch
MIN_ARTICLES = 2
MAX_EVIDENCE = 10
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


def _surname_seen_alone(name: str, texts: list[str]) -> str | None:
    """A person's surname when `texts` (those naming the person) also use it without the first name
    ("Zeroual said", "M. Zeroual"), however few times: the analyst's next articles will."""
    words = name.split()
    surname = words[-1]
    if len(words) < 2 or len(surname) <= 2:
        return None
    alone = re.compile(rf"(?<!{re.escape(fold_key(words[-2]))} )\b{re.escape(fold_key(surname))}\b")
    return surname if any(alone.search(fold_key(text)) for text in texts) else None


def _ambiguous(name: str, texts: list[str]) -> bool:
    """A single word, a short acronym, or a name also written in lower case in `texts` (a common word too)
    names several things: it needs a context rule."""
    if is_acronym(name):
        return len(name) <= 3
    lower = re.compile(rf"\b{re.escape(name.lower())}\b")
    return " " not in name.strip() or any(lower.search(text) for text in texts)


def emerging_names(
    conn: sqlite3.Connection,
    watchlist: Watchlist,
    now: datetime,
    *,
    since: str | None = None,
    dismissed: Sequence[str] = (),
    use_nlp: bool | None = None,
) -> list[EmergingName]:
    """The emerging names of the highlighted articles published since `since` (default: four weeks before
    `now`), best first."""
    start = since or iso(now - DEFAULT_PERIOD)
    articles = recent_highlighted(conn, start, MAX_ARTICLES)
    if not articles:
        return []
    suggestions = suggest_entries(
        [a.text for a in articles], existing=watchlist, use_nlp=use_nlp, min_count=2
    )
    gone = {fold_key(d) for d in dismissed}
    suggestions = _surnames_into_full_names([s for s in suggestions if fold_key(s.name) not in gone])
    taken: set[str] = set()
    entries = [e for e in (_entry_for(s, taken) for s in suggestions) if e is not None]
    if not entries:
        return []
    by_name = {s.name: s for s in suggestions}
    matcher = Matcher(Watchlist(tuple(entries)))
    naming: dict[str, list[DatedText]] = {}
    for article in articles:
        for name in {m.entry for m in matcher.find(article.text, "content")}:
            naming.setdefault(name, []).append(article)
    week_ago = iso(now - timedelta(days=7))
    weeks_before = max(1.0, (now - timedelta(days=7) - _parse(start, now)) / timedelta(weeks=1))
    out: list[EmergingName] = []
    for entry in entries:
        found = naming.get(entry.name, [])
        if len(found) < MIN_ARTICLES:
            continue
        this_week = sum(a.published >= week_ago for a in found)
        before = (len(found) - this_week) / weeks_before
        company = Counter(e for a in found for e in a.entries)
        together = sum(1 for a in found if a.entries)
        rising = this_week >= MIN_ARTICLES and this_week > before
        if not rising and together < MIN_ARTICLES:
            continue
        suggestion = by_name[entry.name]
        # A name the whole store uses everywhere ("France") says less than one found mostly in the highlighted
        # articles of the period: the share of its articles that are those weighs its score.
        specificity = min(
            1.0, len(found) / max(1, articles_naming(conn, (*entry.aliases, *entry.case_sensitive_aliases)))
        )
        with_entries = tuple(company.most_common())
        context: tuple[str, ...] = ()
        texts = [a.text for a in found]
        aliases = entry.aliases
        surname = _surname_seen_alone(entry.name, texts) if suggestion.kind_guess == "person" else None
        if surname and fold_key(surname) not in {fold_key(a) for a in aliases}:
            aliases = (*aliases, surname)
        if _ambiguous(entry.name, texts):
            context = tuple(e for e, _ in with_entries[:3]) or ("topic", "keyword")
        out.append(
            EmergingName(
                name=entry.name,
                kind=suggestion.kind_guess,
                score=(together + max(0.0, this_week - before))
                * specificity
                * KIND_WEIGHT.get(suggestion.kind_guess, 0.5),
                articles=len(found),
                this_week=this_week,
                weekly_before=before,
                with_entries=with_entries,
                article_ids=tuple(a.id for a in found[:MAX_EVIDENCE]),
                aliases=aliases,
                case_sensitive_aliases=entry.case_sensitive_aliases,
                context=context,
                examples=suggestion.examples,
            )
        )
    out.sort(key=lambda e: (-e.score, -e.articles, e.name.casefold()))
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
