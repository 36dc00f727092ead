"""`Article` is built on the parsed item's fields, declared once; a stored article keeps each of them."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from monitor.core.models import Article, ArticleQuery, Assessment, ItemText, ParsedItem
from monitor.core.storage.store import Store


def _names(cls: type) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


def test_the_item_fields_are_declared_once() -> None:
    shared = _names(ItemText)
    assert shared <= _names(ParsedItem) and shared <= _names(Article)
    for cls in (ParsedItem, Article):
        own = set(vars(cls).get("__annotations__", {}))
        assert not own & shared, f"{cls.__name__} declares {own & shared} again"


def test_a_stored_article_keeps_every_item_field(tmp_path: Path) -> None:
    item = ParsedItem(
        guid="g1",
        link="https://example.org/1",
        title="Titre",
        summary="Résumé.",
        content="Texte.",
        content_html="<p>Texte.</p>",
        published="2025-11-13T18:00:00+00:00",
        published_estimated=True,
        lang="fr",
        author="A. Auteur",
    )
    store = Store.open(tmp_path / "vigie.sqlite3")
    try:
        pending = store.prepare("https://example.org/feed.xml", [item])
        store.save_items(
            source="https://example.org/feed.xml",
            feed_id=None,
            items=[(pending[0], Assessment())],
            fetched_at="2025-11-13T18:05:00+00:00",
            poll_id=1,
        )
        (row,) = store.rows(ArticleQuery(), 0, 10)
        article = store.article(row.id)
    finally:
        store.close()
    assert article is not None
    for name in _names(ItemText):
        assert getattr(article, name) == getattr(item, name), name
    assert article.field_text("summary") == "Résumé."
