"""Per-analyst states on a shared PostgreSQL database (issue 19): read, starred and judgements are each
analyst's own; two analysts mark the same article independently. On SQLite (one analyst) nothing changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.core.errors import StoreError
from monitor.core.models import ArticleQuery, Assessment, ParsedItem
from monitor.core.storage.store import Store
from tests.pg_server import empty_database


def _fill(store: Store, count: int = 3, *, highlighted: bool = False) -> list[int]:
    items = [
        ParsedItem(
            guid=f"g{n}",
            link=None,
            title=f"Titre {n}",
            summary="",
            content="",
            content_html="",
            published=None,
        )
        for n in range(count)
    ]
    pending = store.prepare("corpus", items)
    store.save_items(
        source="corpus",
        feed_id=None,
        items=[(p, Assessment(score=5.0, highlighted=highlighted)) for p in pending],
        fetched_at="2025-11-14T00:00:00+00:00",
        poll_id=1,
    )
    return sorted(r.id for r in store.rows(ArticleQuery(), 0, 100))


@pytest.fixture
def two_analysts(tmp_path: Path, postgres_server: str):  # type: ignore[no-untyped-def]
    Store.open(tmp_path / "unused.sqlite3", database=postgres_server).close()
    empty_database(postgres_server)
    alice = Store.open(tmp_path / "a.sqlite3", database=postgres_server, analyst="alice")
    bob = Store.open(tmp_path / "b.sqlite3", database=postgres_server, analyst="bob")
    yield alice, bob
    alice.close()
    bob.close()


def test_two_analysts_read_and_star_the_same_article_independently(two_analysts) -> None:  # type: ignore[no-untyped-def]
    alice, bob = two_analysts
    ids = _fill(alice)
    first = ids[0]
    alice.set_read([first])
    bob.set_starred(first, True)
    assert alice.article(first).read and not alice.article(first).starred
    assert bob.article(first).starred and not bob.article(first).read
    assert alice.count(ArticleQuery(view="new")) == 2
    assert bob.count(ArticleQuery(view="new")) == 3
    assert alice.count(ArticleQuery(view="starred")) == 0
    assert [r.id for r in bob.rows(ArticleQuery(view="starred"), 0, 10)] == [first]
    assert alice.unread_ids(ids) == set(ids[1:])
    assert bob.unread_ids(ids) == set(ids)
    # Each mark touches its own column: bob reading after starring keeps the star.
    bob.set_read([first])
    assert bob.article(first).starred and bob.article(first).read
    assert alice.mark_all_read(ArticleQuery()) == 2
    assert alice.count(ArticleQuery(view="new")) == 0
    assert bob.count(ArticleQuery(view="new")) == 2
    assert bob.view_counts()["starred"] == 1 and alice.view_counts()["starred"] == 0


def test_judgements_are_per_analyst_and_move_only_their_own_highlight(two_analysts) -> None:  # type: ignore[no-untyped-def]
    alice, bob = two_analysts
    ids = _fill(alice, highlighted=True)
    assert alice.set_judgement(ids[0], "not-relevant", scored_highlight=True)
    assert not alice.set_judgement(10_000_000, "relevant", scored_highlight=True)  # no such article
    mine, theirs = alice.article(ids[0]), bob.article(ids[0])
    assert (mine.judgement, mine.highlighted) == ("not-relevant", False)
    assert (theirs.judgement, theirs.highlighted) == (None, True)
    assert alice.count(ArticleQuery(view="highlighted")) == 2
    assert bob.count(ArticleQuery(view="highlighted")) == 3
    alice.set_judgement(ids[0], None, scored_highlight=True)  # withdrawn: the watchlist's highlight again
    assert alice.article(ids[0]).highlighted and alice.article(ids[0]).judgement is None


def test_the_analyst_name_is_checked(tmp_path: Path, postgres_server: str) -> None:
    with pytest.raises(StoreError, match="analyst's name"):
        Store.open(tmp_path / "x.sqlite3", database=postgres_server, analyst="a" * 64)


def test_sqlite_keeps_one_analysts_states_in_the_articles(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "v.sqlite3", analyst="not used on a local profile")
    try:
        first = _fill(store)[0]
        store.set_starred(first, True)
        assert store.conn.execute("SELECT starred FROM articles WHERE id = ?", (first,)).fetchone()[0] == 1
    finally:
        store.close()


def test_pausing_alerts_is_the_analysts_own(two_analysts) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from monitor.core.polling.alerts import AlertPolicy
    from monitor.core.settings import Settings

    alice, bob = two_analysts
    mine, theirs = AlertPolicy(alice, Settings()), AlertPolicy(bob, Settings())
    mine.pause(timedelta(hours=1))
    assert mine.paused and not theirs.paused
    assert alice.get_meta("alerts_paused_until") is None  # not in the team's shared meta
    mine.resume()
    assert not mine.paused
