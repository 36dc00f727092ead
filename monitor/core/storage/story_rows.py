"""Each story's list row, kept in the `stories` table (schema 17): its first report's title, how many reports and
outlets it has, its languages, its highest report's score, when its first report was published and its latest.

The story view of the article list sorts and pages these columns on their own indexes, so a page of stories is
one indexed walk, never a GROUP BY over the articles. They are kept as the stories change:

- grouping writes a story's new reports in one transaction per batch; before it commits, the rows of the stories
  it added reports to are updated from the new reports alone (`add_story_reports`, called by
  StoryIndex.end_grouping; each story's outlets are kept in story_outlets, schema 24);
- a re-score changes scores: a trigger sets the story's score and highlight from its reports at once;
- an article's title or date changing (a re-poll) sets its story's title and dates at once; its link, language
  or story changing marks the story stale (`stories_stale`: its outlets and languages are Python's to count),
  rewritten from all its reports at the next grouping batch; a deleted article recounts its story's reports at
  once, so a story whose reports are all gone leaves the list.
"""

from __future__ import annotations

import functools
import logging
import sqlite3
from collections.abc import Iterable
from itertools import groupby
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

IDS_PER_QUERY = 400  # host parameters per IN list, under SQLite's oldest limit of 999
NO_LANGUAGE = "und"

# When a report happened: published, or first seen when that is earlier or the date is unknown (as story_reports).
REPORT_AT = (
    "CASE WHEN a.published IS NULL OR a.published > a.first_seen THEN a.first_seen ELSE a.published END"
)
_OF_STORY = "FROM articles a WHERE a.story = old.story"

# The columns the story list sorts on (story_pages.STORY_SORTS) each have an index of the listed stories;
# stories_highlighted counts the highlighted view's stories; articles_read_story counts the stories of the unread
# view from the index alone (no temporary B-tree).
V17 = f"""
ALTER TABLE stories ADD COLUMN title TEXT NOT NULL DEFAULT '';
ALTER TABLE stories ADD COLUMN first_seen TEXT NOT NULL DEFAULT '';
ALTER TABLE stories ADD COLUMN last_updated TEXT NOT NULL DEFAULT '';
ALTER TABLE stories ADD COLUMN reports INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stories ADD COLUMN outlets INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stories ADD COLUMN languages TEXT NOT NULL DEFAULT '';
ALTER TABLE stories ADD COLUMN score REAL NOT NULL DEFAULT 0;
ALTER TABLE stories ADD COLUMN highlighted INTEGER NOT NULL DEFAULT 0;
CREATE INDEX stories_by_title ON stories(title COLLATE NOCASE, id) WHERE reports > 0;
CREATE INDEX stories_by_reports ON stories(reports, id) WHERE reports > 0;
CREATE INDEX stories_by_outlets ON stories(outlets, id) WHERE reports > 0;
CREATE INDEX stories_by_languages ON stories(languages, id) WHERE reports > 0;
CREATE INDEX stories_by_score ON stories(score, id) WHERE reports > 0;
CREATE INDEX stories_by_first_seen ON stories(first_seen, id) WHERE reports > 0;
CREATE INDEX stories_by_last_updated ON stories(last_updated, id) WHERE reports > 0;
CREATE INDEX stories_highlighted ON stories(highlighted) WHERE reports > 0;
CREATE TABLE stories_stale (story INTEGER PRIMARY KEY);
CREATE INDEX articles_read_story ON articles(read, story);
CREATE TRIGGER stories_score AFTER UPDATE OF score, highlighted ON articles
WHEN new.story IS NOT NULL AND (new.score IS NOT old.score OR new.highlighted IS NOT old.highlighted) BEGIN
    UPDATE stories SET
        score = coalesce((SELECT max(a.score) FROM articles a WHERE a.story = new.story), 0),
        highlighted = coalesce((SELECT max(a.highlighted) FROM articles a WHERE a.story = new.story), 0)
    WHERE id = new.story;
END;
CREATE TRIGGER stories_report_dated AFTER UPDATE OF title, published, first_seen ON articles
WHEN old.story IS NOT NULL AND (new.title IS NOT old.title OR new.published IS NOT old.published
                                OR new.first_seen IS NOT old.first_seen) BEGIN
    UPDATE stories SET
        title = coalesce((SELECT a.title {_OF_STORY} ORDER BY {REPORT_AT}, a.id LIMIT 1), ''),
        first_seen = coalesce((SELECT min({REPORT_AT}) {_OF_STORY}), ''),
        last_updated = coalesce((SELECT max({REPORT_AT}) {_OF_STORY}), '')
    WHERE id = old.story;
END;
CREATE TRIGGER stories_report_moved AFTER UPDATE OF link, source, lang, story ON articles
WHEN old.story IS NOT NULL AND (new.link IS NOT old.link OR new.source IS NOT old.source
                                OR new.lang IS NOT old.lang OR new.story IS NOT old.story) BEGIN
    INSERT OR IGNORE INTO stories_stale(story) VALUES (old.story);
END;
CREATE TRIGGER stories_report_deleted AFTER DELETE ON articles WHEN old.story IS NOT NULL BEGIN
    UPDATE stories SET reports = (SELECT count(*) {_OF_STORY}) WHERE id = old.story;
    INSERT OR IGNORE INTO stories_stale(story) VALUES (old.story);
END;
"""


