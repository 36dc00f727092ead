"""A poll's new articles grouped into stories several feeds at a time, each feed placed as if grouped alone.

A first poll of 500 feeds of 40 items grouped each feed's articles in a write transaction of its own as it
landed: 500 COMMITs, each writing the pages its 40 articles' keys dirtied to the WAL, were a fifth of grouping's
CPU in the poll's process (docs/BENCHMARKS.md, section 34). Here the feeds that landed wait until they brought
some hundreds of new articles, then are grouped in one transaction (BATCH articles at most, so the window's
writes never wait long), feed after feed, in the order they landed: each feed's articles are placed in exactly
the order a grouping right after it would have placed them (its newest BATCH first, each batch earliest first),
so every story and thread is the one the feed-by-feed grouping gave. Nothing a placing reads depends on where
a transaction ends: the keys are written at once and the batch's pending counts are read with the stored ones.
"""

from __future__ import annotations

from collections.abc import Sequence

from monitor.core.storage.store import Store
from monitor.core.storage.story_index import UngroupedArticle
from monitor.core.stories.grouping import BATCH, Grouper, GroupingResult, place_batch


def feeds_in_order(
    articles: Sequence[UngroupedArticle], new_counts: Sequence[int]
) -> list[list[UngroupedArticle]]:
    """The batches to place, in order: `articles` (the newest sum(new_counts) without a story) shared out among
    feeds that stored `new_counts` new articles one after the other (ids grow with each feed, so the last feed
    has the newest), each feed's cut into BATCH from its newest, each batch earliest first (`group_new_articles`
    on that feed alone)."""
    by_id = sorted(articles, key=lambda a: a.id)
    segments: list[list[UngroupedArticle]] = []
    end = len(by_id)
    for count in reversed(new_counts):
        start = max(0, end - count)
        segments.append(by_id[start:end])
        end = start
    if end:  # more than the feeds said they stored (not expected): grouped first, as the oldest
        segments.append(by_id[:end])
    batches: list[list[UngroupedArticle]] = []
    for segment in reversed(segments):
        for stop in range(len(segment), 0, -BATCH):
            batches.append(sorted(segment[max(0, stop - BATCH) : stop], key=lambda a: (a.at, a.id)))
    return batches


def landed_articles(store: Store, new_counts: Sequence[int]) -> list[UngroupedArticle]:
    """The new articles of feeds that just landed (`new_counts`, how many each stored): the newest ungrouped ones.
    Read on the thread that stores the feeds, right after them, so no later feed's articles come in."""
    total = sum(new_counts)
    return store.ungrouped(total) if total else []


def group_feeds(
    store: Store,
    grouper: Grouper,
    new_counts: Sequence[int],
    articles: Sequence[UngroupedArticle],
    *,
    rows_lag: int,
) -> GroupingResult:
    """Group the new articles of feeds that landed one after the other (`new_counts`, how many each stored, in
    order; `articles`, their `landed_articles`), in write transactions of up to BATCH articles (a feed's BATCH
    never split). The stories' list rows wait as `group_new_articles(rows_lag=...)` lets them (the poll's last
    grouping leaves none stale)."""
    result = GroupingResult()
    batches = feeds_in_order(articles, new_counts) if articles else []
    placed = 0  # in the open transaction
    for batch in batches:
        if placed and placed + len(batch) > BATCH:
            _commit(store, grouper, placed, rows_lag)
            placed = 0
        grouper.prepare(batch)  # as group_new_articles does: the batch's features and key rows read at once
        if not placed:
            store.begin_grouping()
        place_batch(store, grouper, batch, result)
        placed += len(batch)
    if placed:
        _commit(store, grouper, placed, rows_lag)
    return result


def _commit(store: Store, grouper: Grouper, placed: int, rows_lag: int) -> None:
    grouper.rows_behind += placed
    refresh = grouper.rows_behind > rows_lag
    store.end_grouping(refresh_rows=refresh)
    if refresh:
        grouper.rows_behind = 0
