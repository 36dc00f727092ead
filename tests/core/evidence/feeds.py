"""Feeds for the evidence tests, built in code: RSS documents with numbered items."""

from __future__ import annotations

from xml.sax.saxutils import escape


def rss(
    name: str, count: int, *, words: str = "Marseille : règlement de comptes sur fond de trafic de drogue"
) -> bytes:
    """An RSS 2.0 document of `count` items, each with its own guid, link, date and text."""
    items = "\n".join(
        f"<item><guid>{name}-{i}</guid><link>https://{name}.example/{i}</link>"
        f"<title>{escape(words)} ({name} {i})</title>"
        f"<description>{escape(words)}. Article {i} de {name}, avec Amine Kessaci.</description>"
        f"<pubDate>Thu, {10 + i % 18:02d} Nov 2025 08:{i % 60:02d}:00 +0000</pubDate></item>"
        for i in range(count)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{name}</title>'
        f"<link>https://{name}.example/</link><description>{name}</description>{items}</channel></rss>"
    ).encode()
