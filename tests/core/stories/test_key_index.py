"""A Grouper's keys kept in memory (core/stories/key_index.py) answer what the story index's SQL answers: after
reads of some days, after the articles it grouped were added, for days read before and days never read, and with
keys too common in a range left out. Real articles in a real store, on both engines."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.core.models import ParsedItem
from monitor.core.service import VigieCore
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
    placed = []
    for name, keys in (("memory", None), ("sql", _SqlKeys)):
        if database:
            empty_database(database)
        core = VigieCore(AppPaths.resolve(tmp_path / name), database=database)
        try:
            _store_articles(core, 80)
            grouper = Grouper(core.store)
            if keys is not None:
                grouper.keys = keys(core.store)  # type: ignore[assignment]
            while group_new_articles(core.store, limit=10, grouper=grouper, rows_lag=200).grouped:
                pass
            if keys is None:
                assert grouper.keys.reads > 0
            rows = core.store.conn.execute("SELECT id, story, thread FROM articles ORDER BY id")
            placed.append([tuple(r) for r in rows])
        finally:
            core.close()
    assert len({story for _, story, _ in placed[0]}) < len(placed[0])  # some articles share a story
    assert placed[0] == placed[1]


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
