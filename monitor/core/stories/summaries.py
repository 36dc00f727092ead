"""Stories as the analyst sees them: one summary per story from the store's list of its reports."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby
from urllib.parse import urlsplit

from monitor.core.models import StorySummary
from monitor.core.storage.store import Store
from monitor.core.storage.story_reads import StoryReport


def outlet(report: StoryReport) -> str:
    """The outlet of a report: its link's host without "www." (an aggregator's feed carries many), else its
    feed."""
    host = (urlsplit(report.link).hostname or "") if report.link else ""
    return host.removeprefix("www.") or report.source


def summarise(reports: Iterable[StoryReport]) -> list[StorySummary]:
    """One summary per story of `reports` (each story's reports together, earliest first)."""
    summaries = []
    for _, group in groupby(reports, key=lambda r: r.story):
        members = list(group)
        first = members[0]
        summaries.append(
            StorySummary(
                story=first.story,
                thread=first.thread,
                title=first.title,
                first_seen=first.at,
                last_updated=max(r.at for r in members),
                reports=len(members),
                outlets=len({outlet(r) for r in members}),
                languages=tuple(sorted({r.lang for r in members if r.lang and r.lang != "und"})),
                score=max(r.score for r in members),
                highlighted=any(r.highlighted for r in members),
                related_seed=first.related_seed,
                articles=tuple(r.id for r in members),
            )
        )
    return summaries


def list_stories(
    store: Store, *, since: str | None = None, highlighted_only: bool = False
) -> list[StorySummary]:
    """The stories with a report since `since`, most recently updated first."""
    found = summarise(store.story_reports(since))
    if highlighted_only:
        found = [s for s in found if s.highlighted]
    return sorted(found, key=lambda s: (s.last_updated, s.story), reverse=True)
