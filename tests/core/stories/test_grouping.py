"""Stories as items arrive: each kind of report joins its event, each hard negative stays apart, threads link
developments, and polling the same items again changes nothing. Real feeds on 127.0.0.1, a real store, on both
engines (SQLite and the session's PostgreSQL: tests/pg_server.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.core.models import SEED_SOURCE, ArticleQuery, Assessment, ParsedItem
from monitor.core.service import VigieCore
from monitor.core.stories.grouping import group_new_articles
from monitor.paths import AppPaths
from tests.conftest import ServedFeed, serve_feed
from tests.core.stories import reports as r


@pytest.fixture
def core(data_dir: Path, database: str | None):  # type: ignore[no-untyped-def]
    vigie = VigieCore(AppPaths.resolve(data_dir), database=database)
    yield vigie
    vigie.close()


def _poll(core: VigieCore, httpserver, feeds: dict[str, list[r.Report]]) -> dict[str, tuple[int, int]]:  # type: ignore[no-untyped-def]
    """Serve each feed, subscribe, poll once; returns report key -> (story, thread)."""
    for name, items in feeds.items():
        url = serve_feed(httpserver, f"/{name}.xml", ServedFeed(r.rss(items, f"https://{name}.example.org")))
        core.add_feed(url)
    core.poll()
    return _placed(core)


def _placed(core: VigieCore) -> dict[str, tuple[int, int]]:
    placed = {}
    for article in core.store.articles(ArticleQuery()):
        if article.source != SEED_SOURCE:
            assert article.story is not None and article.thread is not None, article.title
            placed[(article.link or "").rsplit("/", 1)[1]] = (article.story, article.thread)
    return placed


def test_a_reprint_a_rewrite_a_translation_and_an_update_join_the_first_report(core, httpserver) -> None:  # type: ignore[no-untyped-def]
    placed = _poll(core, httpserver, {"wire": [r.ORIGINAL, r.TRANSLATION], "daily": [r.REPRINT, r.UPDATE],
                                      "radio": [r.REWRITE]})  # fmt: skip
    stories = {key: placed[key][0] for key, *_ in r.EVENT}
    assert len(set(stories.values())) == 1, stories
    ids = {row[0] for row in core.store.conn.execute("SELECT id FROM articles WHERE source <> 'seed'")}
    assert stories["original"] in ids  # a story is named after the report that started it


@pytest.mark.parametrize("negative", [r.WEEK_LATER, r.SAME_PROSECUTOR], ids=["week-later", "same-people"])
def test_hard_negatives_start_their_own_story(core, httpserver, negative: r.Report) -> None:  # type: ignore[no-untyped-def]
    placed = _poll(core, httpserver, {"wire": [*r.EVENT, negative]})
    assert placed[negative[0]][0] != placed["original"][0]
    assert placed[negative[0]][1] != placed["original"][1]  # nor the same case


def test_a_weekly_column_with_the_same_headline_is_a_story_each_week(core, httpserver) -> None:  # type: ignore[no-untyped-def]
    placed = _poll(core, httpserver, {"gazette": [r.COLUMN_ONE, r.COLUMN_TWO], "wire": r.EVENT})
    assert placed["column-one"][0] != placed["column-two"][0]
    assert placed["column-two"][0] != placed["original"][0]


def test_a_development_weeks_later_is_a_new_story_in_the_same_thread(core, httpserver) -> None:  # type: ignore[no-untyped-def]
    placed = _poll(core, httpserver, {"wire": [*r.EVENT, r.ARRESTS]})
    assert placed["arrests"][0] != placed["original"][0]
    assert placed["arrests"][1] == placed["original"][1] == placed["original"][0]


def test_polling_the_same_items_again_changes_no_story(core, httpserver) -> None:  # type: ignore[no-untyped-def]
    feeds = {"wire": [*r.EVENT, r.WEEK_LATER, r.ARRESTS], "gazette": [r.COLUMN_ONE, r.COLUMN_TWO]}
    first = _poll(core, httpserver, feeds)
    keys_before = core.store.conn.execute("SELECT count(*) FROM story_keys").fetchone()[0]
    core.store.conn.execute(
        "UPDATE feeds SET etag = NULL, last_modified = NULL"
    )  # a full re-fetch, not a 304
    core.poll()
    assert _placed(core) == first
    assert core.store.conn.execute("SELECT count(*) FROM story_keys").fetchone()[0] == keys_before


def test_an_article_two_groupings_placed_keeps_one_set_of_keys(core, httpserver) -> None:  # type: ignore[no-untyped-def]
    """Two groupings that both read an article without a story (a client's seeds beside the service's poll) both
    write its keys: the second replaces the first's rather than failing on the duplicate rows (PostgreSQL inserts
    them without a check first, schema 28's story_keys and story_index's savepoint)."""
    _poll(core, httpserver, {"wire": [*r.EVENT]})
    conn = core.store.conn
    rows = "SELECT key, day, article_id FROM story_keys ORDER BY key, day, article_id"
    first = [tuple(row) for row in conn.execute(rows)]
    assert first
    # As if the second grouping had read them before the first committed.
    conn.execute("UPDATE articles SET story = NULL, thread = NULL WHERE source <> 'seed'")
    assert group_new_articles(core.store).grouped == len(r.EVENT)
    assert [tuple(row) for row in conn.execute(rows)] == first
    assert all(story is not None for story, _ in _placed(core).values())


def test_an_articles_look_up_keys_go_with_it(core, httpserver) -> None:  # type: ignore[no-untyped-def]
    """Removing a feed removes its articles and their story keys (PostgreSQL's by a trigger since schema 28, where
    story_keys has no foreign key), and leaves the other feed's keys."""
    _poll(core, httpserver, {"wire": [*r.EVENT], "gazette": [r.COLUMN_ONE, r.COLUMN_TWO]})
    conn = core.store.conn
    feeds = dict(conn.execute("SELECT url, id FROM feeds").fetchall())
    gazette = next(i for url, i in feeds.items() if url.endswith("/gazette.xml"))

    def keys(feed: int) -> int:
        return int(
            conn.execute(
                "SELECT count(*) FROM story_keys k JOIN articles a ON a.id = k.article_id WHERE a.feed_id = ?",
                (feed,),
            ).fetchone()[0]
        )

    kept = {feed: keys(feed) for feed in feeds.values() if feed != gazette}
    ids = [row[0] for row in conn.execute("SELECT id FROM articles WHERE feed_id = ?", (gazette,))]
    assert keys(gazette) > 0 and all(kept.values())
    core.store.remove_feed(gazette)
    marks = ",".join("?" * len(ids))
    assert (
        conn.execute(f"SELECT count(*) FROM story_keys WHERE article_id IN ({marks})", ids).fetchone()[0] == 0
    )
    assert {feed: keys(feed) for feed in kept} == kept