def report_outlet(link: str | None, source: str) -> str:
    """The outlet of a report: its link's host without "www." (an aggregator's feed carries many), else its
    feed (what core.stories.summaries.outlet counts, so the list and `vigie stories list` agree)."""
    return (_link_host(link) if link else "") or source


@functools.lru_cache(maxsize=1 << 16)
def _link_host(link: str) -> str:
    # Kept: each grouping batch re-reads every report of the stories it added to, so during a first poll the
    # same links come back hundreds of times (urlsplit was half of grouping's time in a 500-feed poll).
    return (urlsplit(link).hostname or "").removeprefix("www.")


def migrate_v17(conn: sqlite3.Connection) -> None:
    """Schema 17: the story rows' columns, indexes and triggers, then every story's row from its reports."""
    from monitor.core.storage.db import _split_sql  # db lists this step: imported when it runs

    for statement in _split_sql(V17):
        conn.execute(statement)
    stories = [r[0] for r in conn.execute("SELECT DISTINCT story FROM articles WHERE story IS NOT NULL")]
    refresh_story_rows(conn, stories, outlets_kept=False)  # story_outlets comes with schema 24
    log.info("story rows written for %d stories", len(stories))


# Each story's outlets (schema 24), so that a grouping batch updates the rows of the stories it adds reports to
# from the new reports alone (add_story_reports): the outlets are the only column that needs more than the row.
V24 = """
CREATE TABLE story_outlets (story INTEGER NOT NULL, host TEXT NOT NULL, PRIMARY KEY (story, host)) WITHOUT ROWID;
"""


def migrate_v24(conn: sqlite3.Connection) -> None:
    """Schema 24: story_outlets, filled from every grouped article (the rows' outlet counts are already right)."""
    conn.execute(V24)
    rows = conn.execute("SELECT story, link, source FROM articles WHERE story IS NOT NULL")
    outlets = {(story, report_outlet(link, source)) for story, link, source in rows}
    conn.executemany("INSERT INTO story_outlets(story, host) VALUES (?, ?)", sorted(outlets))
    log.info("outlets kept for %d stories", len({story for story, _ in outlets}))


