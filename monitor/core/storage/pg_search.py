"""The search box on PostgreSQL: the same syntax as on SQLite (searchsyntax.parse_search), on the tsvectors of
articles_search (pg_schema.py).

A plain word matches by its stems, French or English (as SQLite's word-form index; vigie_french and vigie_english
are PostgreSQL's french and english without their stop words; the word as written has the same stems). Since
schema 27 an article tagged French has an empty English vector and one tagged English an empty French vector, as
SQLite's index keeps them: a French article is not found through an English inflection. A "quoted phrase" and a
prefix* match the words as written, accents folded (unaccent) as SQLite's unicode61 tokenizer folds them. The
stems' vectors carry no positions (schema 22): plainto_tsquery's `&` never reads one. A phrase of several words is
narrowed by the word pairs' index first (pg_schema v22 and v25, docs/BENCHMARKS.md section 27).
"""

from __future__ import annotations

from functools import lru_cache

from monitor.core.storage.searchsyntax import Typed, parse_search

# A plain word: its French or English stems. The word as written (the simple vector) needs no third test: the three
# configurations map the same token types, each to the same dictionary for a token of letters and digits (a
# stemmer for letters, `simple` for digits), so an article holding the word as written holds its stems too, in the
# vector of its language at least (tests/core/storage/test_engines.py checks it on varied text). Each test reads
# its vector: two, not three.
_WORD_CONDITION = (
    "(s.french @@ plainto_tsquery('vigie_french', vigie_unaccent(?))"
    " OR s.english @@ plainto_tsquery('vigie_english', vigie_unaccent(?)))"
)


# A phrase of several words: its word pairs' keys in the pairs index (pg_schema v22, keyed by hashes since v25)
# find the few articles that may hold it, then its positions in the simple vector decide. ts_match_vq is `@@` under
# its function's name: as a function call it is checked on those candidates only, not answered from the simple
# index as well (that index would list every article holding both words, and each would be checked again). The
# positions are checked first, so an article whose pairs the index did not give (an OR, a walk of the date index)
# costs no vigie_pair_keys call unless it holds the phrase.
_PHRASE_CONDITION = (
    "(ts_match_vq(s.simple, phraseto_tsquery('simple', vigie_unaccent(?)))"
    " AND vigie_pair_keys(s.simple) @> vigie_pair_keys(to_tsvector('simple', vigie_unaccent(?))))"
)


def _term(typed: Typed, *, excluded: bool = False) -> tuple[str, list[object]]:
    words = [w.lower() for w in typed.words]
    if typed.prefix:
        # Each word is letters and digits only (searchsyntax.WORD): quoting it makes it one lexeme.
        query = " <-> ".join(f"'{w}'" for w in words) + ":*"
        return "s.simple @@ to_tsquery('simple', vigie_unaccent(?))", [query]
    if typed.phrase or len(words) > 1:
        text = " ".join(words)
        # An excluded phrase is checked on the articles the other terms found: its positions alone, no index.
        if len(words) > 1 and not excluded:
            return _PHRASE_CONDITION, [text, text]
        return "s.simple @@ phraseto_tsquery('simple', vigie_unaccent(?))", [text]
    return _WORD_CONDITION, [words[0]] * 2


@lru_cache(maxsize=256)
def search_condition(text: str) -> tuple[str, tuple[object, ...]] | None:
    """A condition on the row `a` (an article) for the search-box text; None when nothing searchable remains."""
    found = search_ids(text)
    return None if found is None else (f"a.id IN ({found[0]})", found[1])


@lru_cache(maxsize=256)
def search_ids(text: str) -> tuple[str, tuple[object, ...]] | None:
    """The ids of the articles the search-box text finds, from articles_search alone (no join with articles: a
    capped count reads only as many ids as it needs); None when nothing searchable remains."""
    groups, excluded, _ = parse_search(text)
    if not groups:
        return None
    clauses: list[str] = []
    args: list[object] = []
    for group in groups:
        terms = [_term(t) for t in group]
        clauses.append("(" + " OR ".join(sql for sql, _ in terms) + ")")
        args.extend(a for _, more in terms for a in more)
    for typed in excluded:
        sql, more = _term(typed, excluded=True)
        clauses.append(f"NOT {sql}")
        args.extend(more)
    where = " AND ".join(clauses)
    return f"SELECT s.article_id FROM articles_search s WHERE {where}", tuple(args)
