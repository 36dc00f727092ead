"""What is never proposed as a new watchlist name, whatever its count: a first name alone when the full name
is known, an adjective of nationality, a common word (the lists in matching/data)."""

from __future__ import annotations

from collections.abc import Iterable

from monitor.core.matching.candidates import Candidate, is_acronym
from monitor.core.matching.folding import fold_key
from monitor.core.matching.wordlists import COMMON_WORDS, FIRST_NAMES, NATIONALITIES, ORG_WORDS, TITLES

# Endings of adjectives made from a place or a person ("Italian", "Pavlovian", "Marseillais", "Niçoise",
# "Lyonnais", "Européen", "Maltese"): a single capitalised word ending so, that nothing marks as a person or an
# organisation, describes rather than names.
ADJECTIVE_ENDINGS = ("ian", "ean", "ese", "ish", "ais", "aise", "ois", "oise", "ien", "ienne", "éen", "éenne")
_FOLDED_ENDINGS = tuple(fold_key(e) for e in ADJECTIVE_ENDINGS)
_FOLDED_NATIONALITIES = frozenset(fold_key(w) for w in NATIONALITIES)
_FOLDED_FIRST_NAMES = frozenset(fold_key(w) for w in FIRST_NAMES)
_FOLDED_COMMON = frozenset(fold_key(w) for w in COMMON_WORDS | ORG_WORDS | TITLES)


def known_first_names(full_names: Iterable[str]) -> set[str]:
    """The folded first words of full names (two words or more): "Mehdi" of "Mehdi Kessaci"."""
    return {fold_key(n).split(" ")[0] for n in full_names if len(n.split()) >= 2}


def is_adjective_of_place(word: str) -> bool:
    """ "French", "européenne", "Pavlovian", "Marseillais": a nationality or an adjective made from a name."""
    key = fold_key(word)
    if key in _FOLDED_NATIONALITIES:
        return True
    return len(key) >= 6 and key not in _FOLDED_FIRST_NAMES and key.endswith(_FOLDED_ENDINGS)


def never_alone(key: str) -> bool:
    """Whether a single word (folded, not an acronym) is refused whatever its evidence: a known first name, a
    common word, a nationality (what `rejection` always refuses)."""
    return key in _FOLDED_FIRST_NAMES or key in _FOLDED_COMMON or key in _FOLDED_NATIONALITIES


def rejection(name: str, cand: Candidate, first_names: set[str]) -> str | None:
    """Why `name` is never a suggestion ("first name alone", "adjective", "common word"), or None."""
    words = name.split()
    if len(words) != 1 or is_acronym(name):
        if all(is_adjective_of_place(w) or fold_key(w) in _FOLDED_COMMON for w in words) and not is_acronym(
            name
        ):
            return "common words"
        return None
    key = fold_key(name)
    if key in _FOLDED_FIRST_NAMES or key in first_names:
        return "first name alone"
    if key in _FOLDED_COMMON:
        return "common word"
    named = cand.evidence["person"] or cand.evidence["organisation"]
    if key in _FOLDED_NATIONALITIES or (is_adjective_of_place(name) and not named):
        return "adjective"
    return None