def refresh_story_rows(
    conn: sqlite3.Connection, stories: Iterable[int], *, outlets_kept: bool = True
) -> None:
    """Rewrite the rows of `stories` from their reports (one indexed read of articles_story per story), and
    their outlets in story_outlets (unless `outlets_kept` is False: schema 17, before the table); a story without
    reports any more gets reports = 0 and leaves the list. Runs in the caller's transaction."""
    wanted = sorted(set(stories))
    for start in range(0, len(wanted), IDS_PER_QUERY):
        chunk = wanted[start : start + IDS_PER_QUERY]
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(
            f"""SELECT a.story, a.thread, a.title, a.link, a.source, {REPORT_AT} AS at,
                       coalesce(f.lang, a.lang) AS lang, a.score, a.highlighted
                FROM articles a LEFT JOIN story_features f ON f.article_id = a.id
                WHERE a.story IN ({marks}) ORDER BY a.story, at, a.id""",
            chunk,
        ).fetchall()
        found = set()
        if outlets_kept:
            conn.executemany("DELETE FROM story_outlets WHERE story = ?", [(s,) for s in chunk])
        for story, group in groupby(rows, key=lambda r: r[0]):
            reports = list(group)
            found.add(story)
            outlets = {report_outlet(r[3], r[4]) for r in reports}
            if outlets_kept:
                conn.executemany(
                    "INSERT INTO story_outlets(story, host) VALUES (?, ?)",
                    [(story, host) for host in outlets],
                )
            first = reports[0]
            languages = sorted({r[6] for r in reports if r[6] and r[6] != NO_LANGUAGE})
            conn.execute(
                """INSERT INTO stories(id, thread, title, first_seen, last_updated, reports, outlets, languages,
                                       score, highlighted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT(id) DO UPDATE SET title = excluded.title, first_seen = excluded.first_seen,
                       last_updated = excluded.last_updated, reports = excluded.reports,
                       outlets = excluded.outlets, languages = excluded.languages, score = excluded.score,
                       highlighted = excluded.highlighted""",
                (
                    story,
                    first[1] if first[1] is not None else story,
                    first[2] or "",
                    first[5] or "",
                    max(r[5] or "" for r in reports),
                    len(reports),
                    len(outlets),
                    ", ".join(languages),
                    max(float(r[7] or 0) for r in reports),
                    int(any(r[8] for r in reports)),
                ),
            )
        gone = [s for s in chunk if s not in found]
        conn.executemany("UPDATE stories SET reports = 0 WHERE id = ?", [(s,) for s in gone])
        conn.executemany("DELETE FROM stories_stale WHERE story = ?", [(s,) for s in chunk])


def refresh_stale_story_rows(conn: sqlite3.Connection) -> int:
    """Rewrite the rows the triggers marked stale; returns how many. Runs in the caller's transaction."""
    stale = [r[0] for r in conn.execute("SELECT story FROM stories_stale")]
    if stale:
        refresh_story_rows(conn, stale)
    return len(stale)


def add_story_reports(conn: sqlite3.Connection, article_ids: Iterable[int], *, arrays: bool = False) -> None:
    """Update the rows of the stories that `article_ids` (articles a grouping batch just gave a story, written
    already) joined, from these new reports alone: the row's counts, dates, languages and score are merged with
    theirs, the outlets through story_outlets. A story marked stale is left to its refresh, and one whose new
    report ties its first report's time is refreshed (which of the two comes first needs the other's id), so
    every row stays what refresh_story_rows would write. Runs in the caller's transaction. With `arrays`
    (PostgreSQL), the rows are written in two statements of arrays, not an upsert per story (_write_rows)."""
    wanted = sorted(set(article_ids))
    for start in range(0, len(wanted), IDS_PER_QUERY):
        chunk = wanted[start : start + IDS_PER_QUERY]
        # An IN list of ids: rowid seeks (joined with VALUES instead, SQLite built a Bloom filter over every
        # article first, 0.13 s a batch in a 200,000-article store).
        rows = conn.execute(
            f"""SELECT a.story, a.thread, a.title, a.link, a.source, {REPORT_AT} AS at,
                       coalesce(f.lang, a.lang) AS lang, a.score, a.highlighted
                FROM articles a LEFT JOIN story_features f ON f.article_id = a.id
                WHERE a.id IN ({",".join("?" * len(chunk))}) AND a.story IS NOT NULL ORDER BY a.story, at, a.id""",
            chunk,
        ).fetchall()
        stories = sorted({r[0] for r in rows})
        marks = ",".join("?" * len(stories))
        stale = {
            r[0] for r in conn.execute(f"SELECT story FROM stories_stale WHERE story IN ({marks})", stories)
        }
        current = {
            r[0]: r[1:]
            for r in conn.execute(
                f"""WITH wanted(id) AS (VALUES {",".join(["(?)"] * len(stories))})
                    SELECT s.id, s.first_seen, s.last_updated, s.reports, s.languages, s.score, s.highlighted
                    FROM wanted CROSS JOIN stories s ON s.id = wanted.id""",  # a seek each (an IN list: a scan)
                stories,
            )
        }
        tied, updates, outlets = [], [], []
        for story, group in groupby(rows, key=lambda r: r[0]):
            if story in stale:
                continue
            reports = list(group)
            first = reports[0]
            first_seen, last_updated, count, languages, score, highlighted = current.get(
                story, ("", "", 0, "", 0.0, 0)
            )
            if count and (first[5] or "") == first_seen:
                tied.append(story)
                continue
            outlets.extend((story, host) for host in {report_outlet(r[3], r[4]) for r in reports})
            new_first = not count or (first[5] or "") < first_seen
            known = set(languages.split(", ")) if count and languages else set()
            known.update(r[6] for r in reports if r[6] and r[6] != NO_LANGUAGE)
            new_score = max(float(r[7] or 0) for r in reports)
            updates.append(
                {
                    "story": story,
                    "thread": (first[1] if first[1] is not None else story) if new_first else None,
                    "title": (first[2] or "") if new_first else None,
                    "first_seen": (first[5] or "") if new_first else first_seen,
                    "last_updated": max([r[5] or "" for r in reports] + ([last_updated] if count else [])),
                    "reports": count + len(reports),
                    "languages": ", ".join(sorted(known)),
                    "score": max(new_score, float(score)) if count else new_score,
                    "highlighted": int(any(r[8] for r in reports) or (bool(count) and bool(highlighted))),
                }
            )
        # The outlets of every story first, in one statement (the rows below count them).
        conn.executemany("INSERT OR IGNORE INTO story_outlets(story, host) VALUES (?, ?)", outlets)
        if arrays:
            _write_rows(conn, updates)
        else:
            # Named parameters: both engines read them (the PostgreSQL adapter turns :name into psycopg's own).
            conn.executemany(
                """INSERT INTO stories(id, thread, title, first_seen, last_updated, reports, outlets, languages,
                                       score, highlighted)
                   VALUES (:story, coalesce(:thread, :story), coalesce(:title, ''), :first_seen, :last_updated,
                           :reports, (SELECT count(*) FROM story_outlets o WHERE o.story = :story), :languages,
                           :score, :highlighted)
                   ON CONFLICT(id) DO UPDATE SET thread = coalesce(:thread, stories.thread),
                       title = coalesce(:title, stories.title),
                       first_seen = excluded.first_seen, last_updated = excluded.last_updated,
                       reports = excluded.reports, outlets = excluded.outlets, languages = excluded.languages,
                       score = excluded.score, highlighted = excluded.highlighted""",
                updates,
            )
        if tied:
            refresh_story_rows(conn, tied)


