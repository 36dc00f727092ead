"""Article exports: JSONL (the contract in design.md section 2) and CSV for spreadsheets."""

from __future__ import annotations

import csv
import dataclasses
import json
from collections.abc import Callable, Iterable, Mapping
from typing import IO

from monitor.core.models import SEED_SOURCE, Article, ArticleVersion, Feed, StorySummary

CSV_COLUMNS = [
    "id",
    "source",
    "feed_title",
    "published",
    "title",
    "link",
    "score",
    "highlighted",
    "alert",
    "entries",
    "lang",
    "summary",
    "judgement",
    "story",
    "thread",
    "versions",
]


def version_record(version: ArticleVersion) -> dict[str, object]:
    """One stored version, whole: `sha256` is the SHA-256 of its normalised text (the feed's for a feed version,
    the page's main text for a page version)."""
    return {
        "fetched": version.fetched,
        "kind": version.kind,
        "sha256": version.text_sha256,
        "document_sha256": version.doc_sha256,
        "etag": version.etag,
        "last_modified": version.last_modified,
        "link": version.link,
        "title": version.title,
        "summary": version.summary,
        "content": version.content,
        "full_text": version.full_text,
    }


def article_record(article: Article, versions: Iterable[ArticleVersion] = ()) -> dict[str, object]:
    """One article as the JSONL contract describes it."""
    return {
        "id": article.id,
        "source": article.source,
        "guid": article.guid,
        "link": article.link,
        "title": article.title,
        "summary": article.summary,
        # What matching read (the feed's content, then the page's main text): match offsets index into it.
        "content": article.field_text("content"),
        "published": article.published,
        "published_estimated": article.published_estimated,
        "fetched": article.fetched,
        "first_seen": article.first_seen,
        "last_updated": article.last_updated,
        "lang": article.lang,
        "score": article.score,
        "highlighted": article.highlighted,
        "alert": article.alert,
        "read": article.read,
        "starred": article.starred,
        "matches": [m.to_dict() for m in article.matches],
        "judgement": article.judgement,
        "story": article.story,
        "thread": article.thread,
        "full_text": article.full_text,
        "gone": article.gone,
        "versions": [version_record(v) for v in versions],
    }


def write_jsonl(
    articles: Iterable[Article],
    out: IO[str],
    versions_of: Callable[[int], Iterable[ArticleVersion]] | None = None,
) -> int:
    count = 0
    for article in articles:
        versions = versions_of(article.id) if versions_of else ()
        out.write(json.dumps(article_record(article, versions), ensure_ascii=False) + "\n")
        count += 1
    return count


def write_csv(articles: Iterable[Article], out: IO[str], feeds: Mapping[int, Feed]) -> int:
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for a in articles:
        feed = feeds.get(a.feed_id) if a.feed_id is not None else None
        feed_title = "Seeds" if a.source == SEED_SOURCE else (feed.title if feed else "")
        entries = "; ".join(dict.fromkeys(m.entry for m in a.matches))
        writer.writerow(
            [
                a.id,
                a.source,
                feed_title,
                a.published or "",
                _cell(a.title),
                a.link or "",
                f"{a.score:g}",
                int(a.highlighted),
                int(a.alert),
                _cell(entries),
                a.lang or "",
                _cell(a.summary),
                a.judgement or "",
                "" if a.story is None else a.story,
                "" if a.thread is None else a.thread,
                a.revisions + 1,
            ]
        )
        count += 1
    return count


def story_record(story: StorySummary) -> dict[str, object]:
    """One story as `vigie stories list --format jsonl` writes it (README, "Stories")."""
    record = dataclasses.asdict(story)
    record["languages"] = list(story.languages)
    record["articles"] = list(story.articles)
    return record


def story_line(story: StorySummary) -> str:
    """One story on one line for people: when, how many reports, languages, title."""
    flag = "*" if story.highlighted else " "
    languages = ",".join(story.languages) or "-"
    return (
        f"{flag} {story.story:>7}  {story.first_seen[:16]}  {story.last_updated[:16]}  "
        f"{_count(story.reports, 'report')} {_count(story.outlets, 'outlet')}  {languages:5}  {story.score:5.1f}  "
        f"{story.title}" + ("" if story.thread == story.story else f"  (thread {story.thread})")
    )


def _count(n: int, noun: str) -> str:
    return f"{n:>3} {noun}" + ("s" if n != 1 else " ")


def _cell(text: str) -> str:
    """Neutralise spreadsheet formulas: a feed must not be able to run =HYPERLINK(...) in the analyst's Excel."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
