"""What a drag of sidebar rows carries: the ids of the feeds and the paths of the folders, as JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable

from PySide6.QtCore import QMimeData

from monitor.core.support.folder_paths import FolderPath
from monitor.ui.sidebar_rows import Target

ROWS_MIME = "application/x-vigie-sidebar-rows"


def rows_mime_data(targets: Iterable[object]) -> QMimeData:
    """The drag of these rows' targets (the feeds and folders among them)."""
    rows = [t for t in targets if isinstance(t, Target) and draggable(t)]
    payload = {
        "feeds": [t.feed_id for t in rows if t.kind == "feed"],
        "folders": [list(t.folder) for t in rows if t.kind == "folder"],
    }
    data = QMimeData()
    data.setData(ROWS_MIME, json.dumps(payload).encode())
    return data


def draggable(target: object) -> bool:
    return isinstance(target, Target) and (
        (target.kind == "feed" and target.feed_id is not None)
        or (target.kind == "folder" and bool(target.folder))
    )


def dropped_rows(data: QMimeData, onto: FolderPath) -> tuple[tuple[int, ...], tuple[FolderPath, ...]]:
    """The feed ids and the folders a drag carries that can go into `onto` (not a folder into itself or where
    it already is); nothing for a payload that is not ours."""
    if not data.hasFormat(ROWS_MIME):
        return (), ()
    try:
        payload = json.loads(bytes(data.data(ROWS_MIME).data()).decode())
    except (ValueError, UnicodeDecodeError):
        return (), ()
    if not isinstance(payload, dict):
        return (), ()
    ids = tuple(i for i in payload.get("feeds", ()) if isinstance(i, int))
    paths = [tuple(p) for p in payload.get("folders", ()) if isinstance(p, list) and p]
    folders = tuple(p for p in paths if onto[: len(p)] != p and p[:-1] != onto)
    return ids, folders
