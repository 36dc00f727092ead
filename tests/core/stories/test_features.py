"""story_features is written for speed (a poll makes it for every article): it must give what the plain version
below gives, word for word, whatever the text. The plain version is the one the stores' features were made with
before: a difference would keep a new reprint from meeting an old one."""

from __future__ import annotations

import re
import zlib
from collections import Counter

from hypothesis import example, given, settings
from hypothesis import strategies as st

from monitor.core.matching.folding import fold_key
from monitor.core.stories.text import (
    ALL_STOPWORDS,
    MAX_CHARS,
    MONTHS,
    NOT_NAMES,
    SKETCH_SIZE,
    STEM_LENGTH,
    STOPWORDS,
    WEEKDAYS,
    StoryFeatures,
    story_features,
)

_WORD = re.compile(r"[^\W_]+")
_CASED_WORD = re.compile(r"[^\W\d_][^\W_]*")
_NUMBER = re.compile(r"\d{1,3}(?:[  ,.]\d{3})+(?!\d)|\d+")


def plain_features(title: str, summary: str, content: str, lang_hint: str | None = None) -> StoryFeatures:
    body = content if len(content) > len(summary) else summary
    cased = fold_key(f"{title}\n{body[:MAX_CHARS]}", keep_case=True)
    cased_words = _CASED_WORD.findall(cased)
    words = [w.lower() for w in _WORD.findall(cased)]
    counts = Counter(words)
    fr = sum(counts[w] for w in STOPWORDS["fr"].intersection(counts))
    en = sum(counts[w] for w in STOPWORDS["en"].intersection(counts))
    lang = "fr" if fr > en else "en" if en > fr else (lang_hint or "").split("-")[0].lower() or "und"
    distinct = set(cased_words)
    lowered = {w for w in distinct if w[0].islower()}
    stems = frozenset(w[:STEM_LENGTH] for w in set(words) - ALL_STOPWORDS if len(w) > 2 and not w.isdigit())
    anchors: set[str] = set()  # no watched entries: story_features is called without them here
    for word in distinct:
        low = word.lower()
        if low in MONTHS:
            anchors.add(f"m:{MONTHS[low]}")
        elif low in WEEKDAYS:
            anchors.add(f"d:{WEEKDAYS[low]}")
        elif word[0].isupper() and len(word) > 1 and low not in NOT_NAMES and low not in lowered:
            anchors.add(f"n:{low}")
    for number in _NUMBER.findall(cased):
        digits = re.sub(r"\D", "", number)
        anchors.add(f"#:{int(digits)}" if len(digits) < 12 else f"#:{digits}")
    if len(words) < 3:
        shingles = {" ".join(words)} if words else set()
    else:
        shingles = {f"{a} {b} {c}" for a, b, c in zip(words, words[1:], words[2:], strict=False)}
    hashes = sorted({zlib.crc32(s.encode()) for s in shingles})
    return StoryFeatures(lang, stems, frozenset(anchors), tuple(hashes[:SKETCH_SIZE]))


# Words that exercise each rule: names and common words in either case, months and weekdays (with digits before
# them: "12mai"), numbers with thousands separators, other scripts' digits and letters (Arabic-Indic digits,
# superscripts, Greek with its capital sigma, the dotted capital I, which lower-cases to two characters).
_VOCABULARY = [
    "Marseille",
    "marseille",
    "Kessaci",
    "la",
    "the",
    "police",
    "Police",
    "mardi",
    "Mardi",
    "12mai",
    "4eme",
    "4th",
    "6 500",
    "6,500",
    "1.000.000",
    "2026",
    "0042",
    "٣٤٥",
    "²3",
    "x²",
    "ΟΔΟΣ",
    "Σ",
    "ΑΣ.Β",
    "İstanbul",
    "Œuvre",
    "straße",
    "_x_",
    "a_b",
    "été",
    "Été",
    "NARCOTRAFIC",
    "l'Etat",
    "d’Amine",
    "9",
    "12345678901234",
    "Ǆemal",
    "٣Mardi",
    "१२mai",
]
_SEPARATORS = [" ", " ", "\n", ", ", ". ", "-", "'", " « ", "\u00a0", "\u202f"]
_texts = st.lists(st.one_of(st.sampled_from(_VOCABULARY), st.text(max_size=12)), max_size=40).flatmap(
    lambda parts: st.lists(st.sampled_from(_SEPARATORS), min_size=len(parts), max_size=len(parts)).map(
        lambda seps: "".join(p + s for p, s in zip(parts, seps, strict=True))
    )
)


@settings(max_examples=400, deadline=None)
@given(title=_texts, body=_texts, hint=st.sampled_from([None, "fr", "en-GB", "de"]))
@example(title="", body="", hint=None)
@example(title="Mardi 12mai", body="ΑΣ.Β İstanbul x²3 ٣٤٥ 6 500 morts à Marseille", hint="fr")
def test_story_features_are_the_plain_version_s(title: str, body: str, hint: str | None) -> None:
    assert story_features(title, "", body, lang_hint=hint) == plain_features(title, "", body, hint)
    assert story_features(title, body, "", lang_hint=hint) == plain_features(title, body, "", hint)
