"""The search box on PostgreSQL: the same syntax as on SQLite (searchsyntax.parse_search), on the tsvectors of
articles_search (pg_schema.py).

A plain word matches by its stems, French or English (as SQLite's word-form index; vigie_french and vigie_english
are PostgreSQL's french and english without their stop words), or as written (simple); a "quoted phrase" and a prefix*
match the words as written, accents folded (unaccent) as SQLite's unicode61 tokenizer folds them.
"""

from __future__ import annotations

from functools import lru_cache

from monitor.core.storage.searchsyntax import Typed, parse_search

_WORD_CONDITION = (
    "(s.french @@ plainto_tsquery('vigie_french', vigie_unaccent(?))"
    " OR s.english @@ plainto_tsquery('vigie_english', vigie_unaccent(?))"
    " OR s.simple @@ plainto_tsquery('simple', vigie_unaccent(?)))"
)


def _term(typed: Typed) -> tuple[str, list[object]]:
    words = [w.lower() for w in typed.words]
    if typed.prefix:
        # Each word is letters and digits only (searchsyntax.WORD): quoting it makes it one lexeme.
        query = " <-> ".join(f"'{w}'" for w in words) + ":*"
        return "s.simple @@ to_tsquery('simple', vigie_unaccent(?))", [query]
    if typed.phrase or len(words) > 1:
        return "s.simple @@ phraseto_tsquery('simple', vigie_unaccent(?))", [" ".join(words)]
    return _WORD_CONDITION, [words[0]] * 3


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
        sql, more = _term(typed)
        clauses.append(f"NOT {sql}")
        args.extend(more)
    where = " AND ".join(clauses)
    return f"SELECT s.article_id FROM articles_search s WHERE {where}", tuple(args)
