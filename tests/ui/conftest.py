"""Fixtures for the window tests: a real profile in tmp, the window on an immediate task runner."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from monitor.core.models import Assessment, ParsedItem
from monitor.core.storage.store import Store
from monitor.core.support.clock import iso, utc_now
from monitor.paths import AppPaths

if TYPE_CHECKING:
    from monitor.core.service import VigieCore
    from monitor.ui.main_window import MainWindow


@pytest.fixture
def core(data_dir: Path) -> Iterator[VigieCore]:
    """A fresh profile: the seeds and the default watchlist, no feeds."""
    from monitor.core.service import VigieCore

    vigie = VigieCore(AppPaths(data_dir))
    yield vigie
    vigie.close()


@pytest.fixture
def opened_urls() -> list[str]:
    return []


@pytest.fixture
def window(qtbot, qapp, core: VigieCore, opened_urls: list[str]) -> MainWindow:  # type: ignore[no-untyped-def]
    """The main window over `core`, styled as in the app; background work runs at once; links go to a list."""
    from monitor.app import build_window, setup_application

    setup_application(qapp)
    from monitor.ui.bridge import ImmediateRunner

    win = build_window(
        core,
        ImmediateRunner(),
        open_url=lambda url: opened_urls.append(url.toString()),
        confirm=lambda _q: True,
    )
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def rss(items: list[dict[str, str]], title: str = "Test feed", link: str = "http://127.0.0.1/") -> bytes:
    """A small RSS 2.0 document; each item dict has title, link, description and optionally pubDate."""
    entries = "".join(
        "<item>"
        f"<title>{it['title']}</title><link>{it['link']}</link><guid>{it['link']}</guid>"
        f"<description><![CDATA[{it.get('description', '')}]]></description>"
        f"<pubDate>{it.get('pubDate', 'Thu, 13 Nov 2025 18:00:00 GMT')}</pubDate>"
        "</item>"
        for it in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>{link}</link><description>t</description>{entries}</channel></rss>"
    ).encode()


def store_items(
    store: Store,
    items: list[ParsedItem],
    *,
    source: str = "http://127.0.0.1/feed.xml",
    feed_id: int | None = None,
    assessments: list[Assessment] | None = None,
) -> None:
    """Put parsed items straight into the store (no HTTP, no matcher) with the given assessments."""
    pending = store.prepare(source, items)
    scored = assessments or [Assessment() for _ in pending]
    store.save_items(
        source=source,
        feed_id=feed_id,
        items=list(zip(pending, scored, strict=True)),
        fetched_at=iso(utc_now()),
        poll_id=1,
    )


def item(n: int, **overrides: object) -> ParsedItem:
    values: dict[str, object] = {
        "guid": f"guid-{n}",
        "link": f"https://example.org/{n}",
        "title": f"Article {n:04d}",
        "summary": f"Summary of article {n}.",
        "content": "",
        "content_html": "",
        "published": f"2025-11-{1 + n % 28:02d}T{n % 24:02d}:00:00+00:00",
    }
    values.update(overrides)
    return ParsedItem(**values)  # type: ignore[arg-type]
