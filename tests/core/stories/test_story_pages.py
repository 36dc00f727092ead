"""The story rows of the list's story view (schema 17): they agree with the stories as `vigie stories list` makes
them from the reports, sort on each column, keep up with re-scores, re-polls and deletions, and filter by report
(a story shows when any of its reports matches), through both plans (few or many selected articles).
Real polls of feeds served on 127.0.0.1, a real store on each engine (SQLite, the session's PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.core.models import ArticleQuery, StoryQuery, StoryRow
from monitor.core.service import VigieCore
from monitor.core.storage import story_pages
from monitor.core.storage.db import transaction
from monitor.core.stories.grouping import group_new_articles
from monitor.core.stories.summaries import list_stories
from monitor.paths import AppPaths
from tests.conftest import ServedFeed, serve_feed
from tests.core.stories import reports as r

COLUMNS = ["title", "reports", "outlets", "languages", "score", "first_seen", "last_updated"]


@pytest.fixture
def core(data_dir: Path, httpserver, database: str | None):  # type: ignore[no-untyped-def]
    vigie = VigieCore(AppPaths.resolve(data_dir), database=database)
    feeds = {"wire": [r.ORIGINAL, r.TRANSLATION, r.WEEK_LATER], "daily": [r.REPRINT, r.UPDATE, r.COLUMN_ONE]}
    for name, items in feeds.items():
        vigie.add_feed(
            serve_feed(httpserver, f"/{name}.xml", ServedFeed(r.rss(items, f"https://{name}.org")))
        )
    vigie.poll()
    yield vigie
    vigie.close()


def every_row(core: VigieCore, query: StoryQuery) -> list[StoryRow]:
    rows = core.story_rows(query, 0, 10_000)
    assert core.story_count(query) == len(rows)
    return rows


def test_each_story_row_agrees_with_the_story_made_from_its_reports(core: VigieCore) -> None:
    stories = {s.story: s for s in list_stories(core.store)}  # seeds included: they have stories too
    rows = every_row(core, StoryQuery())
    assert {row.id for row in rows} == set(stories) and len(rows) > 3
    for row in rows:
        story = stories[row.id]
        assert (row.title, row.reports, row.outlets, row.languages, row.first_seen, row.last_updated) == (
            story.title, story.reports, story.outlets, ", ".join(story.languages), story.first_seen,
            story.last_updated,
        )  # fmt: skip
        assert (row.score, row.highlighted) == (story.score, story.highlighted)
    event = next(row for row in rows if row.title == r.ORIGINAL[3])
    assert (event.reports, event.outlets, event.languages) == (4, 2, "en, fr")


@pytest.mark.parametrize("column", COLUMNS)
@pytest.mark.parametrize("descending", [False, True])
def test_every_column_sorts_the_stories(core: VigieCore, column: str, descending: bool) -> None:
    rows = every_row(core, StoryQuery(sort=column, descending=descending))

    def key(row: StoryRow) -> tuple[object, int]:
        value = getattr(row, column)
        return (value.lower() if column == "title" else value), row.id

    assert rows == sorted(rows, key=key, reverse=descending)
    first_page = core.story_rows(StoryQuery(sort=column, descending=descending), 0, 3)
    second_page = core.story_rows(StoryQuery(sort=column, descending=descending), 3, 3)
    assert first_page + second_page == rows[:6]


@pytest.mark.parametrize("broad", [False, True], ids=["few articles", "many articles"])
def test_a_story_shows_when_any_report_matches_the_filters(
    core: VigieCore, broad: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if broad:  # the plan that walks the sort index and tests each story for a matching report
        monkeypatch.setattr(story_pages, "BROAD_SELECTION", 0)
    daily = next(f for f in core.store.list_feeds() if "daily" in f.url)
    by_feed = every_row(core, StoryQuery(ArticleQuery(view="feed", feed_id=daily.id), "title", False))
    titles = [row.title for row in by_feed]
    assert titles == sorted([r.ORIGINAL[3], r.COLUMN_ONE[3]], key=str.lower)  # the event's reprint and update
    assert (
        next(row for row in by_feed if row.title == r.ORIGINAL[3]).reports == 4
    )  # the whole story's figures
    searched = every_row(core, StoryQuery(ArticleQuery(search="passant blessé")))
    assert [row.title for row in searched] == [r.ORIGINAL[3]]  # only its update says so
    seeds = every_row(core, StoryQuery(ArticleQuery(view="seeds")))
    assert seeds and r.ORIGINAL[3] not in {row.title for row in seeds}
    assert every_row(core, StoryQuery(ArticleQuery(search="zzzunknownword"))) == []
    highlighted = {s.story for s in list_stories(core.store, highlighted_only=True)}
    assert highlighted and {
        row.id for row in every_row(core, StoryQuery(ArticleQuery(view="highlighted")))
    } == (highlighted)  # through the story rows' own highlight
    assert {
        row.id for row in every_row(core, StoryQuery(ArticleQuery(highlighted_only=True, unread_only=True)))
    } == (highlighted)  # through the articles (nothing is read yet)


def test_the_rows_follow_rescores_repolls_and_deletions(core: VigieCore) -> None:
    def event() -> StoryRow:
        return next(row for row in every_row(core, StoryQuery()) if row.first_seen == r.ORIGINAL[2])

    ids = core.store.story_report_rows(event().id)
    assert [a.title for a in ids] == [r.ORIGINAL[3], r.REPRINT[3], r.TRANSLATION[3], r.UPDATE[3]]
    conn = core.store.conn
    with transaction(conn):  # what a re-score writes
        conn.execute("UPDATE articles SET score = 42.5, highlighted = 1 WHERE id = ?", (ids[2].id,))
    assert (event().score, event().highlighted) == (42.5, True)
    with transaction(conn):  # a re-poll's new headline for the first report
        conn.execute("UPDATE articles SET title = 'Nouveau titre' WHERE id = ?", (ids[0].id,))
    assert event().title == "Nouveau titre"
    with transaction(conn):  # the translation's feed removed: its story loses a language at the next batch
        conn.execute("DELETE FROM articles WHERE id = ?", (ids[2].id,))
    assert event().reports == 3
    core.store.begin_grouping()
    core.store.end_grouping()
    assert (event().languages, event().score) == ("fr", max(a.score for a in ids if a.id != ids[2].id))
    with transaction(conn):
        conn.execute("DELETE FROM articles WHERE story = ?", (event().id,))
    assert r.ORIGINAL[3] not in {row.title for row in every_row(core, StoryQuery())}
    assert group_new_articles(core.store).grouped == 0
