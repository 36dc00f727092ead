"""What the analyst types in the search box -> safe FTS5 queries (words, "phrases", prefix*, OR, -exclusions).

A plain word is looked up by its word forms in the stem index (articles_stems, schema 10): "menace" finds
menaces, menacé, menacées. A "quoted phrase", a prefix* and a word that punctuation splits ("Aix-en-Provence")
are looked up as written in the text index (articles_fts). Each index gets one MATCH where it can; a search that
needs both is the intersection (and union, for OR) of their hits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from monitor.core.parsing.wordforms import WORD, query_forms

TEXT_INDEX = "articles_fts"  # the words as written (accents and case folded)
FORMS_INDEX = "articles_stems"  # the stems of the words, French in column fr, English in column en

_TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')


@dataclass(frozen=True)
class Term:
    """An FTS5 expression on one of the two indexes."""

    index: str
    match: str

    def ids(self) -> tuple[str, list[object]]:
        return f"SELECT rowid FROM {self.index} WHERE {self.index} MATCH ?", [self.match]

    def probe(self) -> tuple[str, list[object]]:
        """True for the row `a` when it matches (one seek in the index)."""
        return f"EXISTS (SELECT 1 FROM {self.index} WHERE {self.index} MATCH ? AND rowid = a.id)", [
            self.match
        ]


@dataclass(frozen=True)
class SearchPlan:
    """A search as FTS5 terms: each group of `required` must match (a group matches when any of its terms does),
    no term of `excluded` may."""

    required: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...] = ()
    phrases: int = 1  # how many words and phrases the search has (the planner's cost of a seek)

    @property
    def single(self) -> Term | None:
        """The one term that answers the whole search, when one does (the common case)."""
        if len(self.required) == 1 and len(self.required[0]) == 1 and not self.excluded:
            return self.required[0][0]
        return None

    @property
    def seekable(self) -> bool:
        """Whether one seek per article is cheap: a prefix* is not, FTS5 merges the lists of every word it starts
        (about 17 ms a seek for "tra"* at 200,000 articles, against 0.02 ms for a word)."""
        terms = [t for group in self.required for t in group] + list(self.excluded)
        return not any('"*' in t.match for t in terms)

    def ids(self) -> tuple[str, list[object]]:
        """A SELECT of the ids of the articles found."""
        parts: list[str] = []
        args: list[object] = []
        for group in self.required:
            if len(group) == 1:
                sql, more = group[0].ids()
            else:
                selects = [term.ids() for term in group]
                sql = "SELECT rowid FROM (" + " UNION ".join(s for s, _ in selects) + ")"
                more = [value for _, values in selects for value in values]
            parts.append(sql if not parts else f"INTERSECT {sql}")
            args.extend(more)
        for term in self.excluded:
            sql, more = term.ids()
            parts.append(f"EXCEPT {sql}")
            args.extend(more)
        return " ".join(parts), args

    def probe(self) -> tuple[str, list[object]]:
        """A condition on the row `a`: one index seek per term instead of the list of hits."""
        clauses: list[str] = []
        args: list[object] = []
        for group in self.required:
            probes = [term.probe() for term in group]
            clauses.append("(" + " OR ".join(sql for sql, _ in probes) + ")")
            args.extend(a for _, more in probes for a in more)
        for term in self.excluded:
            sql, more = term.probe()
            clauses.append(f"NOT {sql}")
            args.extend(more)
        return " AND ".join(clauses), args


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _forms_match(word: str) -> str:
    """The stem-index expression of one word: its French stems in column fr, its English stems in column en."""
    french, english = query_forms(word)
    if french == english:  # the same stems either way: any column
        return " OR ".join(_quoted(s) for s in sorted(french))
    alternatives = [f"fr : {_quoted(s)}" for s in sorted(french)] + [
        f"en : {_quoted(s)}" for s in sorted(english)
    ]
    return " OR ".join(alternatives)


def _term(words: list[str], *, phrase: bool, prefix: bool) -> Term:
    if len(words) == 1 and not phrase and not prefix:
        return Term(FORMS_INDEX, "(" + _forms_match(words[0]) + ")")
    return Term(TEXT_INDEX, _quoted(" ".join(words)) + ("*" if prefix else ""))


@dataclass(frozen=True)
class Typed:
    """One term as the analyst typed it: its words, and whether it was a "quoted phrase" or a prefix*."""

    words: tuple[str, ...]
    phrase: bool = False
    prefix: bool = False


def parse_search(text: str) -> tuple[list[list[Typed]], list[Typed], int]:
    """The search-box text as groups of terms (each group must match; a group matches when any of its terms
    does), the excluded terms, and how many words and phrases it has. Both engines plan from this (on
    PostgreSQL, pg_search.py).

    Words are ANDed; "quoted words" are exact phrases; a trailing * makes a prefix; OR between two terms is
    kept; a leading - excludes a term. Punctuation inside a word splits it (as the unicode61 tokenizer does), so
    Aix-en-Provence is the phrase "aix en provence".
    """
    groups: list[list[Typed]] = []
    excluded: list[Typed] = []
    pending_or = False
    phrases = 0
    for match in _TOKEN.finditer(text):
        negated, phrase, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None:
            if bare == "OR":
                pending_or = bool(groups)
                continue
            negated = "-" if bare.startswith("-") and len(bare) > 1 else ""
            bare = bare[1:] if negated else bare
            prefix = bare.endswith("*")
            words = WORD.findall(bare)
            quoted = False
        else:
            prefix = False
            words = WORD.findall(phrase or "")
            quoted = True
        if not words:
            continue
        term = Typed(tuple(words), phrase=quoted, prefix=prefix)
        phrases += 1
        if negated:
            excluded.append(term)
        elif pending_or and groups:
            groups[-1].append(term)
            pending_or = False
        else:
            groups.append([term])
    return groups, excluded, phrases


@lru_cache(maxsize=256)
def plan_search(text: str) -> SearchPlan | None:
    """Translate search-box text (parse_search) into FTS5 terms that can never be a syntax error; None when
    nothing searchable remains."""
    groups, excluded, phrases = parse_search(text)
    if not groups:
        return None

    def term(typed: Typed) -> Term:
        return _term(list(typed.words), phrase=typed.phrase, prefix=typed.prefix)

    return _merged([[term(t) for t in group] for group in groups], [term(t) for t in excluded], phrases)


def _merged(groups: list[list[Term]], excluded: list[Term], phrases: int) -> SearchPlan:
    """The same search with as few terms as the indexes allow: the groups (and OR groups) that one index answers
    become one MATCH on it, and an exclusion joins that MATCH as NOT."""
    by_index: dict[str, list[str]] = {}
    mixed: list[tuple[Term, ...]] = []
    for group in groups:
        indexes = {t.index for t in group}
        if len(indexes) == 1:
            matches = [t.match for t in group]
            by_index.setdefault(group[0].index, []).append(
                matches[0] if len(matches) == 1 else "(" + " OR ".join(matches) + ")"
            )
        else:
            mixed.append(tuple(group))
    left_out: list[Term] = []
    for term in excluded:
        if term.index in by_index:
            by_index[term.index].append(f"NOT {term.match}")
        else:
            left_out.append(term)
    required: list[tuple[Term, ...]] = []
    for index, matches in by_index.items():
        expression = matches[0]
        for part in matches[1:]:
            expression += f" {part}" if part.startswith("NOT ") else f" AND {part}"
        required.append((Term(index, expression),))
    return SearchPlan(tuple(required + mixed), tuple(left_out), phrases)
