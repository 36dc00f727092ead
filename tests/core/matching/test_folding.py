"""Accent/case folding keeps an exact map back to the original text."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.core.matching.folding import _fold_each_character, fold, fold_key, identity_offsets


@pytest.mark.parametrize(
    ("original", "folded"),
    [
        ("Nuñez", "nunez"),
        ("Benoît", "benoit"),
        ("ÉTIENNE", "etienne"),
        ("Straße", "strasse"),
        ("cœur Œuvre", "coeur oeuvre"),
        ("Æsop", "aesop"),
        ("ﬁn", "fin"),
        ("Kessaci’s", "kessaci's"),
        ("l‘OFDT d`Amine dʼAmra", "l'ofdt d'amine d'amra"),
        ("Aix-en-Provence", "aix en provence"),
        ("Aix – en  Provence", "aix en provence"),
        ("narco‑trafic—et−plus", "narco trafic et plus"),
        ("e\u0301te\u0301", "ete"),
        ("İstanbul", "istanbul"),
        ("Kes\u00adsaci", "kessaci"),
    ],
)
def test_fold_normalises_accents_case_apostrophes_dashes_and_ligatures(original: str, folded: str) -> None:
    assert fold(original).text == folded


def test_keep_case_folds_accents_but_not_letter_case() -> None:
    assert fold("RAID à Évry", keep_case=True).text == "RAID a Evry"


def test_span_maps_back_over_decomposed_accents() -> None:
    text = "La fe\u0301te de Mehdi"
    folded = fold(text)
    i = folded.text.index("fete")
    start, end = folded.to_original(i, i + 4)
    assert text[start:end] == "fe\u0301te"


def test_span_maps_back_after_an_emoji_and_expansions() -> None:
    text = "🚨 Straße: Amine Kessaci’s œuvre"
    folded = fold(text)
    for word in ("strasse", "amine kessaci", "oeuvre"):
        i = folded.text.index(word)
        start, end = folded.to_original(i, i + len(word))
        assert fold_key(text[start:end]) == word
    i = folded.text.index("ss")
    assert folded.to_original(i, i + 1) == (text.index("ß"), text.index("ß") + 1)


def test_collapsed_separators_map_to_the_first_of_the_run() -> None:
    text = "a \n\t– b"
    folded = fold(text)
    assert folded.text == "a b"
    assert folded.to_original(0, 3) == (0, len(text))
    assert folded.to_original(1, 2) == (1, 2)


def test_empty_spans_and_bounds() -> None:
    folded = fold("abc")
    assert folded.to_original(3, 3) == (3, 3)
    assert folded.to_original(1, 1) == (1, 1)
    with pytest.raises(IndexError):
        folded.to_original(2, 5)


def test_fold_key_trims_separators() -> None:
    assert fold_key("  Marseille-Fos ") == "marseille fos"


_ALPHABET = st.sampled_from(
    [
        *"abcdeAZ éèÉçÇñÑœŒæßİ’'`-–— \n\t.,;:!?«»()0123456789",
        *["e\u0301", "\u0301", "😀", "👩\u200d🚀", "🇫🇷", "\ufe0f", "ﬁ", "\u00ad", "ǅ", "ﬀ"],
    ]
)
_TEXT = st.lists(_ALPHABET, max_size=60).map("".join) | st.text(max_size=60)


@settings(max_examples=300, deadline=None)
@given(_TEXT, st.data())
def test_every_folded_span_maps_inside_the_original(text: str, data: st.DataObject) -> None:
    folded = fold(text)
    n = len(folded.text)
    i = data.draw(st.integers(0, n))
    j = data.draw(st.integers(i, n))
    start, end = folded.to_original(i, j)
    assert 0 <= start <= end <= len(text)
    if i < j:
        assert start < end
        # The original slice folds to at least the folded slice (a ß may bring its whole "ss").
        assert folded.text[i:j].strip() in fold(text[start:end]).text


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_word_aligned_spans_fold_back_to_the_same_text(text: str) -> None:
    folded = fold(text)
    starts = folded.starts

    def on_boundary(k: int) -> bool:
        """Not inside the expansion of one original character (ß -> ss, ¼ -> 1⁄4)."""
        return k in (0, len(starts)) or starts[k] != starts[k - 1]

    for m in re.finditer(r"\w+(?: \w+)?", folded.text):
        if on_boundary(m.start()) and on_boundary(m.end()):
            start, end = folded.to_original(m.start(), m.end())
            assert fold(text[start:end]).text == m.group()


@settings(max_examples=200, deadline=None)
@given(_TEXT)
def test_offsets_are_monotonic(text: str) -> None:
    folded = fold(text)
    assert len(folded.starts) == len(folded.ends) == len(folded.text)
    assert list(folded.starts) == sorted(folded.starts)
    assert all(s < e for s, e in zip(folded.starts, folded.ends, strict=True))


_LATIN_TEXT = st.text(
    alphabet=st.characters(max_codepoint=0x2FF) | st.sampled_from("’‘ʼ–—‐‑\u202f\u2009\u3000“”…œ€"),
    max_size=80,
)


@settings(max_examples=500, deadline=None)
@given(_TEXT | _LATIN_TEXT, st.booleans())
def test_fast_paths_fold_exactly_as_the_general_path(text: str, keep_case: bool) -> None:
    _assert_folds_as_the_general_path(text, keep_case)


@pytest.mark.parametrize("keep_case", [False, True])
def test_every_latin1_character_folds_as_in_the_general_path(keep_case: bool) -> None:
    for code in range(256):
        _assert_folds_as_the_general_path(f"a{chr(code)}b {chr(code)}’–x", keep_case)


def _assert_folds_as_the_general_path(text: str, keep_case: bool) -> None:
    fast = fold(text, keep_case=keep_case)
    general = _fold_each_character(text, keep_case)
    assert (fast.text, list(fast.starts), list(fast.ends)) == (
        general.text,
        list(general.starts),
        list(general.ends),
    ), repr(text)


def test_offsets_of_a_long_text_map_back_exactly() -> None:
    # the offsets of texts past 65,536 characters come from an identity array grown step by step
    text = "Marseille, le port. " * 10_000
    folded = fold(text)
    start = folded.text.rindex("marseille")
    assert folded.to_original(start, start + 9) == (start, start + 9)
    assert text[slice(*folded.to_original(start, start + 9))] == "Marseille"
    assert list(identity_offsets(300_000)[:300_000]) == list(range(300_000))
