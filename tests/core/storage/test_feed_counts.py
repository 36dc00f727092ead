"""The per-feed highlighted unread counts the sidebar sums per folder (one query, none per folder)."""

from __future__ import annotations

from monitor.core.models import ArticleQuery, Assessment, ParsedItem
from monitor.core.storage.feed_counts import highlighted_unread_by_feed
from monitor.core.storage.store import Store
from tests.core.storage.conftest import OpenStore


def _save(store: Store, feed_id: int, url: str, flags: list[bool]) -> None:
    items = [
        ParsedItem(
            guid=f"{url}#{n}",
            link=f"{url}/{n}",
            title=f"Item {n} of {url}",
            summary="s",
            content="",
            content_html="",
            published="2026-12-01T09:00:00+00:00",
        )
        for n in range(len(flags))
    ]
    pending = store.prepare(url, items)
    scored = [Assessment(score=5.0, highlighted=flag) for flag in flags]
    store.save_items(
        source=url,
        feed_id=feed_id,
        items=list(zip(pending, scored, strict=True)),
        fetched_at="2026-12-01T10:00:00+00:00",
        poll_id=1,
    )


def test_highlighted_unread_articles_are_counted_per_feed(open_store: OpenStore) -> None:
    store = open_store()
    a, _ = store.add_feed("https://a.example/rss", "A", 15)
    b, _ = store.add_feed("https://b.example/rss", "B", 15)
    _save(store, a.id, a.url, [True, True, False, True])
    _save(store, b.id, b.url, [False, False])
    _save(store, None, "seed", [True])  # type: ignore[arg-type]
    read = next(r.id for r in store.rows(ArticleQuery(view="feed", feed_id=a.id)) if r.highlighted)
    store.set_read([read], True)
    assert highlighted_unread_by_feed(store.conn) == {a.id: 2, None: 1}
