"""No first name alone when the full name is known, no adjectives of nationality, no common words."""

from __future__ import annotations

from collections import Counter

from monitor.core.matching.candidates import Candidate
from monitor.core.matching.name_filters import is_adjective_of_place, known_first_names, rejection
from monitor.core.matching.suggest import suggest_entries
from monitor.core.matching.watchlist import load_default_watchlist
from monitor.core.parsing.seeds import read_seeds
from monitor.paths import seeds_dir


def test_suggestions_from_the_seeds_leave_out_first_names_adjectives_and_common_words() -> None:
    texts = [f"{s.title}\n\n{s.body}" for s in read_seeds(seeds_dir())]
    names = {s.name for s in suggest_entries(texts, existing=load_default_watchlist(), use_nlp=False)}
    assert names, "the seeds name things the watchlist lacks"
    assert not names & {
        "Mehdi",
        "Amine",
        "Brahim",
        "French",
        "European",
        "Pavlovian",
        "Italian",
        "Marseillais",
    }


def test_the_rules() -> None:
    plain = Candidate(forms=Counter({"x": 1}))
    person = Candidate(forms=Counter({"x": 1}), evidence=Counter({"person": 2}))
    first = known_first_names(["Karim Zeroual", "PNACO"])
    assert rejection("Karim", plain, first) == "first name alone"
    assert rejection("Zeroual", plain, first) is None
    assert rejection("Française", plain, set()) == "adjective"
    assert rejection("Lyonnais", plain, set()) == "adjective"
    assert rejection("Kardashian", person, set()) is None  # a name the text marks as a person's
    assert rejection("Ministry", plain, set()) == "common word"
    assert rejection("OFAST", plain, set()) is None
    assert is_adjective_of_place("européenne") and not is_adjective_of_place("Marseille")
