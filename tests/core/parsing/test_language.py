"""The language tag of an item: what the feed declares, else the detector on a short sample, else "other"."""

from __future__ import annotations

import pytest

from monitor.core.parsing import language
from monitor.core.parsing.wordforms import index_forms, query_forms


@pytest.mark.parametrize(
    ("declared", "tag"),
    [
        ("fr", "fr"),
        ("fr-FR", "fr"),
        ("FR_ca", "fr"),
        ("en-US", "en"),
        ("es", "other"),
        ("de-DE", "other"),
        ("other", "other"),
        (None, None),
        ("", None),
        ("*", None),
        ("français", None),  # not a language tag: the detector decides
    ],
)
def test_a_declared_language_gives_the_tag(declared: str | None, tag: str | None) -> None:
    assert language.tag_of(declared) == tag


def test_the_feeds_word_wins_over_the_detector() -> None:
    assert (
        language.item_language("en", "Un homme tué par balles dans les quartiers nord de Marseille", "")
        == "en"
    )


@pytest.mark.parametrize(
    ("title", "summary", "tag"),
    [
        ("Un homme tué par balles dans les quartiers nord", "La police a ouvert une enquête.", "fr"),
        ("Two men arrested after a shooting in the port", "Police said the suspects were known.", "en"),
        (
            "Dos hombres detenidos tras un tiroteo en el puerto",
            "La policía abrió una investigación.",
            "other",
        ),
        ("Zwei Männer nach einer Schießerei im Hafen festgenommen", "", "other"),
        ("OM", "", "other"),  # too short to tell
        ("", "", "other"),
        ("12 345 678 !!! ???", "", "other"),
    ],
)
def test_without_a_declared_language_the_detector_decides(title: str, summary: str, tag: str) -> None:
    assert language.item_language(None, title, summary) == tag


def test_the_sample_is_short_and_falls_back_on_the_content() -> None:
    assert len(language.sample("t" * 50, "s" * 5000)) == language.SAMPLE_CHARS
    assert language.sample("Titre", "", "Le contenu") == "Titre. Le contenu"


def test_a_detector_failure_leaves_the_item_other(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken:
        def detect_language_of(self, _text: str) -> None:
            raise RuntimeError("model missing")

    monkeypatch.setattr(language, "_detector", Broken())
    assert language.detect("Un homme tué par balles dans les quartiers nord") == "other"


def test_word_forms_go_to_the_items_language_column() -> None:
    french, english = index_forms("Menacées", "", "", "fr")
    assert "menac" in french.split() and english == ""
    french, english = index_forms("Arrested", "", "", "en")
    assert french == "" and "arrest" in english.split()
    french, english = index_forms("Menacées arrested", "", "", "other")  # both stemmers
    assert {"menac", "arrested"} <= set(french.split()) and {"arrest", "menacé"} <= set(english.split())
    assert query_forms("Menacé") == ({"menac"}, {"menacé", "menac"})
