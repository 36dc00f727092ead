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
        defer_search=True,  # as a poll stores its feeds: the search vectors made next, on their own
    )
    assert store.index_deferred_search() == 1
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


def test_an_analysts_case_files_and_notes_are_her_own(tmp_path: Path, roles: str) -> None:
    """Cases (schema 20): alice and bob, real logins in vigie_analyst, each see and change only their own case
    files, items, notes and tags, whatever the session claims; the service sees none and writes none."""
    import psycopg

    poller = Store.open(tmp_path / "p.sqlite3", database=_as(roles, "poller"), analyst="poller")
    alice = Store.open(tmp_path / "a.sqlite3", database=_as(roles, "alice"), analyst="alice")
    bob = Store.open(tmp_path / "b.sqlite3", database=_as(roles, "bob"), analyst="bob")
    forged = Store.open(tmp_path / "f.sqlite3", database=_as(roles, "alice"), analyst="bob")  # alice posing
    now = "2026-01-01T00:00:00+00:00"
    try:
        article = _poll_one(poller)
        hers = alice.create_case("Port", now, note="alice's case note")
        alice.pin_articles(hers.id, [article], now, note="alice's item note", tags=["hers"])
        his = bob.create_case("port", now, note="bob's case note")  # the same name: each analyst has her own
        bob.pin_articles(his.id, [article], now, note="bob's item note", tags=["his"])
        assert [(c.name, c.note, c.items) for c in alice.list_cases()] == [("Port", "alice's case note", 1)]
        assert [(c.name, c.note, c.items) for c in bob.list_cases()] == [("port", "bob's case note", 1)]
        her_item = alice.case_items(hers.id)[0]
        assert (her_item.note, her_item.tags) == ("alice's item note", ("hers",))
        assert alice.cases_of_article(article) == ["Port"]

        # bob, through the store, by alice's ids: nothing to read, nothing changed.
        assert bob.case_items(hers.id) == []
        assert bob.case_named("Port") is not None and bob.case_named("Port").id == his.id  # type: ignore[union-attr]
        assert not bob.update_case_item(her_item.id, note="bob was here", tags=["bob"])
        bob.update_case(hers.id, now, name="Renamed by bob", note="bob was here")
        bob.unpin(her_item.id)
        bob.delete_case(hers.id)
        # alice's login naming herself bob reads none of bob's and may write nothing as him.
        assert forged.list_cases() == [] and forged.case_items(his.id) == []
        with pytest.raises(StoreError, match="may not do that"):
            forged.create_case("Forged", now)
        # bob's login by SQL of his own, on the tables: alice's rows are invisible, so untouched.
        raw = pg.connect(_as(roles, "bob"))
        try:
            assert raw.execute("SELECT count(*) FROM cases").fetchone()[0] == 1
            assert raw.execute("SELECT count(*) FROM case_items WHERE analyst = 'alice'").fetchone()[0] == 0
            assert raw.execute("UPDATE case_items SET note = 'x' WHERE analyst = 'alice'").rowcount == 0
            assert raw.execute("DELETE FROM case_item_tags WHERE analyst = 'alice'").rowcount == 0
            assert raw.execute("DELETE FROM cases WHERE analyst = 'alice'").rowcount == 0
            with pytest.raises(StoreError, match="may not do that"):
                raw.execute(
                    f"INSERT INTO cases(analyst, name, created, updated) VALUES ('alice', 'x', '{now}', '')"
                )
            with pytest.raises(
                psycopg.errors.ForeignKeyViolation
            ):  # his item in her case: no such case of his
                raw.execute(
                    f"INSERT INTO case_items(analyst, case_id, article_id, added) VALUES ('bob', {hers.id}, "
                    f"{article}, '{now}')"
                )
        finally:
            raw.close()
        after = alice.case_items(hers.id)
        assert [(c.name, c.note) for c in alice.list_cases()] == [("Port", "alice's case note")]
        assert [(i.id, i.note, i.tags) for i in after] == [(her_item.id, "alice's item note", ("hers",))]

        # The service reads no case file and writes none.
        assert poller.list_cases() == [] and poller.case_items(hers.id) == []
        with pytest.raises(StoreError, match="may not do that"):
            poller.create_case("Service's", now)
    finally:
        for store in (poller, alice, bob, forged):
            store.close()