def test_seeds_have_stories_too(core) -> None:  # type: ignore[no-untyped-def]
    ungrouped = core.store.conn.execute(
        "SELECT count(*) FROM articles WHERE source = ? AND story IS NULL", (SEED_SOURCE,)
    ).fetchone()[0]
    assert core.store.count_all() > 0 and ungrouped == 0


def test_a_store_from_before_stories_is_grouped_newest_first_in_steps(core) -> None:  # type: ignore[no-untyped-def]
    from monitor.core.models import ParsedItem
    from monitor.core.stories.grouping import group_new_articles

    items = [
        ParsedItem(guid=key, link=f"https://old.example.org/{key}", title=title, summary=text, content="",
                   content_html="", published=published)
        for key, _, published, title, text in [r.ORIGINAL, r.REPRINT, r.WEEK_LATER]
    ]  # fmt: skip
    pending = core.store.prepare("https://old.example.org/rss", items)
    core.store.save_items(
        source="https://old.example.org/rss", feed_id=None, items=[(p, core.matcher.assess(p.item.title))
        for p in pending], fetched_at="2026-03-01T00:00:00+00:00", poll_id=1,
    )  # fmt: skip
    ungrouped = "SELECT id FROM articles WHERE story IS NULL ORDER BY id"
    ids = [row[0] for row in core.store.conn.execute(ungrouped)]
    assert len(ids) == 3
    assert group_new_articles(core.store, limit=2).grouped == 2
    assert [row[0] for row in core.store.conn.execute(ungrouped)] == ids[:1]  # the oldest waits
    group_new_articles(core.store)
    assert _placed(core)["original"][0] == _placed(core)["reprint"][0] != _placed(core)["week-later"][0]


