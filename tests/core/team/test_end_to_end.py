"""End to end on the real server (issue 19): two clients read, judge and star at once while a poll writes the same
articles (changed items updated in place, new ones added); not one update is lost, and each analyst sees only
their own marks."""

from __future__ import annotations

import random
import threading
from pathlib import Path

from monitor.core.models import ArticleQuery
from monitor.core.service import VigieCore
from monitor.core.storage.store import Store
from monitor.paths import AppPaths
from tests.conftest import ServedFeed, serve_feed
from tests.pg_server import empty_database

FEEDS = 3
ITEMS = 20
ROUNDS = 4
OPS_PER_THREAD = 120
STATES = {"read": (0, 1), "starred": (0, 1), "judgement": ("relevant", "not-relevant", None)}


def rss(feed: int, round_: int) -> bytes:
    """A feed whose items say something new each round (updated in place), with two more items each round."""
    items = "".join(
        f"<item><title>Marseille: affaire {feed}-{n}</title><link>http://127.0.0.1/{feed}/{n}</link>"
        f"<guid>http://127.0.0.1/{feed}/{n}</guid><description>Mise à jour {round_} de l'affaire {n}: le "
        f"procureur de Marseille parle du narcotrafic.</description></item>"
        for n in range(ITEMS + 2 * round_)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed {feed}</title>'
        f"<link>http://127.0.0.1/</link><description>t</description>{items}</channel></rss>"
    ).encode()


def test_two_clients_mark_at_once_while_a_poll_writes_and_nothing_is_lost(
    tmp_path: Path, postgres_server: str, httpserver
) -> None:  # type: ignore[no-untyped-def]
    Store.open(tmp_path / "unused.sqlite3", database=postgres_server).close()
    url = empty_database(postgres_server)
    served = [ServedFeed(rss(f, 0)) for f in range(FEEDS)]
    poller = VigieCore(AppPaths(tmp_path / "service"), database=url, analyst="service")
    clients = {
        name: VigieCore(AppPaths(tmp_path / name), database=url, analyst=name) for name in ("alice", "bob")
    }
    try:
        for f, feed in enumerate(served):
            poller.store.add_feed(serve_feed(httpserver, f"/feed{f}.xml", feed), f"Feed {f}")
        poller.poll()
        ids = sorted(a.id for a in poller.store.articles(ArticleQuery()) if a.source != "seed")
        assert len(ids) == FEEDS * ITEMS
        expected: dict[str, dict[tuple[int, str], object]] = {name: {} for name in clients}
        errors: list[BaseException] = []

        def mark(name: str, part: int) -> None:
            core, mine = clients[name], ids[part::2]  # each thread its own articles: a defined last write
            rng = random.Random(f"{name}{part}")
            try:
                for _ in range(OPS_PER_THREAD):
                    article, column = rng.choice(mine), rng.choice(list(STATES))
                    value = rng.choice(STATES[column])
                    if column == "read":
                        core.store.set_read([article], bool(value))
                    elif column == "starred":
                        core.store.set_starred(article, bool(value))
                    else:
                        core.judge(article, value)  # type: ignore[arg-type]
                    expected[name][(article, column)] = value
            except BaseException as exc:
                errors.append(exc)
            finally:
                core.store.release_thread()

        def polls() -> None:
            try:
                for round_ in range(1, ROUNDS + 1):
                    for f, feed in enumerate(served):
                        feed.body = rss(f, round_)
                    result = poller.poll()
                    assert result.updated >= FEEDS * ITEMS and result.new == FEEDS * 2
            except BaseException as exc:
                errors.append(exc)
            finally:
                poller.store.release_thread()

        threads = [threading.Thread(target=polls)]
        threads += [threading.Thread(target=mark, args=(n, p)) for n in clients for p in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=180)
        assert not errors, errors
        lost = []
        for name, marks in expected.items():
            store = clients[name].store
            for (article_id, column), value in marks.items():
                article = store.article(article_id)
                assert article is not None
                got = getattr(article, column)
                if (int(got) if column != "judgement" else got) != value:
                    lost.append((name, article_id, column, value, got))
        assert lost == []  # 0 lost updates
        assert sum(len(m) for m in expected.values()) > 100
        # Each analyst's marks are theirs alone: the service's view of the articles has none.
        service = poller.store
        assert service.count(ArticleQuery(view="starred")) == 0
        revised = [service.article(i) for i in ids]
        assert all(a is not None and a.revisions >= ROUNDS for a in revised)  # the poll wrote them meanwhile
    finally:
        poller.close()
        for core in clients.values():
            core.close()
