"""Rows to the core's dataclasses, written once: each field comes from the column of the same name."""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import sqlite3
from collections.abc import Iterable
from typing import Any, TypeVar

from monitor.core.models import Article, ArticleRow, Feed, Match

log = logging.getLogger(__name__)

T = TypeVar("T")


@functools.cache
def _fields(cls: type) -> tuple[tuple[str, bool], ...]:
    """(name, is a bool) for each field: SQLite stores booleans as 0 and 1."""
    return tuple((f.name, f.type in ("bool", bool)) for f in dataclasses.fields(cls))


def from_row(cls: type[T], row: sqlite3.Row, **computed: Any) -> T:
    """An instance of the dataclass `cls` from `row`; `computed` gives the fields that are not plain columns."""
    values = dict(computed)
    for name, is_bool in _fields(cls):
        if name not in values:
            values[name] = bool(row[name]) if is_bool else row[name]
    return cls(**values)


def encode_matches(matches: Iterable[Match]) -> str:
    """The matches column: JSON, the same text for the same matches (re-scoring compares it to skip writes)."""
    return json.dumps([m.to_dict() for m in matches], ensure_ascii=False)


def decode_matches(row: sqlite3.Row) -> list[Match]:
    try:
        return [Match(**m) for m in json.loads(row["matches"] or "[]")]
    except (ValueError, TypeError):
        log.warning("article %s has unreadable matches; showing none", row["id"])
        return []


def feed_from_row(row: sqlite3.Row, folder: tuple[str, ...] = ()) -> Feed:
    """A feed from its row; `folder` is its folder's path (the row only has the folder's id)."""
    return from_row(Feed, row, folder=folder)


def article_from_row(row: sqlite3.Row) -> Article:
    return from_row(Article, row, matches=decode_matches(row))


def article_row_from_row(row: sqlite3.Row) -> ArticleRow:
    return from_row(ArticleRow, row)
