"""The SQLite store: schema migrations, FTS5 kept in sync, dedup, file permissions."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from monitor.core.models import ArticleQuery, Assessment, Match, ParsedItem
from monitor.core.polling.due import due_time
from monitor.core.storage import db
from monitor.core.storage.ingest import Outcome
from monitor.core.storage.searchsyntax import FORMS_INDEX, TEXT_INDEX, plan_search
from monitor.core.storage.store import Store
from monitor.core.support.clock import parse_iso
from tests.core.storage.conftest import OpenStore


def _item(guid: str | None, title: str, link: str | None = None, content: str = "") -> ParsedItem:
    return ParsedItem(
        guid=guid,
        link=link,
        title=title,
        summary="",
        content=content,
        content_html="",
        published="2025-11-13T17:40:00+00:00",
    )


def _save(
    store: Store, source: str, items: list[ParsedItem], feed_id: int | None = None
) -> dict[Outcome, int]:
    pending = store.prepare(source, items)
    return store.save_items(
        source=source,
        feed_id=feed_id,
        items=[(p, Assessment()) for p in pending],
        fetched_at="2025-11-14T00:00:00+00:00",
        poll_id=1,
    )


def _search(store: Store, text: str) -> list[str]:
    return [r.title for r in store.rows(ArticleQuery(search=text))]


def _insert_as_before(
    conn: sqlite3.Connection, source: str, feed_id: int, guid: str, title: str, content: str
) -> int:
    """An article as an older Vigie stored it (the current store writes the newer schema's tables)."""
    cur = conn.execute(
        "INSERT INTO articles(feed_id, source, dedup_key, guid, title, content, fetched, content_hash, first_seen, "
        "last_updated) VALUES (?, ?, ?, ?, ?, ?, 'now', 'h', 'now', 'now')",
        (feed_id, source, f"guid:{guid}", guid, title, content),
    )
    return int(cur.lastrowid or 0)


def test_new_database_is_private_wal_and_current(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "v.sqlite3")
    assert stat.S_IMODE((tmp_path / "v.sqlite3").stat().st_mode) == 0o600
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.conn.execute("PRAGMA busy_timeout").fetchone()[0] == db.BUSY_TIMEOUT_MS
    assert store.conn.execute("PRAGMA cache_size").fetchone()[0] == -db.CACHE_KIB  # not SQLite's 2 MB
    assert db.schema_version(store.conn) == db.SCHEMA_VERSION
    store.close()


def test_older_database_is_backed_up_then_migrated(tmp_path: Path) -> None:
    path = tmp_path / "v.sqlite3"
    conn = db.connect(path)
    db.migrate(conn, tmp_path / "backups", db.MIGRATIONS[:1])
    conn.execute("INSERT INTO feeds(url, title, created) VALUES ('https://a.example/rss', 'A', 'now')")
    conn.close()

    store = Store.open(path, tmp_path / "backups")
    assert db.schema_version(store.conn) == db.SCHEMA_VERSION
    assert [f.url for f in store.list_feeds()] == ["https://a.example/rss"]
    assert store.list_feeds()[0].muted is False  # a column the migration added
    backups = list((tmp_path / "backups").glob("*.sqlite3"))
    assert len(backups) == 1
    old = sqlite3.connect(backups[0])
    assert old.execute("PRAGMA user_version").fetchone()[0] == 1
    assert old.execute("SELECT url FROM feeds").fetchall() == [("https://a.example/rss",)]
    old.close()
    store.close()


def test_articles_indexed_before_v5_stay_searchable_beside_new_ones(tmp_path: Path) -> None:
    path = tmp_path / "v.sqlite3"
    conn = db.connect(path)
    db.migrate(conn, tmp_path / "backups", db.MIGRATIONS[:4])  # articles indexed by the old insert trigger
    url = "https://a.example/rss"
    feed_id = conn.execute("INSERT INTO feeds(url, created) VALUES (?, 'now')", (url,)).lastrowid
    # The v1 insert trigger indexes it.
    _insert_as_before(conn, url, feed_id, "g1", "Avant la migration", "Kessaci")
    conn.close()

    store = Store.open(path, tmp_path / "backups")
    assert db.schema_version(store.conn) == db.SCHEMA_VERSION
    _save(store, url, [_item("g2", "Après la migration", content="Kessaci"), _item("g3", "Autre")], feed_id)
    store.conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
    assert sorted(_search(store, "kessaci")) == ["Après la migration", "Avant la migration"]
    assert _search(store, "autre") == ["Autre"]
    store.close()


def test_a_schema_5_database_migrates_with_its_data_and_keeps_each_feeds_next_poll(tmp_path: Path) -> None:
    """v6 drops the stored plan (next_poll) for facts: the rule gives each feed the time the old plan gave."""
    path = tmp_path / "v.sqlite3"
    conn = db.connect(path)
    db.migrate(conn, tmp_path / "backups", db.MIGRATIONS[:5])
    feeds = [  # url, failures in a row, last error, next_poll as the old poller wrote it
        ("https://ok.example/rss", 0, None, "2026-01-01T10:15:00+00:00"),  # the interval after a success
        ("https://busy.example/rss", 3, "HTTP 503", "2026-01-01T12:00:00+00:00"),  # Retry-After: 2 h
    ]
    for url, failures, error, next_poll in feeds:
        conn.execute(
            "INSERT INTO feeds(url, title, interval_minutes, last_fetched, consecutive_failures, last_error, "
            "next_poll, created) VALUES (?, 'T', 15, '2026-01-01T10:00:00+00:00', ?, ?, ?, 'now')",
            (url, failures, error, next_poll),
        )
    article_id = _insert_as_before(conn, feeds[0][0], 1, "g1", "Avant la migration", "Kessaci")
    conn.execute(
        "INSERT INTO articles_fts(rowid, title, summary, content) VALUES (?, 'Avant la migration', '', 'Kessaci')",
        (article_id,),
    )
    conn.close()

    store = Store.open(path, tmp_path / "backups")
    assert db.schema_version(store.conn) == db.SCHEMA_VERSION
    assert "next_poll" not in {row[1] for row in store.conn.execute("PRAGMA table_info(feeds)")}
    ok, busy = sorted(store.list_feeds(), key=lambda f: f.id)
    assert (ok.url, ok.consecutive_failures, ok.retry_not_before) == (feeds[0][0], 0, None)
    assert (busy.url, busy.consecutive_failures, busy.last_error) == (feeds[1][0], 3, "HTTP 503")
    assert busy.retry_not_before == "2026-01-01T12:00:00+00:00"
    assert [due_time(f) for f in (ok, busy)] == [parse_iso(next_poll) for *_, next_poll in feeds]
    assert _search(store, "kessaci") == ["Avant la migration"]
    store.close()
    (backup,) = (tmp_path / "backups").glob("*.sqlite3")
    old = sqlite3.connect(backup)
    assert old.execute("PRAGMA user_version").fetchone()[0] == 5
    assert old.execute("SELECT next_poll FROM feeds ORDER BY id").fetchall() == [(f[3],) for f in feeds]
    old.close()


def test_database_from_a_newer_version_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "v.sqlite3"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(db.NewerSchemaError, match="newer version of Vigie"):
        Store.open(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 99
    conn.close()


def test_fts_follows_inserts_updates_and_deletes(open_store: OpenStore, engine: str) -> None:
    store = open_store()
    feed, _ = store.add_feed("https://a.example/rss")
    _save(
        store,
        feed.url,
        [_item("g1", "Le procureur de Marseille", content="narcotrafic au Vieux-Port")],
        feed.id,
    )
    assert _search(store, "procureur") == ["Le procureur de Marseille"]
    assert _search(store, "narcotraf*") == ["Le procureur de Marseille"]
    assert _search(store, '"vieux port"') == ["Le procureur de Marseille"]

    counts = _save(store, feed.url, [_item("g1", "Le procureur d'Aix", content="stupéfiants")], feed.id)
    assert counts[Outcome.UPDATED] == 1
    assert _search(store, "Marseille") == []
    assert _search(store, "stupefiants") == ["Le procureur d'Aix"]

    store.remove_feed(feed.id)
    assert _search(store, "procureur") == []
    if engine == "sqlite":
        assert (
            store.conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
            is not None
        )
    else:
        assert store.conn.execute("SELECT count(*) FROM articles_search").fetchone()[0] == 0
    store.close()


def test_dedup_by_guid_then_canonical_link_then_text(open_store: OpenStore) -> None:
    store = open_store()
    first = _save(
        store,
        "s",
        [
            _item("g", "by guid"),
            _item(None, "by link", link="https://x.example/a?utm_source=rss&id=3#top"),
            _item(None, "by text"),
            _item("g", "repeated in the same fetch"),
        ],
    )
    assert first[Outcome.NEW] == 3
    again = _save(
        store,
        "s",
        [
            _item("g", "by guid"),
            _item(None, "by link", link="https://X.example/a?id=3"),
            _item(None, "by text"),
        ],
    )
    assert again == {Outcome.NEW: 0, Outcome.UPDATED: 0, Outcome.UNCHANGED: 3}
    assert store.count(ArticleQuery()) == 3
    store.close()


def test_entries_and_views(open_store: OpenStore) -> None:
    store = open_store()
    items = [_item("a", "Amine Kessaci menacé"), _item("b", "Météo")]
    pending = store.prepare("s", items)
    hit = Assessment(
        matches=(Match("Amine Kessaci", "person", "title", 0, 13, "Amine Kessaci"),),
        score=5,
        highlighted=True,
    )
    store.save_items(
        source="s",
        feed_id=None,
        items=[(pending[0], hit), (pending[1], Assessment())],
        fetched_at="2025-11-14T00:00:00+00:00",
        poll_id=3,
    )
    assert store.unread_by_entry() == {"Amine Kessaci": 1}
    assert [r.title for r in store.rows(ArticleQuery(entry="Amine Kessaci"))] == ["Amine Kessaci menacé"]
    assert [a.title for a in store.alert_articles(3)] == ["Amine Kessaci menacé"]
    assert store.count(ArticleQuery(view="highlighted")) == 1
    ids = [r.id for r in store.rows(ArticleQuery())]
    store.set_read(ids[:1])
    assert store.count(ArticleQuery(view="new")) == 1
    assert store.mark_all_read(ArticleQuery()) == 1
    assert store.view_counts()["new"] == 0
    store.close()


@pytest.mark.parametrize(
    ("typed", "terms"),
    [
        # A plain word is searched by its word forms, in each language's column with that language's stem.
        ("Amine Kessaci", [[(FORMS_INDEX, '("amin") AND (fr : "kessac" OR en : "kessaci")')]]),
        ("arrested", [[(FORMS_INDEX, '(fr : "arrested" OR en : "arrest")')]]),
        ('"point de deal"', [[(TEXT_INDEX, '"point de deal"')]]),
        ('"menace"', [[(TEXT_INDEX, '"menace"')]]),
        ("narcotraf*", [[(TEXT_INDEX, '"narcotraf"*')]]),
        ("Aix-en-Provence", [[(TEXT_INDEX, '"Aix en Provence"')]]),
        ("DZ OR Yoda", [[(FORMS_INDEX, '(("dz") OR (fr : "yod" OR en : "yoda"))')]]),
        ("Marseille -OM", [[(FORMS_INDEX, '(fr : "marseil" OR en : "marseill") NOT ("om")')]]),
        ('"point de deal" OR trafic', [[(TEXT_INDEX, '"point de deal"'), (FORMS_INDEX, '("trafic")')]]),
        ('"point de deal" -trafic', [[(TEXT_INDEX, '"point de deal"')], [(FORMS_INDEX, '("trafic")')]]),
        ("NEAR(", [[(FORMS_INDEX, '("near")')]]),
    ],
)
def test_search_box_text_becomes_safe_fts(typed: str, terms: list[list[tuple[str, str]]]) -> None:
    plan = plan_search(typed)
    assert plan is not None
    required = [[(t.index, t.match) for t in group] for group in plan.required]
    excluded = [[(t.index, t.match)] for t in plan.excluded]
    assert required + excluded == terms


@pytest.mark.parametrize("typed", ['( ) "', "", "   ", "-", "OR", '-- ** ""'])
def test_search_box_text_with_nothing_searchable_is_no_search(typed: str) -> None:
    assert plan_search(typed) is None


def _query_plans_corpus(store: Store) -> None:
    """Three feeds (one untitled, shown by its URL) and the seeds, titles and dates out of order, most with 'drogue'."""
    feeds = [
        store.add_feed("https://b.example/rss", "beta")[0],
        store.add_feed("https://a.example/rss", "Alpha")[0],
        store.add_feed("https://c.example/rss", "")[0],
    ]
    for n in range(60):
        feed = feeds[n % 3]
        item = ParsedItem(
            guid=f"g{n}",
            link=None,
            title=f"{'zyx'[n % 3]} titre {(n * 7) % 60:02d}",
            summary="",
            content="trafic de drogue" if n % 5 else "autre chose",
            content_html="",
            published=f"2025-11-{1 + (n * 11) % 28:02d}T12:00:00+00:00",
        )
        pending = store.prepare(feed.url, [item])
        store.save_items(
            source=feed.url,
            feed_id=feed.id,
            items=[(p, Assessment(score=float(n % 4))) for p in pending],
            fetched_at="2025-11-30T00:00:00+00:00",
            poll_id=1,
        )
    _save(store, "seed", [_item("s1", "seed drogue", content="drogue")])


@pytest.mark.parametrize("sort", ["starred", "score", "title", "source", "published"])
@pytest.mark.parametrize("descending", [False, True])
def test_broad_search_plans_give_the_same_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sort: str, descending: bool
) -> None:
    """Walking a sort index (a broad search) and sorting the hits (a narrow one) list the same rows in the same
    order, page by page; the count of a bare search comes from the FTS index alone and agrees. SQLite only: the
    walks are its planner's (PostgreSQL plans its own)."""
    store = Store.open(tmp_path / "v.sqlite3")
    _query_plans_corpus(store)
    query = ArticleQuery(search="drogue", sort=sort, descending=descending)
    narrow = [r.id for page in range(5) for r in store.rows(query, page * 10, 10)]
    monkeypatch.setattr("monitor.core.storage.queries.BROAD_SEARCH_HITS", 0)
    broad = [r.id for page in range(5) for r in store.rows(query, page * 10, 10)]
    assert broad == narrow
    assert len(set(narrow)) == store.count(query) == 49  # 48 feed items with the word, and the seed
    filtered = ArticleQuery(search="drogue", view="feed", feed_id=1, sort=sort, descending=descending)
    assert store.count(filtered) == len(store.rows(filtered)) == 16


@pytest.mark.parametrize("descending", [False, True])
def test_sorting_by_source_follows_the_shown_label(open_store: OpenStore, descending: bool) -> None:
    store = open_store()
    _query_plans_corpus(store)
    query = ArticleQuery(sort="source", descending=descending)
    rows = [r for page in range(7) for r in store.rows(query, page * 10, 10)]
    keys = [(r.source_label.casefold(), r.id) for r in rows]
    assert keys == sorted(keys, reverse=descending)
    assert len(rows) == 61
    assert [r.source_label for r in rows if r.source == "seed"] == ["Seeds"]
    assert {r.source_label for r in rows} == {"Alpha", "beta", "https://c.example/rss", "Seeds"}
