"""The profile's cases in `vigie migrate` (profile_copy.py): each case with its items, notes and tags goes to the
analyst who runs the copy (on a shared database the store writes the session analyst's case files).

- A case by its name (case aside): one the analyst already has on the target takes the profile's items, keeping
  its own note; a new one keeps the profile's note and dates.
- An item by its case and article: the article is found on the target by its identity (source, dedup_key), as
  the articles were copied just before; an item already there keeps its note and tags. A story item's id is
  shifted as the stories' are.

So a second run copies nothing twice. One transaction a case.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from monitor.core.storage.db import transaction

if TYPE_CHECKING:
    from monitor.core.storage.profile_copy import Tally
    from monitor.core.storage.store import Store

log = logging.getLogger(__name__)


def copy_cases(source: Store, target: Store, cases: Tally, items: Tally, story_offset: int) -> None:
    """Copy the source's cases and their items into the target's session analyst's case files."""
    rows = source.conn.execute("SELECT id, name, note, created, updated FROM cases ORDER BY id").fetchall()
    cases.source = len(rows)
    items.source = int(source.conn.execute("SELECT count(*) FROM case_items").fetchone()[0])
    for case_id, name, note, created, updated in rows:
        with transaction(target.conn):
            made = target.conn.execute(
                "INSERT INTO cases(name, note, created, updated) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING "
                "RETURNING id",
                (name, note, created, updated),
            ).fetchone()
            if made is not None:
                cases.copied += 1
                there = int(made[0])
            else:
                cases.present += 1
                found = target.conn.execute(
                    "SELECT id FROM cases WHERE name = ? COLLATE NOCASE", (name,)
                ).fetchone()
                there = int(found[0])
            _copy_items(source, target, int(case_id), there, items, story_offset)


def _copy_items(
    source: Store, target: Store, case_id: int, there: int, items: Tally, story_offset: int
) -> None:
    rows = source.conn.execute(
        "SELECT i.id, i.kind, a.source, a.dedup_key, i.story_id, i.note, i.added, i.pinned_hash, i.outlet "
        "FROM case_items i LEFT JOIN articles a ON a.id = i.article_id WHERE i.case_id = ? ORDER BY i.id",
        (case_id,),
    ).fetchall()
    for item_id, kind, article_source, dedup_key, story_id, note, added, pinned_hash, outlet in rows:
        article = None
        if kind == "article":
            found = target.conn.execute(
                "SELECT id FROM articles WHERE source = ? AND dedup_key = ?", (article_source, dedup_key)
            ).fetchone()
            if found is None:  # not on the target: the check's counts say so
                log.warning("case item %d: its article (%s) is not on the target", item_id, dedup_key)
                continue
            article = int(found[0])
        story = int(story_id) + story_offset if story_id is not None else None
        made = target.conn.execute(
            "INSERT INTO case_items(case_id, kind, article_id, story_id, note, added, pinned_hash, outlet) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
            (there, kind, article, story, note, added, pinned_hash, outlet),
        ).fetchone()
        if made is None:
            items.present += 1
            continue
        items.copied += 1
        tags = [
            r[0] for r in source.conn.execute("SELECT tag FROM case_item_tags WHERE item_id = ?", (item_id,))
        ]
        if tags:
            target.conn.executemany(
                "INSERT INTO case_item_tags(item_id, tag) VALUES (?, ?) ON CONFLICT DO NOTHING",
                [(int(made[0]), tag) for tag in tags],
            )