def test_a_start_after_a_watchlist_change_leaves_the_backlog_to_the_polls(
    data_dir: Path, database: str | None
) -> None:
    # Start-up reloads the seeds when the watchlist changed; it used to group every article without a story
    # there, before the window showed (minutes on a large store that predates stories).
    core = VigieCore(AppPaths.resolve(data_dir), database=database)
    feed, _ = core.store.add_feed("https://backlog.example/rss")
    items = [
        ParsedItem(
            guid=f"b{n}",
            link=f"https://backlog.example/{n}",
            title=f"Backlog report {n}",
            summary="A report.",
            content="",
            content_html="",
            published="2025-11-20T10:00:00+00:00",
        )
        for n in range(30)
    ]
    pending = core.store.prepare(feed.url, items)
    core.store.save_items(
        source=feed.url,
        feed_id=feed.id,
        items=[(p, Assessment()) for p in pending],
        fetched_at="2025-11-20T12:00:00+00:00",
        poll_id=1,
    )
    assert len(core.store.ungrouped(100)) == 30
    core.store.set_meta("watchlist_version", "the list before a change")
    core.close()
    again = VigieCore(AppPaths.resolve(data_dir), rescore_at_start=False, database=database)
    try:
        assert again.rescore_pending
        assert len(again.store.ungrouped(100)) == 30  # the polls group them, GROUP_PER_POLL at a time
    finally:
        again.close()


def test_story_rows_left_to_a_later_call_are_the_rows_of_a_full_refresh(core) -> None:  # type: ignore[no-untyped-def]
    """A poll's feeds group with rows_lag (the rows a re-poll marked stale wait; those of the batch's stories are
    updated at once); its last call leaves none stale, and the rows are those a refresh from every report
    writes."""
    from monitor.core.storage.db import transaction
    from monitor.core.storage.story_rows import refresh_story_rows
    from monitor.core.stories.grouping import Grouper, group_new_articles

    items = [
        ParsedItem(guid=key, link=f"https://old.example.org/{key}", title=title, summary=text, content="",
                   content_html="", published=published)
        for key, _, published, title, text in [r.ORIGINAL, r.REPRINT, r.WEEK_LATER]
    ]  # fmt: skip
    pending = core.store.prepare("https://old.example.org/rss", items)
    core.store.save_items(
        source="https://old.example.org/rss", feed_id=None, items=[(p, core.matcher.assess(p.item.title))
        for p in pending], fetched_at="2026-03-01T00:00:00+00:00", poll_id=1,
    )  # fmt: skip
    conn = core.store.conn
    grouper = Grouper(core.store)
    seed = conn.execute("SELECT story FROM articles WHERE story IS NOT NULL LIMIT 1").fetchone()[0]
    with transaction(conn):  # what a re-poll's moved report does
        conn.execute("INSERT INTO stories_stale(story) VALUES (?)", (seed,))
    assert group_new_articles(core.store, limit=2, grouper=grouper, rows_lag=200).grouped == 2
    stale = {row[0] for row in conn.execute("SELECT story FROM stories_stale")}
    new = "SELECT story FROM articles WHERE story IS NOT NULL AND link LIKE 'https://old.example.org/%'"
    grouped = {row[0] for row in conn.execute(new)}
    assert grouped and stale == {seed}
    assert {row[0] for row in conn.execute("SELECT id FROM stories WHERE reports > 0")} >= grouped
    assert group_new_articles(core.store, grouper=grouper).grouped == 1
    assert conn.execute("SELECT count(*) FROM stories_stale").fetchone()[0] == 0
    rows = "SELECT * FROM stories ORDER BY id"
    kept = [tuple(row) for row in conn.execute(rows)]
    refresh_story_rows(conn, [row[0] for row in conn.execute("SELECT id FROM stories")])
    assert kept == [tuple(row) for row in conn.execute(rows)]
    reports = dict(
        conn.execute("SELECT story, count(*) FROM articles WHERE story IS NOT NULL GROUP BY story")
    )
    assert {
        row[0]: row[1] for row in conn.execute("SELECT id, reports FROM stories WHERE reports > 0")
    } == reports
