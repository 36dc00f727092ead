"""The query planner: which articles a list shows, counted and read by the page, sorted and searched in SQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace

from monitor.core.errors import StoreError
from monitor.core.models import SEED_SOURCE, Article, ArticleQuery, ArticleRow
from monitor.core.storage.rows import article_from_row, article_row_from_row
from monitor.core.storage.searchsyntax import to_fts_query

SOURCE_LABEL = "CASE WHEN a.source = 'seed' THEN 'Seeds' ELSE COALESCE(NULLIF(f.title, ''), a.source) END"
SORT_COLUMNS = {
    "starred": "a.starred",
    "score": "a.score",
    "title": "a.title COLLATE NOCASE",
    "source": f"{SOURCE_LABEL} COLLATE NOCASE",
    "published": "a.published",
}
# The indexes (db v3) that hold the articles in the order of a sort column. A search whose hits are a large part
# of the table walks one of them and stops at the page's end, instead of sorting every hit: 150 ms -> 15 ms for
# a word in 120,000 of 200,000 articles. A narrow search is faster the other way round (sort its few hits).
SORT_INDEXES = {
    "starred": "articles_starred",
    "score": "articles_score",
    "title": "articles_title",
    "published": "articles_published",
}
BROAD_SEARCH_HITS = 5_000


class ArticleQueries:
    """Reading articles and the sidebar's counts (mixed into Store)."""

    conn: sqlite3.Connection  # the calling thread's connection (Store.conn)

    def _where(self, query: ArticleQuery) -> tuple[str, list[object]]:
        clauses: list[str] = []
        args: list[object] = []
        if query.view == "new":
            clauses.append("a.read = 0")
        elif query.view == "highlighted":
            clauses.append("a.highlighted = 1")
        elif query.view == "starred":
            clauses.append("a.starred = 1")
        elif query.view == "seeds":
            clauses.append("a.source = ?")
            args.append(SEED_SOURCE)
        elif query.view == "feed":
            clauses.append("a.feed_id = ?")
            args.append(query.feed_id)
        if query.feed_ids is not None:  # a folder's feeds: the articles_feed index serves each
            marks = ",".join("?" * len(query.feed_ids))
            clauses.append(f"a.feed_id IN ({marks})" if query.feed_ids else "0")
            args.extend(query.feed_ids)
        if query.entry:
            clauses.append("a.id IN (SELECT article_id FROM article_entries WHERE entry = ?)")
            args.append(query.entry)
        if query.highlighted_only:
            clauses.append("a.highlighted = 1")
        if query.unread_only:
            clauses.append("a.read = 0")
        if query.since:
            clauses.append("a.published >= ?")
            args.append(query.since)
        if query.until:
            clauses.append("a.published < ?")
            args.append(query.until)
        if query.search and query.search.strip():
            fts = to_fts_query(query.search)
            if fts:
                clauses.append("a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)")
                args.append(fts)
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), args

    _ROW_COLUMNS = f"""a.id, a.title, a.source, a.published, a.score, a.highlighted, a.alert, a.read, a.starred,
        a.link, {SOURCE_LABEL} AS source_label"""

    def _search_alone(self, query: ArticleQuery) -> str | None:
        """The FTS5 query when a search is the list's only condition (the common case the fast plans cover)."""
        fts = to_fts_query(query.search) if query.search else ""
        if not fts or self._where(replace(query, search=None))[0]:
            return None
        return fts

    def _search_hits(self, fts: str) -> int:
        """How many articles an FTS5 query finds, from the index alone (a few milliseconds at 200,000 articles)."""
        row = self.conn.execute(
            "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", (fts,)
        ).fetchone()
        return int(row[0])

    def count(self, query: ArticleQuery) -> int:
        try:
            fts = self._search_alone(query)
            if fts:
                return self._search_hits(fts)
            where, args = self._where(query)
            return int(self.conn.execute(f"SELECT count(*) FROM articles a{where}", args).fetchone()[0])
        except sqlite3.OperationalError as exc:
            raise StoreError(f"search failed: {exc}") from exc

    def rows(self, query: ArticleQuery, offset: int = 0, limit: int = 200) -> list[ArticleRow]:
        where, args = self._where(query)
        order = SORT_COLUMNS.get(query.sort, "a.published")
        direction = "DESC" if query.descending else "ASC"
        order_by = f"ORDER BY {order} {direction}, a.id {direction}"
        joined = "articles a{} LEFT JOIN feeds f ON f.id = a.feed_id"
        try:
            fts = self._search_alone(query)
            if fts and query.sort in SORT_INDEXES and self._search_hits(fts) > BROAD_SEARCH_HITS:
                joined = joined.format(f" INDEXED BY {SORT_INDEXES[query.sort]}")
            else:
                joined = joined.format("")
            if query.sort == "source":
                # Sort the ids on the small articles_source index, then read the page's rows: sorting whole rows
                # reads the full text of every article.
                sql = (
                    f"SELECT {self._ROW_COLUMNS} FROM {joined} WHERE a.id IN "
                    f"(SELECT a.id FROM {joined}{where} {order_by} LIMIT ? OFFSET ?) {order_by}"
                )
            else:
                sql = f"SELECT {self._ROW_COLUMNS} FROM {joined}{where} {order_by} LIMIT ? OFFSET ?"
            rows = self.conn.execute(sql, (*args, limit, offset)).fetchall()
        except sqlite3.OperationalError as exc:
            raise StoreError(f"search failed: {exc}") from exc
        return [article_row_from_row(r) for r in rows]

    def article(self, article_id: int) -> Article | None:
        row = self.conn.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        return article_from_row(row) if row else None

    def articles(self, query: ArticleQuery, batch: int = 500) -> Iterator[Article]:
        """Every article a query selects, whole, in the query's order (for export)."""
        where, args = self._where(query)
        order = SORT_COLUMNS.get(query.sort, "a.published").replace(SOURCE_LABEL, "a.source")
        direction = "DESC" if query.descending else "ASC"
        offset = 0
        while True:
            rows = self.conn.execute(
                f"SELECT a.* FROM articles a{where} ORDER BY {order} {direction}, a.id {direction} LIMIT ? OFFSET ?",
                (*args, batch, offset),
            ).fetchall()
            if not rows:
                return
            offset += len(rows)
            yield from (article_from_row(r) for r in rows)

    def unread_by_feed(self) -> dict[int | None, int]:
        """Unread articles per feed id (None for the seeds)."""
        rows = self.conn.execute("SELECT feed_id, count(*) FROM articles WHERE read = 0 GROUP BY feed_id")
        return {r[0]: r[1] for r in rows}

    def view_counts(self) -> dict[str, int]:
        """Unread counts for the sidebar's fixed views."""
        row = self.conn.execute(
            """SELECT count(*), coalesce(sum(read = 0), 0), coalesce(sum(highlighted AND read = 0), 0),
                      coalesce(sum(starred), 0), coalesce(sum(source = 'seed' AND read = 0), 0),
                      coalesce(sum(alert AND read = 0), 0), coalesce(sum(highlighted), 0)
               FROM articles"""
        ).fetchone()
        return {
            "all": row[1],
            "total": row[0],
            "new": row[1],
            "highlighted": row[2],
            "starred": row[3],
            "seeds": row[4],
            "alerts": row[5],
            "highlighted_total": row[6],
        }

    def unread_by_entry(self) -> dict[str, int]:
        # IN over the unread ids (read from the covering articles_counts index) rather than a join that looks
        # every matched article up in the large articles table: 1.2 s -> 0.1 s at 200,000 articles.
        rows = self.conn.execute(
            """SELECT entry, count(*) FROM article_entries
               WHERE article_id IN (SELECT id FROM articles WHERE read = 0) GROUP BY entry"""
        )
        return {r[0]: r[1] for r in rows}

    def alert_ids(self, poll_id: int) -> list[int]:
        """The articles a poll alerted on, best score first (ids only: a large first poll alerts on thousands)."""
        rows = self.conn.execute(
            "SELECT id FROM articles WHERE alert = 1 AND poll_id = ? ORDER BY score DESC", (poll_id,)
        )
        return [r[0] for r in rows]

    def alert_articles(self, poll_id: int) -> list[Article]:
        rows = self.conn.execute(
            "SELECT * FROM articles WHERE alert = 1 AND poll_id = ? ORDER BY score DESC", (poll_id,)
        ).fetchall()
        return [article_from_row(r) for r in rows]
