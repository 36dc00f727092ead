"""A Grouper's keys kept in memory (core/stories/key_index.py) answer what the story index's SQL answers: after
reads of some days, after the articles it grouped were added, for days read before and days never read, and with
keys too common in a range left out. Real articles in a real store, on both engines."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from monitor.core.models import ParsedItem
from monitor.core.service import VigieCore
from monitor.core.storage import db
from monitor.core.stories.grouping import Grouper, group_new_articles
from monitor.paths import AppPaths
from tests.pg_server import empty_database

NAMES = ["Durand", "Moreau", "Lefebvre", "Garnier", "Rousseau", "Fontaine", "Chevalier", "Mercier"]
PLACES = ["Lyon", "Marseille", "Grenoble", "Nantes"]


@pytest.fixture
def core(data_dir: Path, database: str | None):  # type: ignore[no-untyped-def]
    vigie = VigieCore(AppPaths.resolve(data_dir), database=database)
    yield vigie
    vigie.close()


def _store_articles(core: VigieCore, count: int) -> None:
    """`count` short reports over some twelve days, sharing names and places in overlapping sets."""
    items = []
    for n in range(count):
        name, other, place = NAMES[n % 8], NAMES[(n * 3) % 8], PLACES[n % 4]
        day = 1 + (n * 7) % 12
        items.append(
            ParsedItem(
                guid=f"item-{n}",
                link=f"https://news.example.org/{n}",
                title=f"{name} et {other} à {place} : l'affaire {n % 5}",
                summary=f"{name} a rencontré {other} le {day} mars à {place} pour parler de {n % 7} dossiers.",
                content="",
                content_html="",
                published=f"2026-03-{day:02d}T{n % 24:02d}:00:00+00:00",
            )
        )
    source = "https://news.example.org/rss"
    pending = core.store.prepare(source, items)
    core.store.save_items(
        source=source,
        feed_id=None,
        items=[(p, core.matcher.assess(p.item.title)) for p in pending],
        fetched_at="2026-03-20T00:00:00+00:00",
        poll_id=1,
    )


def _assert_same_answers(core: VigieCore, grouper: Grouper) -> None:
    conn = core.store.conn
    keys = sorted(r[0] for r in conn.execute("SELECT DISTINCT key FROM story_keys"))
    first, last = conn.execute("SELECT min(day), max(day) FROM story_keys").fetchone()
    assert len(keys) > 10
    for start in range(first - 3, last + 3, 3):
        for width in (0, 2, 30):
            for max_per_key in (2, 60):
                ranges = [(keys[::2], start, start + width), (keys[1::3], start - width, start)]
                from_memory = grouper.keys.articles_with_keys(ranges, max_per_key)
                from_sql = core.store.articles_with_keys(ranges, max_per_key)
                assert sorted(from_memory) == sorted(map(tuple, from_sql)), (start, width, max_per_key)


def test_the_keys_kept_in_memory_answer_as_the_store_does(core: VigieCore) -> None:
    _store_articles(core, 60)
    grouper = Grouper(core.store)
    # Half grouped: the grouper read the keys of those articles' days and added each article it wrote.
    assert group_new_articles(core.store, limit=30, grouper=grouper, rows_lag=200).grouped == 30
    assert len(grouper.keys) > 0
    _assert_same_answers(core, grouper)
    # The rest through the same grouper, and a fresh one that never read anything (every day read anew).
    assert group_new_articles(core.store, grouper=grouper).grouped > 0
    _assert_same_answers(core, grouper)
    _assert_same_answers(core, Grouper(core.store))


def test_grouping_with_the_keys_in_memory_places_articles_as_the_sql_look_up_does(
    tmp_path: Path, database: str | None
) -> None:
    """The same stories and threads whether a grouper's candidates come from memory or from the store (two
    profiles of the same articles, grouped ten at a time through one grouper each; on PostgreSQL the database
    emptied between the two). The store's look-ups also read the keys a batch has not written yet (they are
    written with the batch, or just before a look-up that would find them)."""
    placed = {}
    # One grouper for all (it reads nothing: no day had grouped articles when it first looked), and a grouper a
    # call (each reads the days the ones before grouped on); each as the store's look-ups place them.
    for per_call in (False, True):
        for sql in (False, True):
            if database:
                empty_database(database)
            core = VigieCore(AppPaths.resolve(tmp_path / f"{per_call}-{sql}"), database=database)
            try:
                _store_articles(core, 80)
                grouper, reads = _grouper(core, sql), 0
                while group_new_articles(core.store, limit=10, grouper=grouper, rows_lag=200).grouped:
                    if per_call:
                        reads += 0 if sql else grouper.keys.reads
                        grouper = _grouper(core, sql)
                assert reads > 0 or not per_call or sql
                rows = core.store.conn.execute("SELECT id, story, thread FROM articles ORDER BY id")
                placed[per_call, sql] = [tuple(r) for r in rows]
            finally:
                core.close()
    assert len({story for _, story, _ in placed[False, False]}) < 80  # some articles share a story
    assert placed[False, False] == placed[False, True]
    assert placed[True, False] == placed[True, True]


def _grouper(core: VigieCore, sql: bool) -> Grouper:
    grouper = Grouper(core.store)
    if sql:
        grouper.keys = _SqlKeys(core.store)  # type: ignore[assignment]
    return grouper


def test_a_key_no_article_has_is_not_read_and_what_comes_later_is_kept(core: VigieCore) -> None:
    """A key story_df counts no article for is kept over every day without a statement; the articles grouped
    afterwards with that key are found in memory, as SQL finds them."""
    _store_articles(core, 20)
    grouper = Grouper(core.store)
    group_new_articles(core.store, grouper=grouper)
    unseen = "n:quelquepartailleurs"
    reads = grouper.keys.reads
    assert grouper.keys.articles_with_keys([([unseen], 0, 10**6)], 60, lambda key: key == unseen) == []
    assert grouper.keys.reads == reads
    grouper.keys.add([(unseen, 20_500)], 7)
    assert grouper.keys.articles_with_keys([([unseen], 20_498, 20_502)], 60) == [(0, unseen, 7)]
    assert grouper.keys.reads == reads
    # A key articles have is read from the store, once for the days asked and a few either side.
    known = core.store.conn.execute("SELECT key, day FROM story_keys ORDER BY key LIMIT 1").fetchone()
    ranges = [([known[0]], known[1], known[1])]
    assert grouper.keys.articles_with_keys(ranges, 60) == [
        tuple(r) for r in core.store.articles_with_keys(ranges, 60)
    ]
    assert grouper.keys.reads <= reads + 1


def test_days_without_grouped_articles_are_not_read_but_what_the_grouper_wrote_there_is_found(
    core: VigieCore,
) -> None:
    """A key's rows are read only on days that had grouped articles (story_days); elsewhere the grouper's own rows
    are kept in memory, or, written on a day outside the key's kept days, read from the store after all."""
    _store_articles(core, 20)
    group_new_articles(core.store)
    days = {r[0] for r in core.store.conn.execute("SELECT day FROM story_keys")}
    assert days and days <= core.store.grouped_days(0, 10**6)  # every day the articles' keys are on
    keys = Grouper(core.store).keys
    band, far = "h:0123abcd", max(days) + 400  # a MinHash band key: no count says it is unknown
    assert keys.articles_with_keys([([band], far, far + 2)], 60) == []
    assert keys.reads == 0  # nothing grouped on those days: nothing asked
    keys.add([(band, far + 1)], 5)
    assert keys.articles_with_keys([([band], far, far + 2)], 60) == [(0, band, 5)]
    # On the articles' days a key is read.
    known = core.store.conn.execute("SELECT key, day FROM story_keys ORDER BY key LIMIT 1").fetchone()
    ranges = [([known[0]], known[1], known[1])]
    assert keys.articles_with_keys(ranges, 60) == [
        tuple(r) for r in core.store.articles_with_keys(ranges, 60)
    ]
    assert keys.reads == 1
    # A row written on a day outside the key's kept days is in the store only: that key is read from then on.
    other = "h:4567ef01"
    assert keys.articles_with_keys([([other], far, far)], 60) == []
    keys.add([(other, far + 40)], 6)
    core.store.conn.execute(
        "INSERT INTO story_keys(key, day, article_id) VALUES (?, ?, 6)", (other, far + 40)
    )
    assert keys.articles_with_keys([([other], far + 39, far + 41)], 60) == [(0, other, 6)]
    assert keys.reads == 2


