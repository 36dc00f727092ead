"""Each article's stems in its own language, on both engines alike (SQLite's word-form index since schema 10,
PostgreSQL's search vectors since schema 27): a French article is not found through an English inflection nor an
English one through a French inflection, an article of another or no language is found by either, and the answers
follow a change of the article's tag."""

from __future__ import annotations

from pathlib import Path

from monitor.core.models import ArticleQuery, Assessment, ParsedItem
from monitor.core.parsing.wordforms import stems
from monitor.core.storage import pg_schema, wordform_index
from monitor.core.storage.pg_schema_steps import V22_SQL
from monitor.core.storage.store import Store
from tests.core.storage.conftest import OpenStore
from tests.pg_server import empty_database

# "arrests" and "arrested" share their English stem only; "policies" and "police" their French stem only.
ARRESTS = "Les arrests du film sortent en salle"
POLICIES = "Policies on the board"
SOURCE = "https://a.example/rss"


def test_the_examples_share_one_stem_only() -> None:
    """What the tests below rely on, checked against the stemmers themselves."""
    assert stems(["arrests"], "en") == stems(["arrested"], "en")
    assert stems(["arrests"], "fr").isdisjoint(stems(["arrested"], "fr"))
    assert stems(["policies"], "fr") == stems(["police"], "fr")
    assert stems(["policies"], "en").isdisjoint(stems(["police"], "en"))


def _item(guid: str, title: str, lang: str | None, link: str | None = None) -> ParsedItem:
    return ParsedItem(
        guid=guid,
        link=link,
        title=title,
        summary="",
        content="",
        content_html="",
        published="2025-11-13T17:40:00+00:00",
        lang=lang,
    )


def _save(store: Store, items: list[ParsedItem]) -> None:
    pending = store.prepare(SOURCE, items)
    store.save_items(
        source=SOURCE,
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


def _answers(store: Store) -> dict[str, set[str]]:
    return {
        word: _found(store, word) for word in ("arrested", "arrests", "police", "policies", "board", "film")
    }


def test_an_article_is_found_by_the_stems_of_its_own_language_only(open_store: OpenStore) -> None:
    store = open_store()
    _save(store, [_item("fr", ARRESTS, "fr"), _item("en", POLICIES, "en")])
    assert _answers(store) == {
        "arrested": set(),  # its English stem only: the French article holds no English stems
        "arrests": {ARRESTS},  # as written: its French stem
        "police": set(),  # its French stem only: the English article holds no French stems
        "policies": {POLICIES},
        "board": {POLICIES},
        "film": {ARRESTS},
    }


def test_an_article_of_another_language_is_found_by_either_stemmer(open_store: OpenStore) -> None:
    store = open_store()
    _save(store, [_item("x1", ARRESTS, "other"), _item("x2", POLICIES, "other")])
    assert _found(store, "arrested") == {ARRESTS}
    assert _found(store, "police") == {POLICIES}


def test_an_untagged_article_is_found_by_either_stemmer(open_store: OpenStore) -> None:
    """Untagged: an article stored before languages were tagged (SQLite's schema 10 leaves it so, and `vigie
    migrate` copies it as it is). The store tags what it saves, so the tag is taken away here; SQLite's index is
    then rebuilt as its migration builds it, PostgreSQL's vectors by their trigger."""
    store = open_store()
    _save(store, [_item("u1", ARRESTS, "fr"), _item("u2", POLICIES, "en")])
    store.conn.execute("UPDATE articles SET lang = NULL")
    if store.dialect.fts5:
        wordform_index.index_articles(store.conn)  # the stems' rows went with the tag (articles_stems_update)
    assert _found(store, "arrested") == {ARRESTS}
    assert _found(store, "police") == {POLICIES}


def test_the_answers_follow_a_change_of_the_articles_tag(open_store: OpenStore) -> None:
    """The feed declares another language for an item whose text is the same (its link changed: a revision)."""
    store = open_store()
    _save(store, [_item("g", ARRESTS, "fr", "https://a.example/1")])
    assert _found(store, "arrested") == set()
    _save(store, [_item("g", ARRESTS, "en", "https://a.example/2")])
    assert store.conn.execute("SELECT lang FROM articles").fetchone()[0] == "en"
    assert _found(store, "arrested") == {ARRESTS}
    assert _found(store, "arrests") == {ARRESTS}
    _save(store, [_item("g", ARRESTS, "fr", "https://a.example/3")])
    assert _found(store, "arrested") == set()
    assert _found(store, "arrests") == {ARRESTS}


def test_the_vectors_follow_any_change_of_the_tag_on_postgresql(tmp_path: Path, postgres_server: str) -> None:
    """The search trigger refreshes the vectors when the tag alone changes, whoever changes it; the vector of
    the other language is empty, not missing."""
    store = Store.open(tmp_path / "unused.sqlite3", database=empty_database(postgres_server))
    try:
        _save(store, [_item("g", ARRESTS, "fr")])
        vectors = "SELECT french <> '', english <> '' FROM articles_search"
        assert tuple(store.conn.execute(vectors).fetchone()) == (True, False)
        for lang, kept, found in (
            ("en", (False, True), True),
            (None, (True, True), True),
            ("fr", (True, False), False),
        ):
            store.conn.execute("UPDATE articles SET lang = ?", [lang])
            assert tuple(store.conn.execute(vectors).fetchone()) == kept, lang
            assert bool(_found(store, "arrested")) is found, lang
    finally:
        store.close()


def test_step_27_empties_the_vectors_the_stored_articles_no_longer_need(
    tmp_path: Path, postgres_server: str
) -> None:
    """A store written before step 27 has both stems' vectors for every article: the step empties the English one
    of French articles and the French one of English articles, keeps both for the others, and the articles then
    answer as new ones do."""
    url = empty_database(postgres_server)
    store = Store.open(tmp_path / "unused.sqlite3", database=url)
    before_27 = V22_SQL[: V22_SQL.index("CREATE FUNCTION vigie_pairs")]  # the search trigger of schemas 22-26
    try:
        store.conn.execute(before_27)
        _save(
            store,
            [
                _item("fr", ARRESTS, "fr"),
                _item("en", POLICIES, "en"),
                _item("x", "Arrests and policies", "other"),
            ],
        )
        both = "SELECT count(*) FROM articles_search WHERE french <> '' AND english <> ''"
        assert store.conn.execute(both).fetchone()[0] == 3
        assert _found(store, "arrested") == {ARRESTS, "Arrests and policies"}  # the difference with SQLite
        # Step 31 again too: it replaces step 27's search trigger, which the session's database must leave with.
        store.conn.execute("DELETE FROM vigie_schema WHERE version IN (27, 31)")
    finally:
        store.close()
    store = Store.open(tmp_path / "unused.sqlite3", database=url)
    try:
        assert pg_schema.schema_version(store.conn) == pg_schema.PG_SCHEMA_VERSION
        kept = dict(
            store.conn.execute(
                "SELECT a.guid, (s.french <> '')::int || '' || (s.english <> '')::int"
                " FROM articles a JOIN articles_search s ON s.article_id = a.id"
            ).fetchall()
        )
        assert kept == {"fr": "10", "en": "01", "x": "11"}
        assert _found(store, "arrested") == {"Arrests and policies"}
        assert _found(store, "police") == {"Arrests and policies"}
        assert _found(store, "arrests") == {ARRESTS, "Arrests and policies"}
    finally:
        store.close()