# _write_rows's columns: (name, PostgreSQL type), in the order of `stories`' insert below.
_ROW_COLUMNS = (
    ("story", "bigint"),
    ("thread", "bigint"),
    ("title", "text"),
    ("first_seen", "text"),
    ("last_updated", "text"),
    ("reports", "integer"),
    ("languages", "text"),
    ("score", "double precision"),
    ("highlighted", "integer"),
)


def _write_rows(conn: sqlite3.Connection, updates: list[dict[str, object]]) -> None:
    """add_story_reports's rows on PostgreSQL: one upsert of arrays (unnest) for the stories whose first report
    changed (their thread and title written) and one for the others (kept), where executemany would send an
    upsert a story (each parsed and planned: some 30 a feed in a first poll). Each story is in one row."""
    names = ", ".join(name for name, _ in _ROW_COLUMNS)
    arrays = ", ".join(f"CAST(? AS {kind}[])" for _, kind in _ROW_COLUMNS)
    for new_first in (True, False):
        rows = [u for u in updates if (u["thread"] is not None) == new_first]
        if not rows:
            continue
        kept = "thread = excluded.thread, title = excluded.title, " if new_first else ""
        conn.execute(
            f"""INSERT INTO stories(id, thread, title, first_seen, last_updated, reports, outlets, languages,
                                    score, highlighted)
                SELECT v.story, coalesce(v.thread, v.story), coalesce(v.title, ''), v.first_seen, v.last_updated,
                       v.reports, (SELECT count(*) FROM story_outlets o WHERE o.story = v.story), v.languages,
                       v.score, v.highlighted
                FROM unnest({arrays}) AS v({names})
                ON CONFLICT (id) DO UPDATE SET {kept}first_seen = excluded.first_seen,
                    last_updated = excluded.last_updated, reports = excluded.reports, outlets = excluded.outlets,
                    languages = excluded.languages, score = excluded.score, highlighted = excluded.highlighted""",
            [[row[name] for row in rows] for name, _ in _ROW_COLUMNS],
        )
