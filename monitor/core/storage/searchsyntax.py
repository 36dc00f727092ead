"""What the analyst types in the search box -> a safe FTS5 query (words, "phrases", prefix*, OR, -exclusions)."""

from __future__ import annotations

import re

_TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')
_WORD_CHARS = re.compile(r"[\w]+", re.UNICODE)


def to_fts_query(text: str) -> str:
    """Translate search-box text into FTS5 syntax that can never be a syntax error.

    Words are ANDed; "quoted words" are phrases; a trailing * makes a prefix; OR between two terms is kept;
    a leading - excludes a term. Punctuation inside words splits them (as the unicode61 tokenizer does),
    so "Aix-en-Provence" becomes the phrase "aix en provence". Returns "" when nothing searchable remains.
    """
    positives: list[str] = []
    negatives: list[str] = []
    pending_or = False
    for match in _TOKEN.finditer(text):
        negated, phrase, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None:
            if bare == "OR":
                pending_or = bool(positives)
                continue
            negated = "-" if bare.startswith("-") and len(bare) > 1 else ""
            bare = bare[1:] if negated else bare
            prefix = bare.endswith("*")
            words = _WORD_CHARS.findall(bare)
        else:
            prefix = False
            words = _WORD_CHARS.findall(phrase or "")
        if not words:
            continue
        term = '"' + " ".join(words) + '"' + ("*" if prefix else "")
        if negated:
            negatives.append(term)
        elif pending_or and positives:
            positives[-1] = f"({positives[-1]} OR {term})"
            pending_or = False
        else:
            positives.append(term)
    if not positives:
        return ""
    query = " AND ".join(positives)
    for term in negatives:
        query += f" NOT {term}"
    return query
