"""Full text is matched like the rest (issue 18): a new item whose page's text, not its feed's, makes it
highlighted becomes an alert of the same poll; a muted feed's item or a page that fails does not alert. Pages
from a local server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.core.matching.watchlist import loads_watchlist
from monitor.core.models import ArticleQuery
from monitor.core.service import VigieCore
from monitor.paths import AppPaths
from tests.conftest import ServedFeed, serve_feed
from tests.core.evidence.test_full_text import feed_xml, serve_pages

# One entry, named only in the pages' text (tests/core/evidence/test_full_text.py: "Octave Brunier"), whose one
# mention highlights an article.
WATCHLIST = """
version = 1
[[entry]]
name = "Octave Brunier"
kind = "person"
weight = 6
aliases = ["Octave Brunier"]
"""


@pytest.fixture
def core(data_dir: Path, database: str | None) -> Iterator[VigieCore]:
    """On both engines (the `database` fixture of tests/core/evidence/conftest.py)."""
    vigie = VigieCore(AppPaths.resolve(data_dir), database=database)
    vigie.replace_watchlist(loads_watchlist(WATCHLIST))
    yield vigie
    vigie.close()


def _by_name(core: VigieCore, feed_id: int) -> dict[str, object]:
    return {
        (a.guid or "").rsplit("/", 1)[-1]: a
        for a in core.store.articles(ArticleQuery(view="feed", feed_id=feed_id))
    }


def test_a_page_that_highlights_a_new_item_alerts(core: VigieCore, httpserver) -> None:  # type: ignore[no-untyped-def]
    serve_pages(httpserver)
    base = httpserver.url_for("").rstrip("/")
    served = ServedFeed(feed_xml(base, ["forbidden"]))
    feed, _ = core.add_feed(serve_feed(httpserver, "/feed.xml", served), "Journal")
    muted, _ = core.add_feed(
        serve_feed(httpserver, "/muted.xml", ServedFeed(feed_xml(base, ["good"]))), "Muet"
    )
    core.set_full_text([feed.id, muted.id], True)
    core.set_muted([muted.id], True)
    first = core.poll()
    # The feed's own text names nobody: no alert from the 403 page, nor from the muted feed's good page.
    assert first.alert_ids == []
    quiet = _by_name(core, muted.id)["good"]
    assert quiet.highlighted and "Octave Brunier" in quiet.full_text and not quiet.alert  # type: ignore[attr-defined]

    served.body = feed_xml(base, ["forbidden", "good", "hostile"])
    second = core.poll()
    stored = _by_name(core, feed.id)
    good, hostile, forbidden = stored["good"], stored["hostile"], stored["forbidden"]
    for item in (good, hostile):
        assert item.highlighted and item.alert  # type: ignore[attr-defined]
        assert all(m.field == "content" for m in item.matches)  # type: ignore[attr-defined]  # the page's text
    assert sorted(second.alert_ids) == sorted([good.id, hostile.id])  # type: ignore[attr-defined]
    assert not forbidden.highlighted and not forbidden.alert  # type: ignore[attr-defined]

    # The next poll clears them, as every poll clears the last one's alerts; nothing alerts again.
    assert core.poll().alert_ids == []
