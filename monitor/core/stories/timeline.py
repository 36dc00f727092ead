"""A story's timeline: who reported first, and what each later report adds (the sentences no earlier report in
its language had), so an update stands out from a reprint."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from monitor.core.matching.folding import fold_key
from monitor.core.models import StorySummary
from monitor.core.storage.store import Store
from monitor.core.stories.related import RelatedSeed, explain_related
from monitor.core.stories.summaries import outlet, summarise

# A sentence ends at . ! ? or a line break, before a space and a capital, digit or quote.
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[«\"“A-ZÀ-Ý0-9])|\n+")
_WORD = re.compile(r"[^\W_]+")
SAME_SENTENCE = 0.6  # share of a sentence's words found in one earlier sentence for it to add nothing
MIN_WORDS = 4  # shorter lines (a byline, a photo credit) never count as news


@dataclass(frozen=True)
class TimelineReport:
    article_id: int
    at: str
    outlet: str
    title: str
    lang: str | None
    adds: tuple[str, ...]  # the sentences no earlier report in its language had
    first_in_language: bool


@dataclass(frozen=True)
class StoryTimeline:
    summary: StorySummary
    reports: list[TimelineReport] = field(default_factory=list)
    related: RelatedSeed | None = None
    related_title: str = ""


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def _words(sentence: str) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(fold_key(sentence)) if len(w) > 2)


def story_timeline(store: Store, story: int) -> StoryTimeline | None:
    """The timeline of one story, or None when no article has that story."""
    reports = store.story_reports(story_ids=[story])
    if not reports:
        return None
    summary = summarise(reports)[0]
    seen: dict[str, list[frozenset[str]]] = {}
    timeline = []
    for report in reports:
        article = store.article(report.id)
        if article is None:
            continue
        lang = report.lang or "und"
        first = lang not in seen
        earlier = seen.setdefault(lang, [])
        body = article.content if len(article.content) > len(article.summary) else article.summary
        adds = []
        for sentence in sentences(body):
            words = _words(sentence)
            if len(words) < MIN_WORDS:
                continue
            if not any(len(words & old) >= SAME_SENTENCE * len(words) for old in earlier):
                adds.append(sentence)
            earlier.append(words)
        timeline.append(
            TimelineReport(
                report.id, report.at, outlet(report), report.title, report.lang, tuple(adds), first
            )
        )
    related = explain_related(store, story, summary.related_seed) if summary.related_seed else None
    seed = store.article(related.article_id) if related else None
    return StoryTimeline(summary, timeline, related, seed.title if seed else "")
