"""The word lists behind entry suggestions (titles, first names, common words...), shipped as text files in
monitor/core/matching/data and read once, so a linguist edits a list without touching code."""

from __future__ import annotations

from importlib import resources


def word_list(name: str) -> frozenset[str]:
    """The words of data/<name>.txt: separated by spaces or line breaks; lines starting with # are comments."""
    text = (
        resources.files("monitor.core.matching").joinpath("data", f"{name}.txt").read_text(encoding="utf-8")
    )
    return frozenset(
        word for line in text.splitlines() if not line.lstrip().startswith("#") for word in line.split()
    )


# Read at import: suggest_entries consults them for every word of every text.
PARTICLES = word_list("particles")
CONNECTORS = word_list("connectors")
TITLES = word_list("titles")
PERSON_CUES = TITLES | word_list("person_cues")
ORG_WORDS = word_list("org_words")
PERSON_AFTER = word_list("person_after")
ORG_CUES = word_list("org_cues")
PLACE_CUES = word_list("place_cues")
PLACE_AFTER = word_list("place_after")
PLACE_BEFORE = word_list("place_before")
STOP_ACRONYMS = word_list("stop_acronyms")
COMMON_WORDS = word_list("common_words")
FIRST_NAMES = word_list("first_names")
DETERMINERS = word_list("determiners")
NATIONALITIES = word_list("nationalities")
