"""Ingest writes: deduplicating parsed items against the store, saving them with their assessments."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum

from monitor.core.matching.article_names import article_names
from monitor.core.models import SEED_SOURCE, Assessment, Match, ParsedItem
from monitor.core.parsing import language
from monitor.core.parsing.links import canonical_link, content_hash
from monitor.core.storage import name_index, wordform_index
from monitor.core.storage.db import transaction
from monitor.core.storage.engine import Dialect
from monitor.core.storage.rows import encode_matches

# What re-scoring stores for one article: (id, score, highlighted 0/1, matches as encode_matches writes them,
# the names of the entries matched). Plain values, cheap to send back from a worker process.
ScoreRow = tuple[int, float, int, str, tuple[str, ...]]
SCORES_PER_WRITE = 200  # four host parameters each: under SQLite's oldest limit of 999
# The highlight an analyst's judgement imposes (NULL when unjudged): every write of `highlighted` goes through it.
JUDGED = "(CASE articles.judgement WHEN 'relevant' THEN 1 WHEN 'not-relevant' THEN 0 END)"


def score_row(article_id: int, assessment: Assessment) -> ScoreRow:
    return (
        article_id,
        assessment.score,
        int(assessment.highlighted),
        encode_matches(assessment.matches),
        tuple(sorted({m.entry for m in assessment.matches})),
    )


def apply_scores(conn: sqlite3.Connection, scored: Sequence[ScoreRow]) -> None:
    """Store new scores (rows as `score_row` makes them, at most SCORES_PER_WRITE), in one transaction; an
    alert can only be withdrawn (re-scoring never makes an item new).

    A few statements for the whole batch rather than three per article: each statement releases the
    interpreter while SQLite works and takes it back after, and a thread that takes it back a thousand
    times a second keeps the window's thread, which shares it, waiting again and again."""
    if len(scored) > SCORES_PER_WRITE:
        raise ValueError(f"at most {SCORES_PER_WRITE} scores per write, not {len(scored)}")
    pairs = [(row[0], entry) for row in scored for entry in row[4]]
    with transaction(conn):
        conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS new_scores"
            "(id INTEGER PRIMARY KEY, score REAL, highlighted INTEGER, matches TEXT)"
        )
        conn.execute("DELETE FROM temp.new_scores")
        if scored:
            conn.execute(
                "INSERT INTO temp.new_scores VALUES " + ",".join(["(?, ?, ?, ?)"] * len(scored)),
                [value for row in scored for value in row[:4]],
            )
        conn.execute(
            f"""UPDATE articles SET
                   score = (SELECT s.score FROM temp.new_scores s WHERE s.id = articles.id),
                   highlighted = coalesce({JUDGED},
                       (SELECT s.highlighted FROM temp.new_scores s WHERE s.id = articles.id)),
                   matches = (SELECT s.matches FROM temp.new_scores s WHERE s.id = articles.id),
                   alert = alert * coalesce({JUDGED},
                       (SELECT s.highlighted FROM temp.new_scores s WHERE s.id = articles.id))
               WHERE id IN (SELECT id FROM temp.new_scores)"""
        )
        # Only the entries that change are written: a row deleted and written again costs its triggers (the
        # date, the entry pairs of schema 14) for nothing, and a re-score leaves most articles' entries alone.
        conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS new_entries"
            "(article_id INTEGER, entry TEXT, PRIMARY KEY (article_id, entry))"
            + (" WITHOUT ROWID" if isinstance(conn, sqlite3.Connection) else "")  # SQLite's word only
        )
        conn.execute("DELETE FROM temp.new_entries")
        for start in range(0, len(pairs), SCORES_PER_WRITE * 2):
            chunk = pairs[start : start + SCORES_PER_WRITE * 2]
            conn.execute(
                "INSERT INTO temp.new_entries(article_id, entry) VALUES "
                + ",".join(["(?, ?)"] * len(chunk))
                + " ON CONFLICT DO NOTHING",
                [value for pair in chunk for value in pair],
            )
        conn.execute(
            """DELETE FROM article_entries WHERE article_id IN (SELECT id FROM temp.new_scores)
               AND NOT EXISTS (SELECT 1 FROM temp.new_entries n
                               WHERE n.article_id = article_entries.article_id AND n.entry = article_entries.entry)"""
        )
        conn.execute(
            # WHERE true: SQLite's parser needs it before an upsert clause after a SELECT.
            "INSERT INTO article_entries(article_id, entry) SELECT article_id, entry FROM temp.new_entries"
            " WHERE true ON CONFLICT DO NOTHING"
        )
        conn.execute("DELETE FROM temp.new_entries")
        conn.execute("DELETE FROM temp.new_scores")


