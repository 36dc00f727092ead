"""Word forms in search (schema 10): French and English inflections found, phrases exact, the index kept in step
with the articles, and a schema-9 store migrated with its articles tagged and indexed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from monitor.core.models import ArticleQuery, Assessment, ParsedItem
from monitor.core.storage import db
from monitor.core.storage.store import Store


def _item(guid: str, title: str, lang: str | None, content: str = "") -> ParsedItem:
    return ParsedItem(
        guid=guid,
        link=None,
        title=title,
        summary="",
        content=content,
        content_html="",
        published="2025-11-13T17:40:00+00:00",
        lang=lang,
    )


def _save(store: Store, items: list[ParsedItem], source: str = "https://a.example/rss") -> None:
    pending = store.prepare(source, items)
    store.save_items(
        source=source,
        feed_id=None,
        items=[(p, Assessment()) for p in pending],
        fetched_at="2025-11-14T00:00:00+00:00",
        poll_id=1,
    )


def _found(store: Store, text: str) -> set[str]:
    query = ArticleQuery(search=text)
    titles = {r.title for r in store.rows(query)}
    assert store.count(query) == len(titles)
    return titles


FRENCH = {
    "fr1": "Menaces de mort contre le témoin",
    "fr2": "Le maire a été menacé à la sortie du conseil",
    "fr3": "Deux élues menacées après le scrutin",
    "fr4": "Une menace prise au sérieux par les enquêteurs",
    "fr5": "Les enquêtes sur le ménage des comptes",
}
ENGLISH = {
    "en1": "Two men arrested after the shooting",
    "en2": "Police make three arrests in the port",
    "en3": "The arrest of the suspected gang leader",
    "en4": "Threats against the mayor",
}


@pytest.fixture
def store(tmp_path: Path) -> Store:
    opened = Store.open(tmp_path / "v.sqlite3", tmp_path / "backups")
    _save(opened, [_item(g, t, "fr") for g, t in FRENCH.items()])
    _save(opened, [_item(g, t, "en") for g, t in ENGLISH.items()])
    yield opened
    opened.close()


def test_a_french_word_finds_its_inflections(store: Store) -> None:
    menace = {FRENCH["fr1"], FRENCH["fr2"], FRENCH["fr3"], FRENCH["fr4"]}
    assert _found(store, "menace") == menace
    assert _found(store, "menacées") == menace
    assert _found(store, "MENACÉ") == menace  # case and accents as written
    assert _found(store, "enquete") == {FRENCH["fr5"]}  # accents left out: "enquêtes" still found


def test_an_english_word_finds_its_inflections(store: Store) -> None:
    arrest = {ENGLISH["en1"], ENGLISH["en2"], ENGLISH["en3"]}
    assert _found(store, "arrest") == arrest
    assert _found(store, "arrested") == arrest
    assert _found(store, "Arrests") == arrest
    assert _found(store, "threat") == {ENGLISH["en4"]}


def test_quoted_phrases_and_prefixes_stay_exact(store: Store) -> None:
    assert _found(store, '"menacées"') == {FRENCH["fr3"]}
    assert _found(store, '"menace prise"') == {FRENCH["fr4"]}
    assert _found(store, '"menaces prises"') == set()
    assert _found(store, "arrest*") == {ENGLISH["en1"], ENGLISH["en2"], ENGLISH["en3"]}
    assert _found(store, '"arrest"') == {ENGLISH["en3"]}


def test_the_syntax_combines_word_forms_with_phrases(store: Store) -> None:
    assert _found(store, "menace -témoin") == {FRENCH["fr2"], FRENCH["fr3"], FRENCH["fr4"]}
    assert _found(store, "menace maire") == {FRENCH["fr2"]}
    assert _found(store, "arrests OR threats") == {ENGLISH[k] for k in ("en1", "en2", "en3", "en4")}
    # One term on each index: a phrase OR a word, a word AND a phrase, a word NOT a phrase.
    assert _found(store, '"deux élues" OR arrest') == {
        FRENCH["fr3"],
        ENGLISH["en1"],
        ENGLISH["en2"],
        ENGLISH["en3"],
    }
    assert _found(store, 'menace "le témoin"') == {FRENCH["fr1"]}
    assert _found(store, 'menace -"le témoin"') == {FRENCH["fr2"], FRENCH["fr3"], FRENCH["fr4"]}
    assert _found(store, "menace*") == {FRENCH["fr1"], FRENCH["fr2"], FRENCH["fr3"], FRENCH["fr4"]}


def test_a_search_beside_a_filter_and_in_each_sort_order(store: Store) -> None:
    for sort in ("published", "score", "title", "source", "starred"):
        rows = store.rows(ArticleQuery(search="menace", sort=sort, feed_ids=()))
        assert rows == []
        rows = store.rows(ArticleQuery(search="menace", sort=sort, view="new"))
        assert len(rows) == 4


def test_an_item_of_another_language_is_found_by_either_stemmer(store: Store) -> None:
    _save(store, [_item("x1", "Amenazas y menaces contra el testigo", "other")])
    _save(store, [_item("x2", "Neue arrests in Hamburg", "other")])
    assert "Amenazas y menaces contra el testigo" in _found(store, "menacé")
    assert "Neue arrests in Hamburg" in _found(store, "arrested")


def test_an_items_words_are_stemmed_in_its_own_language_only(store: Store) -> None:
    # French and English stem "police" alike, but "arrested" only the English way: a French item that happens
    # to hold the English word "arrest" is found as written, not through an English inflection.
    _save(store, [_item("fr9", "Le film Arrest sort en salle", "fr")])
    assert "Le film Arrest sort en salle" in _found(store, "arrest")
    assert "Le film Arrest sort en salle" not in _found(store, "arrested")


def test_an_item_without_a_tag_is_tagged_when_saved(store: Store) -> None:
    _save(store, [_item("u1", "Un homme a été interpellé après les menaces contre le témoin", None)])
    _save(store, [_item("u2", "OM", None)])
    langs = dict(store.conn.execute("SELECT guid, lang FROM articles WHERE guid IN ('u1', 'u2')").fetchall())
    assert langs == {"u1": "fr", "u2": "other"}


def test_the_index_follows_updated_and_deleted_articles(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "v.sqlite3", tmp_path / "backups")
    feed_id = store.add_feed("https://b.example/rss", "B")[0].id
    pending = store.prepare("https://b.example/rss", [_item("g", "Menaces sur le port", "fr")])
    store.save_items(
        source="https://b.example/rss",
        feed_id=feed_id,
        items=[(pending[0], Assessment())],
        fetched_at="t",
        poll_id=1,
    )
    assert _found(store, "menace") == {"Menaces sur le port"}
    # The feed rewrites the item: its old forms go, its new ones come.
    pending = store.prepare("https://b.example/rss", [_item("g", "Arrestations sur le port", "fr")])
    store.save_items(
        source="https://b.example/rss",
        feed_id=feed_id,
        items=[(pending[0], Assessment())],
        fetched_at="t",
        poll_id=2,
    )
    assert _found(store, "menace") == set()
    assert _found(store, "arrestation") == {"Arrestations sur le port"}
    store.remove_feed(feed_id)
    assert store.conn.execute("SELECT count(*) FROM articles_stems").fetchone()[0] == 0
    store.conn.execute("INSERT INTO articles_stems(articles_stems) VALUES ('integrity-check')")
    store.close()


@pytest.mark.parametrize(
    "typed",
    [
        '"',
        "*",
        "-",
        "OR",
        "OR OR menace",
        "menace OR",
        "fr : menace",
        "{fr en}: x",
        "NEAR(a b)",
        "a\x00b",
        "é*",
        "-menace",
        '""',
        "^menace",
        "menace:",
        "(menace",
        "AND",
        "NOT menace",
        "_",
        "日本語",
    ],
)
def test_hostile_search_text_never_fails(store: Store, typed: str) -> None:
    query = ArticleQuery(search=typed)
    assert store.count(query) == len(store.rows(query))


# -- the migration from schema 9 ------------------------------------------------------------------------------


def test_a_schema_9_store_is_tagged_and_indexed_by_the_migration(tmp_path: Path) -> None:
    path = tmp_path / "v.sqlite3"
    conn = db.connect(path)
    assert db.migrate(conn, tmp_path / "backups", db.MIGRATIONS[:9]) == 9
    feed_id = conn.execute(
        "INSERT INTO feeds(url, created) VALUES ('https://c.example/rss', 'now')"
    ).lastrowid
    rows = [  # guid, title, summary, stored language (as schema 9 kept the feed's word)
        ("g1", "Menaces contre le maire", "", "fr-FR"),
        ("g2", "Police arrests two men", "", "EN"),
        ("g3", "Amenazas contra el alcalde de la ciudad", "", "es"),
        (
            "g4",
            "Le témoin a été menacé",
            "La police judiciaire a ouvert une enquête pour menaces de mort.",
            None,
        ),
        ("g5", "OM", "", None),
    ]
    for guid, title, summary, lang in rows:
        cur = conn.execute(
            "INSERT INTO articles(feed_id, source, dedup_key, guid, title, summary, fetched, lang, content_hash, "
            "first_seen, last_updated) VALUES (?, 'https://c.example/rss', ?, ?, ?, ?, 'now', ?, 'h', 'now', 'now')",
            (feed_id, f"guid:{guid}", guid, title, summary, lang),
        )
        conn.execute(
            "INSERT INTO articles_fts(rowid, title, summary, content) VALUES (?, ?, ?, '')",
            (cur.lastrowid, title, summary),
        )
    conn.close()

    store = Store.open(path, tmp_path / "backups")
    assert db.schema_version(store.conn) == db.SCHEMA_VERSION
    assert list((tmp_path / "backups").glob("vigie-schema9-*.sqlite3"))
    langs = dict(store.conn.execute("SELECT guid, lang FROM articles").fetchall())
    # Declared languages become tags; an article whose feed never said stays untagged (no detection in the
    # migration: too slow on a large store) and is indexed under both stemmers.
    assert langs == {"g1": "fr", "g2": "en", "g3": "other", "g4": None, "g5": None}
    assert _found(store, "menacé") == {"Menaces contre le maire", "Le témoin a été menacé"}
    assert _found(store, "arrested") == {"Police arrests two men"}
    store.conn.execute("INSERT INTO articles_stems(articles_stems) VALUES ('integrity-check')")
    # The triggers came with the table: removing the feed takes its articles' forms.
    store.remove_feed(feed_id)
    assert store.conn.execute("SELECT count(*) FROM articles_stems").fetchone()[0] == 0
    store.close()


def test_the_migration_of_an_empty_store(tmp_path: Path) -> None:
    conn = db.connect(tmp_path / "v.sqlite3")
    assert db.migrate(conn, tmp_path / "backups", db.MIGRATIONS[:9]) == 9
    assert db.migrate(conn, tmp_path / "backups") == db.SCHEMA_VERSION
    assert conn.execute("SELECT count(*) FROM articles_stems").fetchone()[0] == 0
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert {"articles_stems_delete", "articles_stems_update"} <= names
    conn.close()


def test_a_failed_migration_leaves_schema_9_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The migration runs in one transaction: a failure half-way leaves neither the table nor new tags."""
    from monitor.core.storage import wordform_index

    conn = db.connect(tmp_path / "v.sqlite3")
    db.migrate(conn, tmp_path / "backups", db.MIGRATIONS[:9])
    conn.execute(
        "INSERT INTO articles(source, dedup_key, title, fetched, lang, content_hash, first_seen, last_updated) "
        "VALUES ('s', 'k', 'Menaces', 'now', 'fr-FR', 'h', 'now', 'now')"
    )

    def broken(*_args: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(wordform_index, "write_forms", broken)
    with pytest.raises(sqlite3.OperationalError):
        db.migrate(conn, tmp_path / "backups")
    assert db.schema_version(conn) == 9
    assert conn.execute("SELECT lang FROM articles").fetchone()[0] == "fr-FR"
    assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'articles_stems'").fetchone()
    conn.close()


def test_worker_processes_index_a_large_store_as_this_process_does(store: Store) -> None:
    """The migration stems a large store in worker processes: the same rows as stemming here."""
    from monitor.core.storage import wordform_index

    _save(store, [_item(f"n{i}", f"Menaces numéro {i} contre le témoin", None) for i in range(30)])
    conn = store.conn
    read = "SELECT rowid, fr, en FROM articles_stems ORDER BY rowid"
    expected = conn.execute(read).fetchall()
    for workers in (2, 0):
        conn.execute("BEGIN")
        conn.execute("DELETE FROM articles_stems")
        assert wordform_index.index_articles(conn, workers=workers) == (len(expected), 0)
        conn.execute("COMMIT")
        assert conn.execute(read).fetchall() == expected


def test_indexing_can_detect_the_language_of_untagged_articles(store: Store) -> None:
    from monitor.core.storage import wordform_index

    conn = store.conn
    conn.execute("BEGIN")
    conn.execute("DELETE FROM articles_stems")
    conn.execute("UPDATE articles SET lang = NULL WHERE guid IN ('fr2', 'en1')")
    assert wordform_index.index_articles(conn, detect=True) == (len(FRENCH) + len(ENGLISH), 2)
    conn.execute("COMMIT")
    langs = dict(conn.execute("SELECT guid, lang FROM articles WHERE guid IN ('fr2', 'en1')").fetchall())
    assert langs == {"fr2": "fr", "en1": "en"}
