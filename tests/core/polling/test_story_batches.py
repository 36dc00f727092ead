"""A poll groups the feeds that landed several at a time (polling/story_batches.py): fewer write transactions,
and every story and thread the one that grouping each feed alone, as it landed, gave. On both engines: on
PostgreSQL the grouping runs on a thread of its own (polling/grouping_stage.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.core.matching.matcher import Matcher
from monitor.core.matching.watchlist import load_default_watchlist
from monitor.core.models import SEED_SOURCE, ArticleQuery
from monitor.core.polling import grouping_stage, poller
from monitor.core.polling.story_batches import feeds_in_order
from monitor.core.storage.store import Store
from monitor.core.storage.story_index import UngroupedArticle
from monitor.core.stories.grouping import BATCH
from monitor.core.web.fetch import Fetcher, FetchSettings
from tests.conftest import ServedFeed, serve_feed
from tests.core.stories import reports as r
from tests.pg_server import empty_database

# In the order they land (one fetch at a time, in order of URL): the first feed brings the story's later reports,
# the next its first one, so grouping in order of time across feeds instead of feed by feed would name the story
# otherwise.
FEEDS = {
    "a-late": [r.UPDATE, r.ARRESTS],
    "b-wire": [r.ORIGINAL, r.TRANSLATION],
    "c-gazette": [r.COLUMN_ONE, r.COLUMN_TWO],
    "d-daily": [r.REPRINT, r.REWRITE],
    "e-radio": [r.WEEK_LATER, r.SAME_PROSECUTOR],
}


def _article(article_id: int, at: float) -> UngroupedArticle:
    return UngroupedArticle(article_id, "", "", "", None, at, frozenset())


def test_each_feed_is_placed_in_the_order_grouping_it_alone_placed_it() -> None:
    # Three feeds stored 3, 2 and BATCH + 200 new articles, one after the other (ids grow); times run backwards.
    counts = [3, 2, BATCH + 200]
    articles = [_article(i, 10_000.0 - i) for i in range(1, sum(counts) + 1)]
    batches = feeds_in_order(list(reversed(articles)), counts)
    assert [[a.id for a in b] for b in batches[:2]] == [[3, 2, 1], [5, 4]]
    # The large feed: its newest BATCH first, then the rest, each batch earliest first (group_new_articles).
    assert [a.id for a in batches[2]] == list(range(sum(counts), 205, -1))
    assert [a.id for a in batches[3]] == list(range(205, 5, -1))
    assert len(batches) == 4


def _poll(  # type: ignore[no-untyped-def]
    folder: Path, database: str | None, httpserver, group_at: int, monkeypatch: pytest.MonkeyPatch
) -> tuple[dict, int]:
    """Poll FEEDS in a fresh store (`database`, emptied first, or a new SQLite file in `folder`), the feeds
    grouped once they brought `group_at` new articles; returns each report's (story, thread) as report keys, and
    how many grouping transactions were opened."""
    monkeypatch.setattr(grouping_stage, "GROUP_FEEDS_AT", group_at)
    transactions = 0
    begin = Store.begin_grouping

    def counted(store: Store) -> None:
        nonlocal transactions
        transactions += 1
        begin(store)

    monkeypatch.setattr(Store, "begin_grouping", counted)
    if database:
        empty_database(database)
    store = Store.open(folder / "vigie.sqlite3", database=database)
    try:
        for name, items in FEEDS.items():
            path = f"/{name}.xml"
            store.add_feed(
                serve_feed(httpserver, path, ServedFeed(r.rss(items, f"https://{name}.example.org")))
            )
        # One fetch at a time, parsed in this process: the feeds land in the order of FEEDS.
        with Fetcher(FetchSettings(per_host_delay=0, max_concurrency=1)) as fetcher:
            result = poller.poll_once(store.list_feeds(), store, fetcher, Matcher(load_default_watchlist()))
        assert result.new == sum(map(len, FEEDS.values()))
        articles = [a for a in store.articles(ArticleQuery()) if a.source != SEED_SOURCE]
        key = {a.id: (a.link or "").rsplit("/", 1)[1] for a in articles}
        return {key[a.id]: (key[a.story or 0], key[a.thread or 0]) for a in articles}, transactions
    finally:
        store.close()
        monkeypatch.setattr(Store, "begin_grouping", begin)


def test_feeds_grouped_together_get_the_stories_of_feeds_grouped_alone(
    tmp_path: Path, database: str | None, httpserver, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "alone").mkdir()
    (tmp_path / "together").mkdir()
    alone, alone_transactions = _poll(tmp_path / "alone", database, httpserver, 1, monkeypatch)
    together, together_transactions = _poll(tmp_path / "together", database, httpserver, 4, monkeypatch)
    assert together == alone
    # The story is named after the report grouped first: the first feed's, though the second (grouped in the same
    # transaction) has an earlier one.
    assert alone["original"][0] == alone["update"][0] == "update"
    assert alone["week-later"][0] != "update"
    # Alone: one transaction a feed; together: one for the first two feeds, one for the next two, one for the last.
    assert alone_transactions == 5
    assert together_transactions == 3