@dataclass(frozen=True)
class FetchProvenance:
    """What a version records of the fetch that brought it: the HTTP validators and the document's SHA-256."""

    etag: str | None = None
    last_modified: str | None = None
    doc_sha256: str | None = None


VERSION_FIELDS = ("link", "title", "summary", "content")


class Outcome(Enum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass
class PendingItem:
    """A parsed item with the dedup facts the poller needs before deciding to match it."""

    item: ParsedItem
    dedup_key: str
    content_hash: str
    existing_id: int | None = None
    existing_hash: str | None = None
    existing_link: str | None = None

    @property
    def outcome(self) -> Outcome:
        if self.existing_id is None:
            return Outcome.NEW
        if self.existing_hash != self.content_hash:
            return Outcome.UPDATED
        # A changed link is a revision; tracking parameters or the host's case are not (canonical_link).
        old, new = self.existing_link, self.item.link
        if old == new or (old and new and canonical_link(old) == canonical_link(new)):
            return Outcome.UNCHANGED
        return Outcome.UPDATED


def dedup_key(item: ParsedItem) -> str:
    """guid, else the canonical link (no tracking parameters), else a hash of the text."""
    if item.guid and item.guid.strip():
        return "guid:" + item.guid.strip()
    if item.link:
        return "link:" + canonical_link(item.link)
    return "hash:" + content_hash(item.title, item.summary, item.content)


# The columns save_items writes for a new article (the dedup key is the 18th), and how many new articles one
# PostgreSQL statement inserts (a feed's items are usually fewer).
_NEW_ARTICLE = (
    "guid, link, title, summary, content, content_html, published, published_estimated, fetched, lang,"
    " content_hash, last_updated, score, highlighted, matches, source, feed_id, dedup_key, first_seen, poll_id, alert"
)
_ARTICLES_PER_INSERT = 100


class IngestWrites:
    """Saving polled items and re-scored assessments (mixed into Store)."""

    conn: sqlite3.Connection  # the calling thread's connection (Store.conn)
    dialect: Dialect  # the engine's (Store.dialect)

    def prepare(self, source: str, items: Sequence[ParsedItem]) -> list[PendingItem]:
        """Dedup keys and hashes for parsed items, with what the store already holds under those keys.

        Items repeated inside one fetch collapse to the first one.
        """
        pending: dict[str, PendingItem] = {}
        for item in items:
            key = dedup_key(item)
            if key not in pending:
                pending[key] = PendingItem(item, key, content_hash(item.title, item.summary, item.content))
        keys = list(pending)
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self.conn.execute(
                f"SELECT id, dedup_key, content_hash, link FROM articles WHERE source = ? AND dedup_key IN ({marks})",
                (source, *chunk),
            ):
                entry = pending[row["dedup_key"]]
                entry.existing_id = row["id"]
                entry.existing_hash = row["content_hash"]
                entry.existing_link = row["link"]
        return list(pending.values())

    def save_items(
        self,
        *,
        source: str,
        feed_id: int | None,
        items: Sequence[tuple[PendingItem, Assessment]],
        fetched_at: str,
        poll_id: int,
        provenance: FetchProvenance | None = None,
        defer_search: bool = False,
    ) -> dict[Outcome, int]:
        """Insert new items and update changed ones in place (first_seen kept), in one short transaction.

        Each new or changed item also gets a version (article_versions) with the fetch's `provenance`: the
        first one whole, later ones with only the fields that changed. With `defer_search` on PostgreSQL, the
        articles' search vectors are left to `index_deferred_search` (a poll's search stage, on another
        connection); SQLite's full-text index is written in the transaction either way."""
        fetch = provenance or FetchProvenance()
        versions: list[tuple[object, ...]] = []
        counts = {outcome: 0 for outcome in Outcome}
        indexed: list[tuple[int, str, str, str]] = []  # new articles for the full-text index
        forms: list[wordform_index.FormsRow] = []  # new and changed articles for the word-form index
        names: list[name_index.IndexedNames] = []  # new and changed highlighted articles for the name index
        with transaction(self.conn):
            if defer_search and not self.dialect.is_sqlite:
                self.conn.execute("SELECT set_config('vigie.defer_search', 'on', true)")  # this transaction's
            # A muted feed's items are stored and scored like any other, but are never alerts.
            alerts = source != SEED_SOURCE and not self._feed_muted(feed_id)
            new_rows: list[tuple[object, ...]] = []  # the new articles' INSERT values, written together below
            # Each new or changed item with its language, and what changed (None: a new article, its id to come).
            stored: list[tuple[PendingItem, Assessment, str | None, tuple[object, ...] | None]] = []
            for pending, assessment in items:
                outcome = pending.outcome
                counts[outcome] += 1
                if outcome is Outcome.UNCHANGED:
                    continue
                item = pending.item
                # Parsed items carry their tag already (parse_feed); items from elsewhere are tagged here.
                lang = language.item_language(item.lang, item.title, item.summary, item.content)
                values = (
                    item.guid,
                    item.link,
                    item.title,
                    item.summary,
                    item.content,
                    item.content_html,
                    item.published,
                    int(item.published_estimated),
                    fetched_at,
                    lang,
                    pending.content_hash,
                    fetched_at,
                    assessment.score,
                    int(assessment.highlighted),
                    encode_matches(assessment.matches),
                )
                if outcome is Outcome.NEW:
                    alert = int(assessment.highlighted and alerts)
                    new_rows.append((*values, source, feed_id, pending.dedup_key, fetched_at, poll_id, alert))
                    stored.append((pending, assessment, lang, None))
                    continue
                article_id = int(pending.existing_id or 0)
                before = self.conn.execute(
                    "SELECT link, title, summary, content FROM articles WHERE id = ?", (article_id,)
                ).fetchone()
                now = (item.link, item.title, item.summary, item.content)
                changed = tuple(None if old == new else new for old, new in zip(before, now, strict=True))
                self.conn.execute(
                    f"""UPDATE articles SET guid = ?, link = ?, title = ?, summary = ?, content = ?,
                           content_html = ?, published = ?, published_estimated = ?, fetched = ?, lang = ?,
                           content_hash = ?, last_updated = ?, score = ?, highlighted = coalesce({JUDGED}, ?),
                           matches = ?, alert = alert * coalesce({JUDGED}, ?), revisions = revisions + 1,
                           gone = NULL
                       WHERE id = ?""",
                    (*values, int(assessment.highlighted), article_id),
                )
                stored.append((pending, assessment, lang, changed))
            new_ids = self._insert_articles(new_rows)
            new_entries: list[tuple[int, str]] = []
            for pending, assessment, lang, was in stored:
                item = pending.item
                if was is None:
                    article_id = new_ids[pending.dedup_key]
                    indexed.append((article_id, item.title, item.summary, item.content))
                    changed: tuple[object, ...] = (item.link, item.title, item.summary, item.content)
                    new_entries.extend((article_id, name) for name in {m.entry for m in assessment.matches})
                else:
                    article_id, changed = int(pending.existing_id or 0), was
                    self._write_entries(article_id, assessment.matches)
                versions.append(
                    (
                        article_id,
                        "feed",
                        fetched_at,
                        fetch.etag,
                        fetch.last_modified,
                        fetch.doc_sha256,
                        pending.content_hash,
                        *changed,
                    )
                )
                # The update above dropped a changed article's old forms and names (triggers articles_stems_update,
                # article_names_update).
                if assessment.highlighted:
                    found = item.names or article_names(item.title, item.summary, item.content)
                    names.append((article_id, found))
                if not self.dialect.fts5:
                    continue  # PostgreSQL stems in its search trigger (pg_schema.py): no word forms to write
                if item.word_forms is not None and lang == item.lang:
                    forms.append((article_id, *item.word_forms))  # stemmed in a parser process
                else:
                    forms.append(
                        wordform_index.forms_row(article_id, item.title, item.summary, item.content, lang)
                    )
            self.conn.executemany(
                "INSERT INTO article_entries(article_id, entry) VALUES (?, ?) ON CONFLICT DO NOTHING",
                new_entries,
            )
            if self.dialect.fts5:  # PostgreSQL's vectors are written by a trigger (pg_schema.py)
                # One statement for the batch (see db._V5); updates are re-indexed by the articles_fts_update
                # trigger.
                self.conn.executemany(
                    "INSERT INTO articles_fts(rowid, title, summary, content) VALUES (?, ?, ?, ?)", indexed
                )
                wordform_index.write_forms(self.conn, forms)
            name_index.write_names(self.conn, names)  # both engines (PostgreSQL's schema 21)
            # The kind is a parameter, not a literal, so that PostgreSQL's adapter sends the rows as multi-row
            # INSERTs (pg.py: a row of placeholders only); with 'feed' in the SQL each version was a statement.
            self.conn.executemany(
                """INSERT INTO article_versions(article_id, kind, fetched, etag, last_modified, doc_sha256,
                       text_sha256, link, title, summary, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                versions,
            )
        return counts

    def index_deferred_search(self, limit: int = 200) -> int:
        """Make the search vectors of up to `limit` articles whose writes deferred them (`save_items`'s
        `defer_search`, PostgreSQL's search_pending: schema 31), in a transaction of this thread's connection;
        returns how many were noted (0 when none is left, and always on SQLite). Rows another connection is
        taking are skipped, so two can drain the notes at once."""
        if self.dialect.is_sqlite:
            return 0
        with transaction(self.conn):
            ids = [
                int(r[0])
                for r in self.conn.execute(
                    "SELECT article_id FROM search_pending ORDER BY article_id LIMIT ? FOR UPDATE SKIP LOCKED",
                    (limit,),
                )
            ]
            if ids:
                self.conn.execute("SELECT vigie_index_pending(CAST(? AS bigint[]))", [ids])
        return len(ids)

    def mark_gone(self, feed_id: int, listed: Sequence[str], fetched_at: str) -> int:
        """After a successful fetch of a feed: its stored items the feed no longer lists (dedup keys not in
        `listed`) are marked gone from it at `fetched_at` (and kept); listed ones lose the mark. Returns how many
        items went."""
        keys = json.dumps(list(listed))
        # The listed keys as rows: SQLite's json_each, PostgreSQL's json_array_elements_text (both name it value).
        listed_keys = (
            "SELECT value FROM json_each(?)"
            if self.dialect.is_sqlite
            else "SELECT value FROM json_array_elements_text(CAST(? AS json))"
        )
        with transaction(self.conn):
            self.conn.execute(
                "UPDATE articles SET gone = NULL WHERE feed_id = ? AND gone IS NOT NULL"
                f" AND dedup_key IN ({listed_keys})",
                (feed_id, keys),
            )
            cur = self.conn.execute(
                "UPDATE articles SET gone = ? WHERE feed_id = ? AND gone IS NULL"
                f" AND dedup_key NOT IN ({listed_keys})",
                (fetched_at, feed_id, keys),
            )
        return cur.rowcount

    def _insert_articles(self, rows: Sequence[tuple[object, ...]]) -> dict[str, int]:
        """Insert new articles (save_items' values, in _NEW_ARTICLE's order); their ids by dedup key (one source:
        its keys are unique). On SQLite one statement an article (in-process, cheap); on PostgreSQL one statement
        for many, since each statement is a round trip to the server and its own executor start there."""
        columns = f"INSERT INTO articles({_NEW_ARTICLE}) VALUES "
        marks = "(" + ", ".join("?" * _NEW_ARTICLE.count(",")) + ", ?)"
        if self.dialect.is_sqlite:
            return {str(row[17]): int(self.conn.execute(columns + marks, row).lastrowid or 0) for row in rows}
        ids: dict[str, int] = {}
        for start in range(0, len(rows), _ARTICLES_PER_INSERT):
            chunk = rows[start : start + _ARTICLES_PER_INSERT]
            cur = self.conn.execute(
                columns + ", ".join([marks] * len(chunk)) + " RETURNING id, dedup_key",
                [value for row in chunk for value in row],
            )
            ids.update((str(key), int(article_id)) for article_id, key in cur.fetchall())
        return ids

    def _feed_muted(self, feed_id: int | None) -> bool:
        if feed_id is None:
            return False
        row = self.conn.execute("SELECT muted FROM feeds WHERE id = ?", (feed_id,)).fetchone()
        return bool(row and row[0])

    def _write_entries(self, article_id: int, matches: Iterable[Match], *, new: bool = False) -> None:
        if not new:
            self.conn.execute("DELETE FROM article_entries WHERE article_id = ?", (article_id,))
        self.conn.executemany(
            "INSERT INTO article_entries(article_id, entry) VALUES (?, ?) ON CONFLICT DO NOTHING",
            [(article_id, name) for name in {m.entry for m in matches}],
        )

    def clear_alerts(self, feed_ids: Sequence[int] | None = None) -> None:
        """A new poll starts: what the previous one flagged is no longer new."""
        with transaction(self.conn):
            if feed_ids is None:
                self.conn.execute("UPDATE articles SET alert = 0 WHERE alert = 1")
            else:
                marks = ",".join("?" * len(feed_ids))
                self.conn.execute(
                    f"UPDATE articles SET alert = 0 WHERE alert = 1 AND feed_id IN ({marks})", tuple(feed_ids)
                )

    def count_all(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM articles").fetchone()[0])
