"""Cases and their items (schema 12): the analyst's evidence, which nothing prunes (see schema_steps.V12's triggers).

The same SQL on both engines. On PostgreSQL (schema 20, pg_team_schema.CASES_SQL) the tables are each analyst's:
the connection adapter names the session analyst's views of them, so every statement here sees and writes that
analyst's cases, items and tags only."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence

from monitor.core.errors import UserError
from monitor.core.models import Case, CaseItem
from monitor.core.storage.db import transaction
from monitor.core.storage.rows import article_from_row
from monitor.core.storage.versions import article_versions

log = logging.getLogger(__name__)

_CASE_COLUMNS = "c.id, c.name, c.note, c.created, c.updated"
# An item's time in the case's timeline: the article's publication, else when it was fetched, else pinned.
ITEM_TIME = "coalesce(a.published, a.fetched, i.added)"


def clean_tags(tags: Sequence[str]) -> tuple[str, ...]:
    """Tags as stored: trimmed, inner spaces collapsed, no empty or repeated one (case aside), in order."""
    seen: dict[str, str] = {}
    for tag in tags:
        cleaned = " ".join(str(tag).split())
        if cleaned and cleaned.casefold() not in seen:
            seen[cleaned.casefold()] = cleaned
    return tuple(seen.values())


class CaseRecords:
    """Store's part for cases (a mixin: Store provides `conn`)."""

    conn: sqlite3.Connection

    def list_cases(self) -> list[Case]:
        rows = self.conn.execute(
            f"SELECT {_CASE_COLUMNS}, (SELECT count(*) FROM case_items i WHERE i.case_id = c.id) AS items "
            "FROM cases c ORDER BY c.name COLLATE NOCASE"
        ).fetchall()
        return [Case(*r) for r in rows]

    def case_named(self, name: str) -> Case | None:
        row = self.conn.execute(
            f"SELECT {_CASE_COLUMNS}, (SELECT count(*) FROM case_items i WHERE i.case_id = c.id) "
            "FROM cases c WHERE c.name = ? COLLATE NOCASE",
            (name.strip(),),
        ).fetchone()
        return Case(*row) if row else None

    def create_case(self, name: str, now: str, note: str = "") -> Case:
        """Create the case `name` (names are unique, case aside); an existing one is returned as it is."""
        name = " ".join(name.split())
        if not name:
            raise UserError("a case needs a name")
        with transaction(self.conn):
            self.conn.execute(
                "INSERT INTO cases(name, note, created, updated) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (name, note, now, now),
            )
        case = self.case_named(name)
        assert case is not None
        return case

    def update_case(
        self, case_id: int, now: str, *, name: str | None = None, note: str | None = None
    ) -> None:
        with transaction(self.conn):
            if name is not None:
                name = " ".join(name.split())
                if not name:
                    raise UserError("a case needs a name")
                taken = self.conn.execute(
                    "SELECT 1 FROM cases WHERE name = ? COLLATE NOCASE AND id <> ?", (name, case_id)
                ).fetchone()
                if taken is not None:
                    raise UserError(f"there is already a case called {name!r}")
                self.conn.execute("UPDATE cases SET name = ? WHERE id = ?", (name, case_id))
            if note is not None:
                self.conn.execute("UPDATE cases SET note = ? WHERE id = ?", (note, case_id))
            self.conn.execute("UPDATE cases SET updated = ? WHERE id = ?", (now, case_id))

    def delete_case(self, case_id: int) -> None:
        """Remove a case and its items and notes; the articles stay (and may be pruned again if no other case
        holds them)."""
        with transaction(self.conn):
            self.conn.execute("DELETE FROM cases WHERE id = ?", (case_id,))

    def pin_articles(
        self, case_id: int, article_ids: Sequence[int], now: str, note: str = "", tags: Sequence[str] = ()
    ) -> tuple[list[int], list[int]]:
        """Pin articles to a case with a note and tags; returns (ids pinned now, ids already in the case).
        An unknown id raises UserError and pins nothing."""
        ids = list(dict.fromkeys(int(i) for i in article_ids))
        wanted = clean_tags(tags)
        added: list[int] = []
        present: list[int] = []
        with transaction(self.conn):
            for article_id in ids:
                row = self.conn.execute(
                    "SELECT a.content_hash, CASE WHEN a.source = 'seed' THEN 'Seeds' "
                    "ELSE coalesce(nullif(f.title, ''), a.source) END "
                    "FROM articles a LEFT JOIN feeds f ON f.id = a.feed_id WHERE a.id = ?",
                    (article_id,),
                ).fetchone()
                if row is None:
                    raise UserError(f"no article with id {article_id} (ids as in `vigie articles export`)")
                cur = self.conn.execute(
                    "INSERT INTO case_items(case_id, kind, article_id, note, added, pinned_hash, outlet) "
                    "VALUES (?, 'article', ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    (case_id, article_id, note, now, row[0], row[1]),
                )
                if cur.rowcount != 1:
                    present.append(article_id)
                    continue
                added.append(article_id)
                self.conn.executemany(
                    "INSERT INTO case_item_tags(item_id, tag) VALUES (?, ?) ON CONFLICT DO NOTHING",
                    [(cur.lastrowid, t) for t in wanted],
                )
            self.conn.execute("UPDATE cases SET updated = ? WHERE id = ?", (now, case_id))
        return added, present

    def update_case_item(
        self, item_id: int, *, note: str | None = None, tags: Sequence[str] | None = None
    ) -> bool:
        """Set an item's note and/or tags; False when there is no such item."""
        with transaction(self.conn):
            if self.conn.execute("SELECT 1 FROM case_items WHERE id = ?", (item_id,)).fetchone() is None:
                return False
            if note is not None:
                self.conn.execute("UPDATE case_items SET note = ? WHERE id = ?", (note, item_id))
            if tags is not None:
                self.conn.execute("DELETE FROM case_item_tags WHERE item_id = ?", (item_id,))
                self.conn.executemany(
                    "INSERT INTO case_item_tags(item_id, tag) VALUES (?, ?) ON CONFLICT DO NOTHING",
                    [(item_id, t) for t in clean_tags(tags)],
                )
        return True

    def unpin(self, item_id: int) -> None:
        with transaction(self.conn):
            self.conn.execute("DELETE FROM case_items WHERE id = ?", (item_id,))

    def case_items(self, case_id: int) -> list[CaseItem]:
        """The case's items in time order (publication, else fetch, else pinning), each with its article."""
        rows = self.conn.execute(
            "SELECT i.id AS item_id, i.case_id, i.kind, i.article_id AS pinned_article, i.story_id, "
            "i.note AS item_note, i.added, i.pinned_hash, "
            "coalesce(nullif(f.title, ''), nullif(i.outlet, ''), a.source, '') AS item_outlet, a.* "
            f"FROM case_items i LEFT JOIN articles a ON a.id = i.article_id LEFT JOIN feeds f ON f.id = a.feed_id "
            f"WHERE i.case_id = ? ORDER BY {ITEM_TIME}, i.id",
            (case_id,),
        ).fetchall()
        tags: dict[int, list[str]] = {}
        for item_id, tag in self.conn.execute(
            "SELECT t.item_id, t.tag FROM case_item_tags t JOIN case_items i ON i.id = t.item_id "
            "WHERE i.case_id = ? ORDER BY t.tag COLLATE NOCASE, t.tag",
            (case_id,),
        ):
            tags.setdefault(int(item_id), []).append(tag)
        return [
            CaseItem(
                id=r["item_id"],
                case_id=r["case_id"],
                kind=r["kind"],
                article_id=r["pinned_article"],
                story_id=r["story_id"],
                note=r["item_note"],
                added=r["added"],
                pinned_hash=r["pinned_hash"],
                outlet="Seeds" if r["source"] == "seed" else r["item_outlet"],
                tags=tuple(tags.get(int(r["item_id"]), ())),
                article=article_from_row(r) if r["id"] is not None else None,
                versions=tuple(article_versions(self.conn, r["id"])) if r["id"] is not None else (),
            )
            for r in rows
        ]

    def story_article_ids(self, story_id: int) -> list[int]:
        """The reports of a story (one range of the articles_story index), earliest first."""
        rows = self.conn.execute(
            "SELECT id FROM articles WHERE story = ? ORDER BY published, id", (story_id,)
        ).fetchall()
        return [int(r[0]) for r in rows]

    def cases_of_article(self, article_id: int) -> list[str]:
        """The names of the cases that hold an article (the reader says so)."""
        rows = self.conn.execute(
            "SELECT c.name FROM case_items i JOIN cases c ON c.id = i.case_id WHERE i.article_id = ? "
            "ORDER BY c.name COLLATE NOCASE",
            (article_id,),
        )
        return [r[0] for r in rows]
