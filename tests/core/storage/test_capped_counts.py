"""A search's count stops at a cap on both engines (issue 19: counting every hit of a broad word takes seconds at
1,000,000 articles on PostgreSQL), and says so; a list without a search is counted exactly."""

from __future__ import annotations

from monitor.core.models import ArticleQuery, Assessment, ParsedItem
from monitor.core.storage.store import Store
from tests.core.storage.conftest import OpenStore


def _fill(store: Store, police: int, weather: int) -> None:
    titles = [f"La police enquête, épisode {n}" for n in range(police)]
    titles += [f"Orages sur la Provence, bulletin {n}" for n in range(weather)]
    items = [
        ParsedItem(guid=f"g{n}", link=None, title=t, summary="", content="", content_html="", published=None)
        for n, t in enumerate(titles)
    ]
    pending = store.prepare("corpus", items)
    store.save_items(
        source="corpus",
        feed_id=None,
        items=[(p, Assessment()) for p in pending],
        fetched_at="2025-11-14T00:00:00+00:00",
        poll_id=1,
    )


def test_a_search_with_more_hits_than_the_cap_stops_counting_at_the_cap(open_store: OpenStore) -> None:
    store = open_store()
    _fill(store, police=12, weather=3)
    for text in ("police", "enquête", "poli*", '"la police"', "police OR orages", "la -orages"):
        query = ArticleQuery(search=text)
        assert store.count(query) == 12 + 3 * (text == "police OR orages")  # the exact count stays
        assert store.count_capped(query, cap=5) == (5, True), text
        assert store.count_capped(query, cap=20) == (store.count(query), False), text
    # The cap itself is not "more than the cap": 12 hits under a cap of 12 are exact.
    assert store.count_capped(ArticleQuery(search="police"), cap=12) == (12, False)
    assert store.count_capped(ArticleQuery(search="police"), cap=11) == (11, True)


def test_a_search_with_another_condition_is_capped_too(open_store: OpenStore) -> None:
    store = open_store()
    _fill(store, police=8, weather=2)
    store.set_read([store.rows(ArticleQuery(search="police"), 0, 3)[0].id])
    unread = ArticleQuery(search="police", view="new")
    assert store.count(unread) == 7
    assert store.count_capped(unread, cap=4) == (4, True)
    assert store.count_capped(unread, cap=7) == (7, False)
    assert store.count_capped(ArticleQuery(search="orages", view="new"), cap=4) == (2, False)


def test_lists_without_a_search_are_counted_exactly(open_store: OpenStore) -> None:
    store = open_store()
    _fill(store, police=6, weather=4)
    for query in (ArticleQuery(), ArticleQuery(view="new"), ArticleQuery(search="   ")):
        assert store.count_capped(query, cap=2) == (10, False)
    assert store.count_capped(ArticleQuery(search="nothing-like-this"), cap=2) == (0, False)
