"""The stories as lists of reports (mixed into Store): what the story view, the CLI's `stories list` and the
alerts read of the story index (storage/story_index.py writes it)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from monitor.core.storage.db import transaction
from monitor.core.storage.engine import Dialect
from monitor.core.storage.story_index import IndexedArticle


@dataclass(frozen=True)
class StoryReport:
    """One report of a story, as the story list reads it."""

    story: int
    thread: int
    id: int
    title: str
    link: str | None
    source: str
    at: str  # when it was published (or first seen, if later or unknown), UTC ISO 8601
    lang: str | None
    score: float
    highlighted: bool
    related_seed: int | None = None


class StoryReads:
    """The stories as lists of reports (mixed into Store)."""

    conn: sqlite3.Connection
    dialect: Dialect  # the engine's (Store.dialect)

    def story_reports(
        self, since: str | None = None, story_ids: Sequence[int] | None = None
    ) -> list[StoryReport]:
        """Every report of the stories that had a report at or after `since` (or of `story_ids`), each story's
        reports together, earliest first."""
        at = "CASE WHEN a.published IS NULL OR a.published > a.first_seen THEN a.first_seen ELSE a.published END"
        where, args = "a.story IS NOT NULL", []
        if since:
            # Two indexed reads of articles_published (a report without a date counts from when it was seen).
            where += (
                " AND a.story IN (SELECT story FROM articles WHERE published >= ?"
                " UNION SELECT story FROM articles WHERE published IS NULL AND first_seen >= ?)"
            )
            args.extend([since, since])
        if story_ids is not None:
            marks = ",".join("?" * len(story_ids)) or "NULL"
            where += f" AND a.story IN ({marks})"
            args.extend(story_ids)
        rows = self.conn.execute(
            f"""SELECT a.story, a.thread, a.id, a.title, a.link, a.source, {at} AS at,
                       coalesce(f.lang, a.lang) AS lang, a.score, a.highlighted, s.related_seed
                FROM articles a LEFT JOIN story_features f ON f.article_id = a.id
                     LEFT JOIN stories s ON s.id = a.story
                WHERE {where} ORDER BY a.story, at, a.id""",
            args,
        )
        return [StoryReport(*r[:9], bool(r[9]), r[10]) for r in rows]

    # -- alerts: one per story ------------------------------------------------------------------------------

    def story_alerted_entries(self, story: int) -> frozenset[str] | None:
        """The watched entries a story had when it last alerted, or None when it never alerted."""
        row = self.conn.execute("SELECT alerted_entries FROM stories WHERE id = ?", (story,)).fetchone()
        if row is None or row[0] is None:
            return None
        return frozenset(e for e in row[0].split("\t") if e)

    def story_entries(self, story: int) -> frozenset[str]:
        """Every watched entry any report of a story matched."""
        rows = self.conn.execute(
            "SELECT DISTINCT e.entry FROM articles a JOIN article_entries e ON e.article_id = a.id WHERE a.story = ?",
            (story,),
        )
        return frozenset(r[0] for r in rows)

    def mark_story_alerted(self, story: int, thread: int, entries: Iterable[str]) -> None:
        with transaction(self.conn):
            self.conn.execute(
                "INSERT INTO stories(id, thread, alerted_entries) VALUES (?, ?, ?)"
                " ON CONFLICT(id) DO UPDATE SET alerted_entries = excluded.alerted_entries",
                (story, thread, "\t".join(sorted(entries))),
            )

    def seed_features(self) -> list[IndexedArticle]:
        """The story features of the seed articles (the related seed of a story is one of them)."""
        flush = getattr(self, "_flush_grouping", None)
        if flush is not None:
            flush()  # a seed grouped in the open batch is read with its features
        rows = self.conn.execute(
            """SELECT f.article_id, f.at, f.lang, f.stems, f.anchors, f.sketch, f.story, f.thread
               FROM articles a CROSS JOIN story_features f ON f.article_id = a.id
               WHERE a.feed_id IS NULL AND a.source = 'seed'"""  # through articles_source: seeds have no feed
        )
        return [IndexedArticle(*r) for r in rows]