def test_an_article_pinned_by_one_analyst_outlives_an_editors_removal_of_its_feed(
    tmp_path: Path, roles: str
) -> None:
    """The pinned articles' triggers count every analyst's pins, whoever deletes: chloe (an editor, who sees none
    of alice's case files) removes the feed; alice's pinned article stays, detached, the other one goes."""
    poller = Store.open(tmp_path / "p.sqlite3", database=_as(roles, "poller"), analyst="poller")
    alice = Store.open(tmp_path / "a.sqlite3", database=_as(roles, "alice"), analyst="alice")
    chloe = Store.open(tmp_path / "c.sqlite3", database=_as(roles, "chloe"), analyst="chloe")
    now = "2026-01-01T00:00:00+00:00"
    try:
        feed, _ = chloe.add_feed("https://example.org/pinned.xml", "Pinned")
        items = [
            ParsedItem(guid=g, link=None, title=g, summary="", content="", content_html="", published=None)
            for g in ("kept", "gone")
        ]
        pending = poller.prepare(feed.url, items)
        poller.save_items(
            source=feed.url,
            feed_id=feed.id,
            items=[(p, Assessment()) for p in pending],
            fetched_at=now,
            poll_id=1,
        )
        ids = {a.title: a.id for a in poller.rows(ArticleQuery(), 0, 10)}
        case = alice.create_case("Evidence", now)
        alice.pin_articles(case.id, [ids["kept"]], now, note="hers")
        assert chloe.list_cases() == []
        chloe.remove_feed(feed.id)
        assert chloe.article(ids["gone"]) is None
        kept = alice.case_items(case.id)[0]
        assert kept.article is not None and kept.article.feed_id is None and kept.note == "hers"
    finally:
        for store in (poller, alice, chloe):
            store.close()


def test_the_service_keeps_full_texts_that_only_an_editor_turns_on(tmp_path: Path, roles: str) -> None:
    """Full texts with the least-privilege roles: an editor turns them on for a feed (audited), an analyst
    cannot; the service saves a page's text (the article, its search vectors and a page version)."""
    from monitor.core.storage.ingest import FetchProvenance
    from monitor.core.storage.versions import article_versions, save_full_text

    poller = Store.open(tmp_path / "p.sqlite3", database=_as(roles, "poller"), analyst="poller")
    alice = Store.open(tmp_path / "a.sqlite3", database=_as(roles, "alice"), analyst="alice")
    chloe = Store.open(tmp_path / "c.sqlite3", database=_as(roles, "chloe"), analyst="chloe")
    try:
        feed, _ = chloe.add_feed("https://example.org/c.xml", "C")
        with pytest.raises(StoreError, match="may not do that"):
            alice.set_full_text([feed.id], True)
        assert chloe.set_full_text([feed.id], True) == 1
        who = chloe.audit_entries(limit=1)[0]
        assert (who.analyst, who.subject, who.action) == ("chloe", "feeds", "update")
        article = _poll_one(poller)
        text = "Le second suspect, Lazare Quintavalle, a été entendu."
        fetch = FetchProvenance(etag='"p1"', doc_sha256="ab" * 32)
        assert save_full_text(poller.conn, poller.dialect, article, text, "2026-01-01T00:05:00+00:00", fetch)
        assert alice.article(article).full_text == text  # type: ignore[union-attr]
        assert [a.id for a in alice.articles(ArticleQuery(search="Quintavalle"))] == [article]
        assert [v.kind for v in article_versions(alice.conn, article)] == ["feed", "page"]
    finally:
        for store in (poller, alice, chloe):
            store.close()


def test_the_service_writes_the_name_index_and_an_analyst_may_catch_it_up(tmp_path: Path, roles: str) -> None:
    """Emerging names on the server (schema 21): the service indexes what it stores; an analyst's emerging names
    index the articles of their period that the index lacks, so her role may write that derived index."""
    from monitor.core.storage import name_index

    poller = Store.open(tmp_path / "p.sqlite3", database=_as(roles, "poller"), analyst="poller")
    alice = Store.open(tmp_path / "a.sqlite3", database=_as(roles, "alice"), analyst="alice")
    try:
        article = _poll_one(poller)
        indexed = "SELECT count(*) FROM names_indexed WHERE article_id = ?"
        assert poller.conn.execute(indexed, (article,)).fetchone()[0] == 1
        poller.conn.execute("DELETE FROM names_indexed")
        assert name_index.index_ids(alice.conn, [article]) == 1
        assert alice.conn.execute(indexed, (article,)).fetchone()[0] == 1
        # But she still may not write the shared meta (dismissing an emerging name is an editor's).
        with pytest.raises(StoreError):
            alice.set_meta("emerging_dismissed", "[]")
    finally:
        poller.close()
        alice.close()


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