def test_step_30_records_the_days_of_the_articles_grouped_before_it(
    data_dir: Path, database: str | None
) -> None:
    """A store grouped before schema 30 gets the days of its grouped articles on its next open (on PostgreSQL the
    session's database is taken back to schema 29 and brought forward again)."""
    core = VigieCore(AppPaths.resolve(data_dir), database=database)
    try:
        _store_articles(core, 20)
        group_new_articles(core.store)
        conn = core.store.conn
        days = {math.floor(r[0] / 24) for r in conn.execute("SELECT at FROM story_features")}
        if database:
            conn.execute("DROP TABLE story_days")
            conn.execute("DROP FUNCTION story_days_record() CASCADE")  # and its triggers
            conn.execute("DELETE FROM vigie_schema WHERE version = 30")
        else:
            with db.transaction(conn):
                for name in ("story_days_inserted", "story_days_updated"):
                    conn.execute(f"DROP TRIGGER {name}")
                conn.execute("DROP TABLE story_days")
                conn.execute("PRAGMA user_version = 29")
    finally:
        core.close()
    again = VigieCore(AppPaths.resolve(data_dir), database=database)
    try:
        assert len(days) > 5 and again.store.grouped_days(0, 10**6) == days
    finally:
        again.close()


class _SqlKeys:
    """A grouper's key index that asks the store every time (what grouping did before the index in memory)."""

    def __init__(self, store) -> None:  # type: ignore[no-untyped-def]
        self.store = store

    def hits(self, ranges, max_per_key, unknown=None):  # type: ignore[no-untyped-def]
        by_key: dict[tuple[int, str], list[int]] = {}
        for part, key, article_id in self.store.articles_with_keys(ranges, max_per_key):
            by_key.setdefault((part, key), []).append(article_id)
        for (part, key), ids in by_key.items():
            yield part, key, ids

    def read_ranges(self, ranges, unknown) -> None:  # type: ignore[no-untyped-def]
        pass

    def add(self, keys, article_id) -> None:  # type: ignore[no-untyped-def]
        pass

    def clear(self) -> None:
        pass
