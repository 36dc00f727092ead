"""The report's excerpts: every match marked once, nearby matches in one passage, repeats and stale spans left out."""

from __future__ import annotations

from monitor.core.evidence.report import EXCERPT_CONTEXT, excerpts, text_sha256
from monitor.core.models import Article, Match
from monitor.core.parsing.links import content_hash


def _article(summary: str, content: str, matches: list[Match]) -> Article:
    return Article(
        id=1, source="https://feed.example/rss", feed_id=1, fetched="2025-11-20T10:00:00+00:00",
        content_hash="", first_seen="2025-11-20T10:00:00+00:00", last_updated="2025-11-20T10:00:00+00:00",
        guid="g", link="https://feed.example/1", title="Un titre", summary=summary, content=content,
        content_html="", published="2025-11-20T09:00:00+00:00", matches=matches,
    )  # fmt: skip


def _match(text: str, field: str, word: str, nth: int = 0) -> Match:
    start = -1
    for _ in range(nth + 1):
        start = text.index(word, start + 1)
    return Match(word, "person", field, start, start + len(word), word)


def test_matches_are_marked_merged_and_repeats_dropped() -> None:
    filler = " ".join(["mot"] * 200)
    summary = f"Amine Kessaci et Conscience à Marseille. {filler} Plus loin, Amine Kessaci encore."
    matches = [
        _match(summary, "summary", "Amine Kessaci"),
        _match(summary, "summary", "Marseille"),
        _match(summary, "summary", "Amine Kessaci", 1),
        _match(summary, "content", "Marseille"),  # the content repeats the summary
        Match("stale", "topic", "summary", 5, 9, "xxxx"),  # offsets of an older text: not shown
    ]
    found = excerpts(_article(summary, summary, matches))
    assert [e.field for e in found] == ["summary", "summary"]  # two passages; the content's repeat left out
    marked = [text for e in found for text, is_mark in e.parts if is_mark]
    assert marked == ["Amine Kessaci", "Marseille", "Amine Kessaci"]
    assert not found[0].cut_start and found[0].cut_end and found[1].cut_start and not found[1].cut_end
    assert all(len("".join(t for t, _ in e.parts)) <= 2 * EXCERPT_CONTEXT + 20 for e in found)


def test_the_digest_is_the_stored_content_hash() -> None:
    article = _article("Résumé  avec   espaces", "Contenu", [])
    assert text_sha256(article) == content_hash("Un titre", "Résumé avec espaces", "contenu")
    assert len(text_sha256(article)) == 64
