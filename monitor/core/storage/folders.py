"""Folder records: the nested folders feeds live in, addressed by their path of titles (mixed into Store)."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable, Sequence

from monitor.core.errors import UserError
from monitor.core.storage.db import transaction
from monitor.core.support.clock import iso, utc_now
from monitor.core.support.folder_paths import (
    MAX_FOLDER_DEPTH,
    FolderPath,
    clean_path,
    format_folder_path,
)

log = logging.getLogger(__name__)

_PATH_OF_ONE = """
WITH RECURSIVE up(id, parent_id, title, depth) AS (
    SELECT id, parent_id, title, 0 FROM folders WHERE id = ?
    UNION ALL
    SELECT f.id, f.parent_id, f.title, up.depth + 1 FROM folders f JOIN up ON f.id = up.parent_id
    WHERE up.depth < 1000
)
SELECT title FROM up ORDER BY depth DESC
"""


class FolderRecords:
    """The folders table. A folder is one row per (parent, title); its path is the titles from the top."""

    conn: sqlite3.Connection  # the calling thread's connection (Store.conn)

    # -- reading ---------------------------------------------------------------------------------------------

    def folder_paths_by_id(self) -> dict[int, FolderPath]:
        """Every folder's path, by folder id in creation order (one read of the small folders table)."""
        rows = self.conn.execute("SELECT id, parent_id, title FROM folders ORDER BY id").fetchall()
        parents = {int(r["id"]): (r["parent_id"], str(r["title"])) for r in rows}
        paths: dict[int, FolderPath] = {}

        def path_of(folder_id: int) -> FolderPath:
            known = paths.get(folder_id)
            if known is not None:
                return known
            chain: list[int] = []
            current: int | None = folder_id
            while current is not None and current not in paths and current in parents:
                chain.append(current)
                current = parents[current][0]
            prefix = paths.get(current, ()) if current is not None else ()
            for link in reversed(chain):
                prefix = (*prefix, parents[link][1])
                paths[link] = prefix
            return paths[folder_id]

        for folder_id in parents:
            path_of(folder_id)
        return paths

    def folder_path(self, folder_id: int | None) -> FolderPath:
        """The path of one folder (() for None or an unknown id)."""
        if folder_id is None:
            return ()
        return tuple(r[0] for r in self.conn.execute(_PATH_OF_ONE, (folder_id,)).fetchall())

    def list_folders(self) -> list[FolderPath]:
        """Every folder's path, parents before children, siblings by title (case and accents as stored)."""
        return sorted(self.folder_paths_by_id().values(), key=lambda p: tuple(t.casefold() for t in p))

    def folder_id(self, path: Iterable[str]) -> int | None:
        """The id of the folder at `path`, or None when there is none (or for the top level, ())."""
        parent: int | None = None
        for title in clean_path(path):
            row = self.conn.execute(
                "SELECT id FROM folders WHERE parent_id IS NOT DISTINCT FROM ? AND title = ?", (parent, title)
            ).fetchone()
            if row is None:
                return None
            parent = int(row[0])
        return parent

    # -- writing ---------------------------------------------------------------------------------------------

    def ensure_folder(self, path: Iterable[str]) -> tuple[int | None, int]:
        """The id of the folder at `path`, creating it and any missing parent; returns (id, folders created).

        Call it inside a transaction. The top level, (), is (None, 0).

        Raises:
            UserError: the path is deeper than MAX_FOLDER_DEPTH.
        """
        cleaned = clean_path(path)
        if len(cleaned) > MAX_FOLDER_DEPTH:
            raise UserError(
                f"folders nest at most {MAX_FOLDER_DEPTH} deep; {format_folder_path(cleaned)!r} "
                f"is {len(cleaned)} deep"
            )
        parent: int | None = None
        created = 0
        now = iso(utc_now())
        for title in cleaned:
            row = self.conn.execute(
                "SELECT id FROM folders WHERE parent_id IS NOT DISTINCT FROM ? AND title = ?", (parent, title)
            ).fetchone()
            if row is None:
                cur = self.conn.execute(
                    "INSERT INTO folders(parent_id, title, created) VALUES (?, ?, ?)", (parent, title, now)
                )
                parent = int(cur.lastrowid or 0)
                created += 1
            else:
                parent = int(row[0])
        return parent, created

    def create_folder(self, path: Iterable[str]) -> int:
        """Create the folder at `path` (and its missing parents); returns how many folders were new."""
        with transaction(self.conn):
            _, created = self.ensure_folder(path)
        return created

    def move_feeds(self, feed_ids: Sequence[int], path: Iterable[str]) -> int:
        """Put the feeds in the folder at `path` (created if missing; () is the top level); returns how many
        feeds exist among `feed_ids`."""
        with transaction(self.conn):
            folder_id, _ = self.ensure_folder(path)
            moved = 0
            for feed_id in feed_ids:
                cur = self.conn.execute("UPDATE feeds SET folder_id = ? WHERE id = ?", (folder_id, feed_id))
                moved += cur.rowcount
        return moved

    def remove_folder(self, path: Iterable[str]) -> int:
        """Remove the folder at `path` with its sub-folders; their feeds move up to its parent (no feed is
        unsubscribed). Returns how many feeds moved; an unknown path raises UserError."""
        cleaned = clean_path(path)
        with transaction(self.conn):
            folder_id = self.folder_id(cleaned)
            if folder_id is None:
                raise UserError(f"no folder {format_folder_path(cleaned)!r}")
            parent_id = self.folder_id(cleaned[:-1])
            subtree = [
                r[0]
                for r in self.conn.execute(
                    """WITH RECURSIVE down(id) AS (SELECT ? UNION ALL
                           SELECT f.id FROM folders f JOIN down ON f.parent_id = down.id)
                       SELECT id FROM down""",
                    (folder_id,),
                )
            ]
            marks = ",".join("?" * len(subtree))
            cur = self.conn.execute(
                f"UPDATE feeds SET folder_id = ? WHERE folder_id IN ({marks})", (parent_id, *subtree)
            )
            self.conn.execute("DELETE FROM folders WHERE id = ?", (folder_id,))
        log.info("removed folder %s; %d feeds moved up", format_folder_path(cleaned), cur.rowcount)
        return cur.rowcount

    def move_folder(self, path: Iterable[str], parent: Iterable[str], title: str | None = None) -> FolderPath:
        """Move the folder at `path` (its feeds and sub-folders with it) under `parent`, renamed to `title` when
        given; returns its new path. `parent` is created if missing.

        Raises:
            UserError: no folder at `path`; `parent` is the folder itself or inside it; `parent` already has a
                folder of that title; or the moved tree would nest deeper than MAX_FOLDER_DEPTH.
        """
        source = clean_path(path)
        target_parent = clean_path(parent)
        new_title = clean_path([title if title is not None else (source[-1] if source else "")])
        with transaction(self.conn):
            folder_id = self.folder_id(source)
            if folder_id is None:
                raise UserError(f"no folder {format_folder_path(source)!r}")
            if not new_title:
                raise UserError("a folder needs a title")
            if target_parent[: len(source)] == source:
                raise UserError(f"cannot move {format_folder_path(source)!r} into itself")
            destination = (*target_parent, *new_title)
            if destination == source:
                return source
            if self.folder_id(destination) is not None:
                raise UserError(f"there is already a folder {format_folder_path(destination)!r}")
            deepest = max(
                (len(p) for p in self.folder_paths_by_id().values() if p[: len(source)] == source),
                default=len(source),
            )
            if deepest - len(source) + len(destination) > MAX_FOLDER_DEPTH:
                raise UserError(
                    f"folders nest at most {MAX_FOLDER_DEPTH} deep; that move would nest them deeper"
                )
            parent_id, _ = self.ensure_folder(target_parent)
            self.conn.execute(
                "UPDATE folders SET parent_id = ?, title = ? WHERE id = ?",
                (parent_id, new_title[0], folder_id),
            )
        log.info("moved folder %s to %s", format_folder_path(source), format_folder_path(destination))
        return destination
