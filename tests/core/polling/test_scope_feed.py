"""Issue 15's check, end to end: a feed served on 127.0.0.1, polled by the real pipeline with the shipped
watchlist: cartel violence in Mexico is not highlighted, a narchomicide in Marseille is, and the reader's
explanation says why."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.core.models import ArticleQuery
from monitor.core.service import VigieCore
from monitor.paths import AppPaths
from tests.conftest import ServedFeed, serve_feed

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Wire</title><link>http://example.org/</link>
<item><guid>mx-1</guid><link>http://example.org/mx-1</link>
<title>Mexico: cartel gunmen kill eleven at a party in Culiacán</title>
<description>The attack in Sinaloa state is the latest in a war between drug trafficking factions; the
victims were shot dead as they left, prosecutors said.</description>
<pubDate>Thu, 13 Nov 2025 17:40:00 GMT</pubDate></item>
<item><guid>fr-1</guid><link>http://example.org/fr-1</link>
<title>Marseille : un narchomicide de plus dans le 13e arrondissement</title>
<description>Un homme de 22 ans a été tué par balles près d'un point de deal, a indiqué le parquet.</description>
<pubDate>Thu, 13 Nov 2025 18:10:00 GMT</pubDate></item>
</channel></rss>"""


@pytest.fixture
def core(tmp_path: Path) -> Iterator[VigieCore]:
    vigie = VigieCore(AppPaths(tmp_path / "profile"))
    yield vigie
    vigie.close()


def test_cartel_violence_in_mexico_is_not_highlighted_a_narchomicide_in_marseille_is(
    core: VigieCore, httpserver
) -> None:
    assert "France" in core.watchlist.scope  # the shipped list has a scope
    url = serve_feed(httpserver, "/wire.xml", ServedFeed(RSS.encode()))
    feed, _ = core.add_feed(url, "Wire")
    result = core.poll()
    assert result.failed == 0
    stored = {a.link: a for a in core.store.articles(ArticleQuery()) if a.feed_id == feed.id}
    mexico, marseille = stored["http://example.org/mx-1"], stored["http://example.org/fr-1"]
    assert not mexico.highlighted and mexico.score == 0
    assert marseille.highlighted and marseille.alert
    assert result.alert_ids == [marseille.id]

    shown = core.reader_article(mexico.id)
    assert shown is not None
    assert "out of scope: Mexico, Culiacán, Sinaloa" in shown.explanation  # the title's places first
    assert "not counted: drug trafficking" in shown.explanation


def test_worker_processes_judge_the_scope_alike(core: VigieCore, httpserver) -> None:
    from monitor.core.polling.rescore import rescore_store

    url = serve_feed(httpserver, "/wire.xml", ServedFeed(RSS.encode()))
    feed, _ = core.add_feed(url, "Wire")
    core.poll()
    before = {
        a.link: (a.score, a.highlighted) for a in core.store.articles(ArticleQuery()) if a.feed_id == feed.id
    }
    core.store.conn.execute("UPDATE articles SET score = -1, highlighted = 1")  # force every row to change
    core.store.conn.commit()
    assert rescore_store(core.store, core.matcher, workers=2) > 0  # two spawned processes, each its gazetteer
    after = {
        a.link: (a.score, a.highlighted) for a in core.store.articles(ArticleQuery()) if a.feed_id == feed.id
    }
    assert after == before
    assert not after["http://example.org/mx-1"][1] and after["http://example.org/fr-1"][1]
