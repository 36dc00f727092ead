"""The poll's grouping into stories switched off for a bench's "without stories" runs: the grouping stage neither
groups nor reads the landed feeds' articles for a grouping thread (polling/grouping_stage.py)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from monitor.core.polling import grouping_stage


@contextlib.contextmanager
def grouping_off(off: bool = True) -> Iterator[None]:
    """While inside, polls store their articles without grouping them (when `off`)."""
    if not off:
        yield
        return
    group, landed = grouping_stage._group, grouping_stage.landed_articles
    grouping_stage._group = lambda store, grouper, **named: None  # type: ignore[assignment]
    grouping_stage.landed_articles = lambda store, new_counts: []  # type: ignore[assignment]
    try:
        yield
    finally:
        grouping_stage._group, grouping_stage.landed_articles = group, landed  # type: ignore[assignment]
