"""A muted feed is polled, stored and scored like any other, but raises no alert and no notification."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.core.models import ArticleQuery
from monitor.core.polling.alerts import AlertPolicy
from monitor.core.service import VigieCore
from monitor.paths import AppPaths
from tests.conftest import ServedFeed, serve_feed

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>{name}</title><link>http://example.org/</link>
<item><guid>{name}-1</guid><title>Le PNACO saisi du dossier {name}</title><link>http://example.org/{name}</link>
<description>Le parquet national anticriminalité organisée (PNACO) enquête.</description>
<pubDate>Thu, 13 Nov 2025 17:40:00 GMT</pubDate></item>
</channel></rss>"""


@pytest.fixture
def core(tmp_path: Path) -> Iterator[VigieCore]:
    vigie = VigieCore(AppPaths(tmp_path / "profile"))
    yield vigie
    vigie.close()


def test_a_muted_feed_is_stored_and_scored_but_never_alerts(core: VigieCore, httpserver) -> None:
    loud_url = serve_feed(httpserver, "/loud.xml", ServedFeed(RSS.format(name="loud").encode()))
    quiet_url = serve_feed(httpserver, "/quiet.xml", ServedFeed(RSS.format(name="quiet").encode()))
    loud, _ = core.add_feed(loud_url, "Loud", folder=("News",))
    quiet, _ = core.add_feed(quiet_url, "Quiet", folder=("News",))
    core.set_muted([f.id for f in core.feeds_in_folder(("News",)) if f.id == quiet.id], True)

    result = core.poll()
    assert result.failed == 0
    stored = {a.feed_id: a for a in core.store.articles(ArticleQuery()) if a.feed_id in (loud.id, quiet.id)}
    assert set(stored) == {loud.id, quiet.id}  # polled and stored
    assert stored[quiet.id].highlighted and stored[quiet.id].score == stored[loud.id].score > 0  # scored
    assert not stored[quiet.id].alert
    assert stored[loud.id].alert
    assert result.alert_ids == [stored[loud.id].id]

    note = AlertPolicy(core.store, core.settings).notification_for(result)
    assert note is not None and note.article_ids == [stored[loud.id].id]


def test_muting_withdraws_the_alerts_a_feed_already_raised(core: VigieCore, httpserver) -> None:
    url = serve_feed(httpserver, "/feed.xml", ServedFeed(RSS.format(name="late").encode()))
    feed, _ = core.add_feed(url, "Late")
    result = core.poll()
    assert len(result.alert_ids) == 1
    assert core.set_muted([feed.id], True) == 1
    assert core.store.alert_ids(result.poll_id) == []
    assert AlertPolicy(core.store, core.settings).notification_for(result) is None


def test_the_alert_policy_skips_a_feed_muted_after_its_items_were_flagged(
    core: VigieCore, httpserver
) -> None:
    """The policy's own check: a feed muted behind the store's back (another process, an older Vigie) still
    gives no notification for the items it flagged before."""
    loud_url = serve_feed(httpserver, "/loud.xml", ServedFeed(RSS.format(name="loud").encode()))
    quiet_url = serve_feed(httpserver, "/quiet.xml", ServedFeed(RSS.format(name="quiet").encode()))
    core.add_feed(loud_url, "Loud")
    quiet, _ = core.add_feed(quiet_url, "Quiet")
    result = core.poll()
    assert len(result.alert_ids) == 2
    core.store.conn.execute("UPDATE feeds SET muted = 1 WHERE id = ?", (quiet.id,))  # flags left as they are
    note = AlertPolicy(core.store, core.settings).notification_for(result)
    assert note is not None and len(note.article_ids) == 1
    assert core.store.article(note.article_ids[0]).feed_id != quiet.id  # type: ignore[union-attr]
