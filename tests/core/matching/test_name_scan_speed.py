"""The name scan's faster forms (the parser processes run it over every highlighted article) against the forms
they replace: the same answers on generated text, special characters included."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.core.matching import candidates, suggest
from monitor.core.matching.article_names import article_names

# What _opens_sentence replaced: a search of the sentence up to the name.
SENTENCE_START = re.compile(r"(?:^|[:;!?.—–-])[\s\"'“”«»‘’(\[*•]*$")
# What the two boilerplate expressions replaced: the list's patterns in one alternation.
ANY_BOILERPLATE = re.compile("|".join(f"(?:{p.pattern})" for p in suggest._BOILERPLATE), re.IGNORECASE)

# Letters that case-insensitive matching takes for others (ſ for s, ı and İ for i, K for k), openers, sentence
# ends, spaces of several kinds, apostrophes, dots and digits: the characters the rewritten code treats apart.
TRICKY = list("aAbcdeilsSpPoOtTuvgrmnhkſıİK’'\"“”«»‘(][*•:;!?.—–-© \t\u00a0\u2003\n0123456789_é")
tricky_text = st.text(alphabet=st.sampled_from(TRICKY), max_size=40)

BOILERPLATE_WORDS = [
    "share", "Share your thoughts", "partager", "SUBSCRIBE to", "s'abonner", "Abonnez-vous", "read more",
    "Read also", "lire aussi", "Lire la suite", "lire plus", "à lire aussi", "You may also like",
    "vous aimerez aussi", "related", "Related articles", "sponsored", "advertisement", "publicité",
    "follow us", "suivez-nous", "sign up", "newsletter", "leave a comment", "Leave a reply",
    "please enter your", "share your opinion", "share your views", "in the comments",
    "our community starts with you", "be part of the conversation", "©", "(c) 2024", "(C)  1999",
    "photo:", "Photos :", "crédit photo :", "credits:", "Crédits :", "all rights reserved",
    "tous droits réservés", "via Wikimedia", "Getty Images", "Illustration", "image", "ſhare", "lıre plus",
    "ılluſtration", "shares", "photographer", "imagery", "credit", "copyright",
]  # fmt: skip
boilerplate_text = st.lists(
    st.one_of(st.sampled_from(BOILERPLATE_WORDS), tricky_text), min_size=1, max_size=4
).map(" ".join)


@settings(max_examples=600, deadline=None)
@given(st.one_of(tricky_text, boilerplate_text))
def test_boilerplate_is_what_the_list_of_patterns_says(sentence: str) -> None:
    expected = ANY_BOILERPLATE.search(sentence) is not None
    found = bool(
        suggest._BOILERPLATE_OPENING.match(sentence) or suggest._BOILERPLATE_ANYWHERE.search(sentence)
    )
    assert found == expected


def test_boilerplate_examples() -> None:
    for sentence in ("Share your thoughts below", "Photo : AFP", "© Le Monde 2024", "  Lire aussi : x"):
        assert suggest._is_boilerplate(sentence)
    for sentence in ("Marseille police arrested two men", "The shares fell", "imagine that"):
        assert not suggest._is_boilerplate(sentence)


@settings(max_examples=600, deadline=None)
@given(tricky_text)
def test_opens_sentence_is_what_the_expression_says(text: str) -> None:
    for position in range(len(text) + 1):
        expected = SENTENCE_START.search(text[:position]) is not None
        assert candidates._opens_sentence(text, position) == expected, (text, position)


def _reference_tokens(sentence: str) -> list[tuple[str, int, int]]:
    """candidates._tokens before its fast paths."""
    out: list[tuple[str, int, int]] = []
    for m in candidates._TOKEN.finditer(sentence):
        word, start = m.group(), m.start()
        elided = candidates._ELISION.match(word)
        if elided:
            out.append((elided.group().replace("’", "'").lower(), start, start + elided.end()))
            word, start = word[elided.end() :], start + elided.end()
        if word.endswith(("'s", "’s")):
            word = word[:-2]
        if word.endswith(".") and not candidates._DOTTED.fullmatch(word):
            word = word.rstrip(".")
        if word:
            out.append((word, start, start + len(word)))
    return out


WORDS = [
    "d'Aix",
    "l’OFDT",
    "qu'Amra",
    "Kessaci's",
    "U.S.",
    "M.",
    "Dr.",
    "U.S.'s",
    "jusqu'à",
    "Saint-Denis",
    "x.",
]
token_text = st.lists(st.one_of(st.sampled_from(WORDS), tricky_text), max_size=6).map(" ".join)


@settings(max_examples=600, deadline=None)
@given(token_text)
def test_tokens_are_what_they_were(sentence: str) -> None:
    assert candidates._tokens(sentence) == _reference_tokens(sentence)


def test_article_names_of_a_sentence_with_an_acronym_and_a_title() -> None:
    rows, lower = article_names(
        "Le parquet de Marseille saisi",
        "",
        "L'Office anti-stupéfiants (OFAST) enquête. « Amine Kessaci » a parlé au préfet Laurent Nuñez à "
        "Aix-en-Provence.",
    )
    assert rows == (
        ("marseille", "Marseille\x1f1", 1, 1, 1, 0, 0, 0, ""),
        ("ofast", "OFAST\x1f1", 1, 1, 1, 0, 1, 0, "Office anti-stupéfiants\x1f1"),
        ("amine kessaci", "Amine Kessaci\x1f1", 1, 1, 0, 2, 0, 0, ""),
        ("laurent nunez", "Laurent Nuñez\x1f1", 1, 1, 1, 3, 0, 0, ""),
        ("aix en provence", "Aix-en-Provence\x1f1", 1, 1, 1, 0, 0, 1, ""),
    )
    assert {"enquête", "parquet", "préfet", "saisi"} <= set(lower)
