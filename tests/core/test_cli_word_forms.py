"""`vigie search` finds French and English word forms in items polled from a local feed; phrases stay exact."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.cli import main
from tests.conftest import ServedFeed, serve_feed

FRENCH = [
    "Marseille : nouvelles menaces contre le témoin du dossier",
    "Le maire de Marseille a été menacé à la sortie du conseil",
    "Deux élues menacées après le scrutin municipal du week-end",
    "La boulangerie du Panier rouvre ses portes après les travaux",
]
ENGLISH = [
    "Two men arrested after the shooting in northern Marseille",
    "Police make three arrests in the port after a cocaine seizure",
    "The city council votes its budget for the coming year",
]


def _feed(titles: list[str], language: str | None) -> bytes:
    """Items without a summary; the feed declares its language, or leaves it to the detector."""
    items = "".join(
        f"<item><title>{t}</title><link>https://example.org/{abs(hash(t))}</link><guid>{abs(hash(t))}</guid>"
        f"<pubDate>Mon, 01 Dec 2025 10:{i:02d}:00 GMT</pubDate></item>"
        for i, t in enumerate(titles)
    )
    lang = f"<language>{language}</language>" if language else ""
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{lang}{items}</channel></rss>'.encode()


def _search(capsys: pytest.CaptureFixture[str], *words: str) -> set[str]:
    capsys.readouterr()
    assert main(["search", *words]) == 0
    out, err = capsys.readouterr()
    titles = {line.split(": ", 1)[1] for line in out.splitlines() if ": " in line}
    assert err.strip() == f"{len(titles)} articles match"
    return titles & set(FRENCH + ENGLISH)  # the shipped seed articles are in the store too


@pytest.mark.parametrize("declared", [True, False], ids=["feed-says", "detected"])
def test_search_finds_word_forms_in_both_languages(
    data_dir: Path,
    httpserver,
    capsys: pytest.CaptureFixture[str],
    declared: bool,  # type: ignore[no-untyped-def]
) -> None:
    fr = serve_feed(httpserver, "/fr.xml", ServedFeed(_feed(FRENCH, "fr-FR" if declared else None)))
    en = serve_feed(httpserver, "/en.xml", ServedFeed(_feed(ENGLISH, "en" if declared else None)))
    for url in (fr, en):
        assert main(["feeds", "add", url, "--no-check"]) == 0
    assert main(["poll"]) == 0
    assert _search(capsys, "menace") == set(FRENCH[:3])
    assert _search(capsys, "Menacées") == set(FRENCH[:3])
    assert _search(capsys, "arrest") == set(ENGLISH[:2])
    assert _search(capsys, '"menacées"') == {FRENCH[2]}  # a quoted phrase is exact
    assert _search(capsys, "menace -maire") == {FRENCH[0], FRENCH[2]}
    assert _search(capsys, "arrest", "OR", "menace") == set(FRENCH[:3] + ENGLISH[:2])
    # Each item's tag is in the export: the feed's word, or the detector's on the titles.
    capsys.readouterr()
    assert main(["articles", "export", "--format", "jsonl"]) == 0
    tags = {a["title"]: a["lang"] for a in map(json.loads, capsys.readouterr().out.splitlines())}
    assert {tags[t] for t in FRENCH} == {"fr"} and {tags[t] for t in ENGLISH} == {"en"}
