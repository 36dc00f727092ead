"""Stored versions of articles (schema 14): read back whole, and the page versions full-text fetching adds."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence

from monitor.core.models import ArticleVersion, matched_content
from monitor.core.parsing.links import content_hash
from monitor.core.storage import wordform_index
from monitor.core.storage.db import transaction
from monitor.core.storage.engine import Dialect
from monitor.core.storage.ingest import FetchProvenance

log = logging.getLogger(__name__)


def article_versions(conn: sqlite3.Connection, article_id: int) -> list[ArticleVersion]:
    """Every version of an article, oldest first; a field a version did not store (NULL) is the one before."""
    rows = conn.execute(
        "SELECT * FROM article_versions WHERE article_id = ? ORDER BY id", (article_id,)
    ).fetchall()
    current: dict[str, str | None] = {
        "link": None,
        "title": "",
        "summary": "",
        "content": "",
        "full_text": "",
    }
    out: list[ArticleVersion] = []
    for number, row in enumerate(rows, start=1):
        for name in current:
            if row[name] is not None:
                current[name] = row[name]
        out.append(
            ArticleVersion(
                number=number,
                kind=row["kind"],
                fetched=row["fetched"],
                etag=row["etag"],
                last_modified=row["last_modified"],
                doc_sha256=row["doc_sha256"],
                text_sha256=row["text_sha256"],
                link=current["link"],
                title=current["title"] or "",
                summary=current["summary"] or "",
                content=current["content"] or "",
                full_text=current["full_text"] or "",
            )
        )
    return out


def page_validators(conn: sqlite3.Connection, article_id: int) -> tuple[str | None, str | None]:
    """The ETag and Last-Modified of the article's last page fetch, for a conditional GET."""
    row = conn.execute(
        "SELECT etag, last_modified FROM article_versions WHERE article_id = ? AND kind = 'page'"
        " ORDER BY id DESC LIMIT 1",
        (article_id,),
    ).fetchone()
    return (row[0], row[1]) if row else (None, None)


def save_full_text(
    conn: sqlite3.Connection,
    dialect: Dialect,
    article_id: int,
    text: str,
    fetched_at: str,
    fetch: FetchProvenance,
) -> bool:
    """Keep the main text of an article's page: a page version when it differs from the one stored (a revision
    when it replaces an earlier full text). Returns whether anything changed.

    The search index follows the article by trigger on both engines (SQLite's articles_fts, db v15; PostgreSQL's
    articles_search, pg_schema v14); SQLite's word-form index is written here, as ingest writes it."""
    with transaction(conn):
        row = conn.execute(
            "SELECT full_text, title, summary, content, lang FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if row is None or row["full_text"] == text:
            return False
        conn.execute(
            "UPDATE articles SET full_text = ?, revisions = revisions + ? WHERE id = ?",
            (text, int(bool(row["full_text"])), article_id),
        )
        if dialect.fts5:
            conn.execute("DELETE FROM articles_stems WHERE rowid = ?", (article_id,))
            wordform_index.write_forms(
                conn,
                [
                    wordform_index.forms_row(
                        article_id,
                        row["title"],
                        row["summary"],
                        matched_content(row["content"], text),
                        row["lang"],
                    )
                ],
            )
        conn.execute(
            """INSERT INTO article_versions(article_id, kind, fetched, etag, last_modified, doc_sha256,
                   text_sha256, full_text) VALUES (?, 'page', ?, ?, ?, ?, ?, ?)""",
            (
                article_id,
                fetched_at,
                fetch.etag,
                fetch.last_modified,
                fetch.doc_sha256,
                content_hash(text),
                text,
            ),
        )
    return True


def raise_page_alerts(conn: sqlite3.Connection, article_ids: Sequence[int], poll_id: int) -> list[int]:
    """Make alerts of the articles their page's text has just highlighted, when they are new in this poll (as
    an item highlighted by its feed's text is), not seeds and not from a muted feed. Returns their ids."""
    if not article_ids:
        return []
    marks = ",".join("?" * len(article_ids))
    with transaction(conn):
        rows = conn.execute(
            f"""UPDATE articles SET alert = 1
                WHERE id IN ({marks}) AND poll_id = ? AND alert = 0 AND highlighted = 1 AND source <> 'seed'
                  AND NOT EXISTS (SELECT 1 FROM feeds f WHERE f.id = articles.feed_id AND f.muted = 1)
                RETURNING id""",
            (*article_ids, poll_id),
        ).fetchall()
    return sorted(int(r[0]) for r in rows)


class FullTextRecords:
    """The full-text setting of feeds and the items waiting for their page (mixed into Store)."""

    conn: sqlite3.Connection
    dialect: Dialect  # the engine's (Store.dialect)

    def set_full_text(self, feed_ids: Sequence[int], on: bool) -> int:
        """Turn fetching the full article on or off for these feeds; returns how many changed."""
        with transaction(self.conn):
            cur = self.conn.executemany(
                "UPDATE feeds SET full_text = ? WHERE id = ? AND full_text <> ?",
                [(int(on), i, int(on)) for i in feed_ids],
            )
        return max(0, cur.rowcount)

    def set_full_text_state(self, feed_id: int, state: str) -> None:
        with transaction(self.conn):
            self.conn.execute("UPDATE feeds SET full_text_state = ? WHERE id = ?", (state, feed_id))

    def full_text_due(self, feed_id: int, since: str, limit: int) -> list[tuple[int, str]]:
        """(id, link) of the feed's items new or changed since `since` (this poll's start), newest first."""
        rows = self.conn.execute(
            "SELECT id, link FROM articles WHERE feed_id = ? AND last_updated >= ? AND link LIKE 'http%'"
            " ORDER BY coalesce(published, first_seen) DESC LIMIT ?",
            (feed_id, since, limit),
        )
        return [(int(r[0]), str(r[1])) for r in rows]
