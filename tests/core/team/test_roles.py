"""Least privilege on the shared database (issue 19): packaging/postgresql-roles.sql run by psql on the
throwaway server, then real logins. An analyst writes only her own state (row-level security on the login
role's name), whatever her session claims; only an editor changes feeds; the service writes feeds and articles
but no analyst's state."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.core.errors import StoreError
from monitor.core.models import ArticleQuery, Assessment, ParsedItem
from monitor.core.storage import pg
from monitor.core.storage.store import Store
from tests.pg_server import empty_database, server_binaries

ROLES_SQL = Path(__file__).resolve().parents[3] / "packaging" / "postgresql-roles.sql"
LOGINS = {
    "alice": "vigie_analyst",
    "bob": "vigie_analyst",
    "chloe": "vigie_editor",
    "poller": "vigie_service",
}


def _as(url: str, login: str) -> str:
    return url.replace("postgresql://vigie@", f"postgresql://{login}@", 1)


@pytest.fixture
def roles(tmp_path: Path, postgres_server: str) -> Iterator[str]:
    import psycopg

    Store.open(tmp_path / "unused.sqlite3", database=postgres_server).close()
    url = empty_database(postgres_server)
    bindir = server_binaries()
    assert bindir is not None
    done = subprocess.run(
        [str(bindir / "psql"), url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", str(ROLES_SQL)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    with psycopg.connect(url, autocommit=True) as admin:
        for login, group in LOGINS.items():
            admin.execute(f"DROP ROLE IF EXISTS {login}")
            admin.execute(f"CREATE ROLE {login} LOGIN IN ROLE {group}")
    yield url
    with psycopg.connect(url, autocommit=True) as admin:
        for login in LOGINS:
            admin.execute(f"DROP OWNED BY {login}")
            admin.execute(f"DROP ROLE {login}")


def _poll_one(store: Store) -> int:
    item = ParsedItem(
        guid="g", link=None, title="Une", summary="", content="", content_html="", published=None
    )
    pending = store.prepare("feed", [item])
    store.save_items(
        source="feed",
        feed_id=None,
        items=[(p, Assessment(score=3.0, highlighted=True)) for p in pending],
        fetched_at="2026-01-01T00:00:00+00:00",
        poll_id=1,
    )
    return store.rows(ArticleQuery(), 0, 1)[0].id


def test_an_analyst_cannot_write_another_analysts_state(tmp_path: Path, roles: str) -> None:
    poller = Store.open(tmp_path / "p.sqlite3", database=_as(roles, "poller"), analyst="poller")
    alice = Store.open(tmp_path / "a.sqlite3", database=_as(roles, "alice"), analyst="alice")
    forged = Store.open(tmp_path / "f.sqlite3", database=_as(roles, "alice"), analyst="bob")  # alice posing
    bob = Store.open(tmp_path / "b.sqlite3", database=_as(roles, "bob"), analyst="bob")
    try:
        article = _poll_one(poller)  # the service writes articles
        alice.set_starred(article, True)
        bob.set_read([article])
        assert alice.article(article).starred and not alice.article(article).read
        # alice's login naming herself bob: the policy refuses the row; bob's state is untouched.
        with pytest.raises(StoreError, match="may not do that"):
            forged.set_starred(article, True)
        assert not bob.article(article).starred
        # Nor can she reach bob's rows by SQL of her own: invisible, so nothing is updated or deleted.
        raw = pg.connect(_as(roles, "alice"))
        try:
            assert raw.execute("UPDATE article_states SET starred = 1 WHERE analyst = 'bob'").rowcount == 0
            assert raw.execute("DELETE FROM article_states WHERE analyst = 'bob'").rowcount == 0
            assert raw.execute("SELECT count(*) FROM article_states").fetchone()[0] == 1  # her own row only
            with pytest.raises(StoreError, match="may not do that"):
                raw.execute(
                    f"INSERT INTO article_states(analyst, article_id, read) VALUES ('bob', {article}, 0)"
                )
            with pytest.raises(StoreError, match="may not do that"):
                raw.execute("INSERT INTO audit_log(subject, action) VALUES ('feeds', 'forged')")
        finally:
            raw.close()
        assert bob.article(article).read and not bob.article(article).starred
        # The service writes no analyst's state; an analyst writes no article, an editor's feeds are audited.
        with pytest.raises(StoreError, match="may not do that"):
            poller.set_read([article])
        with pytest.raises(StoreError, match="may not do that"):
            alice.add_feed("https://example.org/a.xml", "A")
        chloe = Store.open(tmp_path / "c.sqlite3", database=_as(roles, "chloe"), analyst="chloe")
        try:
            chloe.add_feed("https://example.org/c.xml", "C")
            who = chloe.audit_entries(limit=1)[0]
            assert (who.analyst, who.role, who.subject, who.action) == ("chloe", "chloe", "feeds", "insert")
        finally:
            chloe.close()
    finally:
        for store in (poller, alice, forged, bob):
            store.close()


def test_an_analyst_login_pauses_her_own_alerts_only(tmp_path: Path, roles: str) -> None:
    from datetime import timedelta

    from monitor.core.polling.alerts import AlertPolicy
    from monitor.core.settings import Settings

    alice = Store.open(tmp_path / "a.sqlite3", database=_as(roles, "alice"), analyst="alice")
    forged = Store.open(tmp_path / "f.sqlite3", database=_as(roles, "alice"), analyst="bob")
    try:
        AlertPolicy(alice, Settings()).pause(timedelta(hours=1))
        assert AlertPolicy(alice, Settings()).paused
        with pytest.raises(StoreError, match="may not do that"):
            AlertPolicy(forged, Settings()).pause(timedelta(hours=1))  # bob's pause is not hers to set
    finally:
        alice.close()
        forged.close()


def test_the_service_groups_stories_and_an_editors_rescore_keeps_their_rows(
    tmp_path: Path, roles: str
) -> None:
    """Grouping writes the story tables as the service; an editor's re-score changes a story's score through the
    triggers (they run as the schema's owner: the editor has no grant on the story rows)."""
    from monitor.core.stories.grouping import group_new_articles

    poller = Store.open(tmp_path / "p.sqlite3", database=_as(roles, "poller"), analyst="poller")
    chloe = Store.open(tmp_path / "c.sqlite3", database=_as(roles, "chloe"), analyst="chloe")
    try:
        article = _poll_one(poller)
        assert group_new_articles(poller).grouped == 1
        story = poller.article(article).story
        assert story == article
        row = poller.conn.execute("SELECT reports, score FROM stories WHERE id = ?", (story,)).fetchone()
        assert (row[0], row[1]) == (1, 3.0)
        chloe.conn.execute("UPDATE articles SET score = 5.0 WHERE id = ?", (article,))
        assert chloe.conn.execute("SELECT score FROM stories WHERE id = ?", (story,)).fetchone()[0] == 5.0
        with pytest.raises(StoreError, match="may not do that"):
            chloe.conn.execute("UPDATE stories SET score = 0")
    finally:
        poller.close()
        chloe.close()
