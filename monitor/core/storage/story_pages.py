"""The story view's planner: the stories a list shows, counted and read by the page, sorted on the story rows'
indexes (storage/story_rows.py) and filtered by their reports (a story shows when any report matches).

- No filter: a page is a walk of the sort column's index of the stories table (LIMIT/OFFSET), the count one
  scan of that table's smallest index, remembered until the database changes.
- The highlighted view alone: the story rows say which stories have a highlighted report (stories.highlighted),
  so it is a story-level condition on the same walk.
- A filter that selects few articles (a feed, an entry, a rare word): the distinct stories of those articles,
  looked up by id and sorted (the cost follows the selection, not the store).
- A filter that selects many (the unread view, a common word): the sort index is walked and each story is
  tested for a matching report through articles_story, stopping at the page's end, as the article list walks
  its own sort indexes for broad sets (queries.py).
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import replace

from monitor.core.errors import StoreError
from monitor.core.models import ArticleRow, StoryQuery, StoryRow
from monitor.core.storage.queries import ArticleQueries
from monitor.core.storage.rows import article_row_from_row
from monitor.core.storage.story_rows import REPORT_AT

STORY_SORTS = {
    "title": ("s.title COLLATE NOCASE", "stories_by_title"),
    "reports": ("s.reports", "stories_by_reports"),
    "outlets": ("s.outlets", "stories_by_outlets"),
    "languages": ("s.languages", "stories_by_languages"),
    "score": ("s.score", "stories_by_score"),
    "first_seen": ("s.first_seen", "stories_by_first_seen"),
    "last_updated": ("s.last_updated", "stories_by_last_updated"),
}
BROAD_SELECTION = 5_000  # from this many selected articles, a page walks the sort index and tests each story
_STORY_COLUMNS = (
    "s.id, s.title, s.reports, s.outlets, s.languages, s.score, s.highlighted, s.first_seen, s.last_updated"
)


class StoryPages(ArticleQueries):
    """Pages of story rows for the list's story view (mixed into Store)."""

    def _article_filter(self, query: StoryQuery) -> tuple[str, list[object]]:
        """The WHERE clause of the articles the list selects ("" when it selects them all)."""
        return self._where(replace(query.articles, sort="published"))

    def _highlighted_alone(self, query: StoryQuery) -> bool:
        """The list selects the highlighted articles and nothing else: a story shows when it has a highlighted
        report, which its row says (stories.highlighted)."""
        articles = query.articles
        if not (articles.view == "highlighted" or articles.highlighted_only):
            return False
        others = replace(articles, view="all" if articles.view == "highlighted" else articles.view)
        return not self._where(replace(others, highlighted_only=False))[0]

    def story_count(self, query: StoryQuery) -> int:
        """How many stories have a report the list's filters select."""
        try:
            where, args = self._article_filter(query)
            if not where or self._highlighted_alone(query):
                sql = "SELECT count(*) FROM stories s INDEXED BY stories_by_reports WHERE s.reports > 0"
                if where:
                    sql = "SELECT count(*) FROM stories s INDEXED BY stories_highlighted WHERE s.reports > 0"
                    sql, args = f"{sql} AND s.highlighted = 1", []
            else:
                sql = f"SELECT count(DISTINCT a.story) FROM articles a{where} AND a.story IS NOT NULL"
            return self._cached(
                ("story count", threading.get_ident(), sql, *args),
                lambda: int(self.conn.execute(sql, args).fetchone()[0]),
            )
        except sqlite3.OperationalError as exc:
            raise StoreError(f"search failed: {exc}") from exc

    def story_rows(self, query: StoryQuery, offset: int = 0, limit: int = 200) -> list[StoryRow]:
        """A page of story rows in the query's order (ties by story id, in the same direction)."""
        try:
            where, args = self._article_filter(query)
            column, index = STORY_SORTS.get(query.sort, STORY_SORTS["last_updated"])
            direction = "DESC" if query.descending else "ASC"
            order_by = f"ORDER BY {column} {direction}, s.id {direction}"
            if not where or self._highlighted_alone(query):
                story_filter = " AND s.highlighted = 1" if where else ""
                where, args = "", []
                sql = (
                    f"SELECT {_STORY_COLUMNS} FROM stories s INDEXED BY {index} WHERE s.reports > 0{story_filter} "
                    f"{order_by}"
                )
            elif self.count(query.articles) >= BROAD_SELECTION:
                # EXISTS per story, through articles_story (story, published): the walk stops at the page's end.
                sql = (
                    f"SELECT {_STORY_COLUMNS} FROM stories s INDEXED BY {index} WHERE s.reports > 0 AND EXISTS "
                    f"(SELECT 1 FROM articles a INDEXED BY articles_story{where} AND a.story = s.id) {order_by}"
                )
            else:
                sql = (
                    f"SELECT {_STORY_COLUMNS} FROM stories s WHERE s.reports > 0 AND s.id IN "
                    f"(SELECT a.story FROM articles a{where}) {order_by}"
                )
            rows = self.conn.execute(f"{sql} LIMIT ? OFFSET ?", (*args, limit, offset)).fetchall()
        except sqlite3.OperationalError as exc:
            raise StoreError(f"search failed: {exc}") from exc
        return [StoryRow(r[0], r[1], r[2], r[3], r[4], float(r[5]), bool(r[6]), r[7], r[8]) for r in rows]

    def story_report_rows(self, story: int) -> list[ArticleRow]:
        """The reports of a story as list rows, earliest first (when each was published, or first seen)."""
        rows = self.conn.execute(
            f"SELECT {self._ROW_COLUMNS} FROM articles a LEFT JOIN feeds f ON f.id = a.feed_id "
            f"WHERE a.story = ? ORDER BY {REPORT_AT}, a.id",
            (story,),
        ).fetchall()
        return [article_row_from_row(r) for r in rows]
