"""The two engines under one storage layer: the same searches find the same articles on SQLite and PostgreSQL,
schemas versioned alike, URLs checked, and what PostgreSQL does not carry yet refused in words."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.core.errors import StoreError
from monitor.core.models import ArticleQuery, Assessment, ParsedItem
from monitor.core.parsing.wordforms import WORD
from monitor.core.storage import db, pg, pg_schema
from monitor.core.storage.engine import NotOnPostgresError, check_database_url
from monitor.core.storage.pg import translate
from monitor.core.storage.store import Store
from tests.pg_server import empty_database

CORPUS = [
    ("Le procureur de Marseille menacé", "Narcotrafic au Vieux-Port : les enquêteurs saisissent 40 kg."),
    ("Menaces contre un élu d'Aix-en-Provence", "Le maire a porté plainte après des menaces répétées."),
    ("Drug trafficking ring dismantled in Lyon", "Police arrested twelve people; threats against witnesses."),
    ("Météo : orages sur la Provence", "Vigilance orange pour les Bouches-du-Rhône."),
    ("Threatened journalists speak out", "Reporters describe the threats they received in Marseille."),
    ("Les stupéfiants saisis à Nice", "La police a saisi des stupéfiants et des armes."),
    ("The prosecutor's office in Paris", "A statement on the trafficking case."),
    ("La la la, chante la police", "Un mot très long : " + "a" * 120 + " " + "b" * 120 + ", puis la fin."),
]
SEARCHES = [
    "marseille",
    "menace",
    "menaces",
    "threat",
    "stupefiants",
    "Stupéfiants",
    '"vieux port"',
    '"aix en provence"',
    "Aix-en-Provence",
    "narco*",
    "traffick*",
    "marseille OR nice",
    "police -nice",
    "menace -aix",
    'saisi* "la police"',
    "procureur OR prosecutor",
    "le",
    "nothing-like-this-anywhere",
    # Phrases: PostgreSQL narrows them with its word pairs' index (pg_schema v22), then checks the positions.
    '"la police"',
    '"police la"',
    '"la la"',
    '"la la la chante"',
    '"police a saisi des"',
    '"la police" OR "vieux port"',
    'police -"la police"',
    'la -"la la"',
    '"police arrested"',
    '"' + "a" * 120 + " " + "b" * 120 + '"',
    '"long ' + "a" * 120 + '"',
]


def _fill(store: Store) -> None:
    _save(store, CORPUS)


def _save(store: Store, texts: list[tuple[str, str]], prefix: str = "g") -> None:
    items = [
        ParsedItem(
            guid=f"{prefix}{n}", link=None, title=t, summary=s, content="", content_html="", published=None
        )
        for n, (t, s) in enumerate(texts)
    ]
    pending = store.prepare("corpus", items)
    store.save_items(
        source="corpus",
        feed_id=None,
        items=[(p, Assessment()) for p in pending],
        fetched_at="2025-11-14T00:00:00+00:00",
        poll_id=1,
    )


def _found(store: Store, text: str) -> set[str]:
    query = ArticleQuery(search=text)
    titles = {r.title for r in store.rows(query, 0, 100)}
    assert store.count(query) == len(titles)
    return titles


def test_the_same_searches_find_the_same_articles_on_both_engines(
    tmp_path: Path, postgres_server: str
) -> None:
    lite = Store.open(tmp_path / "v.sqlite3")
    server = Store.open(tmp_path / "unused.sqlite3", database=empty_database(postgres_server))
    try:
        _fill(lite)
        _fill(server)
        differences = {text: (_found(lite, text), _found(server, text)) for text in SEARCHES}
        differences = {text: pair for text, pair in differences.items() if pair[0] != pair[1]}
        assert differences == {}
        assert (
            sum(bool(_found(lite, text)) for text in SEARCHES) >= len(SEARCHES) - 2
        )  # the searches find things
    finally:
        lite.close()
        server.close()


def test_both_schemas_end_at_the_same_version() -> None:
    """A new SQLite migration needs its PostgreSQL step (or an explicit empty one) in pg_schema.PG_MIGRATIONS."""
    assert pg_schema.PG_SCHEMA_VERSION == db.SCHEMA_VERSION


def test_a_second_open_finds_the_schema_current(tmp_path: Path, postgres_server: str) -> None:
    Store.open(tmp_path / "a.sqlite3", database=postgres_server).close()
    store = Store.open(tmp_path / "b.sqlite3", database=postgres_server)
    try:
        assert pg_schema.schema_version(store.conn) == pg_schema.PG_SCHEMA_VERSION
        assert not (tmp_path / "b.sqlite3").exists()  # nothing local is written for a server's store
    finally:
        store.close()


def test_a_sqlite_only_table_is_refused_in_words_on_postgresql(tmp_path: Path, postgres_server: str) -> None:
    store = Store.open(tmp_path / "v.sqlite3", database=empty_database(postgres_server))
    try:
        with pytest.raises(
            NotOnPostgresError, match=r"word forms .* not available on a PostgreSQL database yet"
        ):
            store.conn.execute("SELECT count(*) FROM articles_stems")
        assert store.list_cases() == []  # cases are on the server (schema 20), each analyst's own
        store.add_feed("http://127.0.0.1:9/after.xml")  # the connection is still good after the refusal
    finally:
        store.close()


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("postgresql://analyst:hunter2@db.example/vigie", "must not carry a password"),
        ("postgresql://analyst@db.example/vigie?password=hunter2", "must not carry a password"),
        ("mysql://analyst@db.example/vigie", "must start with postgresql://"),
    ],
)
def test_database_urls_are_checked_in_words(url: str, words: str) -> None:
    with pytest.raises(StoreError, match=words) as raised:
        check_database_url(url)
    assert "hunter2" not in str(raised.value)


def test_sqlite_words_are_translated_outside_literals_only() -> None:
    # A % in a literal is doubled too: psycopg reads every % of the text as its own (LIKE 'http%' with a ?).
    assert translate("SELECT '?', '%' , ? WHERE a LIKE 'x%' || ?", True) == (
        "SELECT '?', '%%' , %s WHERE a LIKE 'x%%' || %s"
    )
    assert translate("SELECT 'x%'", False) == "SELECT 'x%'"  # no parameters: psycopg leaves the text alone
    assert translate("SELECT 5 % ?", True) == "SELECT 5 %% %s"
    assert (
        translate("SELECT * FROM feeds WHERE x >= :since", True) == "SELECT * FROM feeds WHERE x >= %(since)s"
    )
    assert translate("BEGIN IMMEDIATE", False) == "BEGIN"
    assert translate("DELETE FROM temp.new_scores", False) == "DELETE FROM pg_temp.new_scores"
    assert translate("FROM feeds f CROSS JOIN articles a ON a.feed_id = f.id", False) == (
        "FROM feeds f JOIN articles a ON a.feed_id = f.id"
    )
    # The story index's words (stories on PostgreSQL, schema 20).
    assert translate("SELECT id FROM articles INDEXED BY articles_ungrouped WHERE story IS NULL", False) == (
        "SELECT id FROM articles WHERE story IS NULL"
    )
    assert (
        translate("SELECT group_concat(entry, char(9)) FROM e", False)
        == "SELECT string_agg(entry, chr(9)) FROM e"
    )
    assert translate("INSERT OR IGNORE INTO stories_stale(story) VALUES (?)", True) == (
        "INSERT INTO stories_stale(story) VALUES (%s) ON CONFLICT DO NOTHING"
    )
    assert translate("INSERT OR REPLACE INTO stories(id, thread, related_seed) VALUES (?, ?, ?)", True) == (
        "INSERT INTO stories(id, thread, related_seed) VALUES (%s, %s, %s) "
        "ON CONFLICT (id) DO UPDATE SET thread = excluded.thread, related_seed = excluded.related_seed"
    )


def test_julianday_is_sqlites_on_both_engines(open_store) -> None:  # type: ignore[no-untyped-def]
    """Grouping's hours since the epoch: an offset is honoured, a date without one is UTC, on either engine."""
    store = open_store()
    hours = "SELECT (julianday(?) - 2440587.5) * 24.0"
    for text, expected in [
        ("1970-01-02T00:00:00+00:00", 24.0),
        ("1970-01-02T02:00:00+02:00", 24.0),
        ("1970-01-02T00:00:00", 24.0),
        ("2026-03-01T12:30:00Z", 492_324.5),
    ]:
        assert abs(float(store.conn.execute(hours, (text,)).fetchone()[0]) - expected) < 1e-6, text


def test_the_signals_sqlite_words_are_translated() -> None:
    """What storage/signal_counts.py and name_index.py write in SQLite's words (the signals on PostgreSQL)."""
    assert translate(
        "SELECT entry FROM article_entries e INDEXED BY article_entries_timeline WHERE x", False
    ) == ("SELECT entry FROM article_entries e WHERE x")
    assert translate("SELECT date(e.published, '-6 days', 'weekday 1') || 'T'", True) == (
        "SELECT to_char(date_trunc('week', substr(e.published, 1, 10)::timestamp), 'YYYY-MM-DD') || 'T'"
    )
    assert translate("SELECT group_concat(forms, char(30)), group_concat(article_id) FROM n", False) == (
        "SELECT string_agg(forms, chr(30)), string_agg(CAST(article_id AS text), ',') FROM n"
    )


def test_a_database_created_at_the_baseline_gets_the_later_steps(
    postgres_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A team database created at 13 (before stories and revisions reached PostgreSQL) gets steps 11, 14 and 15 on
    its next open, step 11 although it is numbered below the baseline, and an article written at 13 keeps its
    first version."""
    import psycopg

    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS vigie_upgrade")
        admin.execute("CREATE DATABASE vigie_upgrade")
    url = postgres_server.replace("/vigie_test?", "/vigie_upgrade?")
    assert url != postgres_server
    conn = pg.connect(url)
    try:
        with monkeypatch.context() as patch:
            patch.setattr(pg_schema, "PG_MIGRATIONS", {pg_schema.BASELINE: pg_schema.PG_MIGRATIONS[13]})
            patch.setattr(pg_schema, "PG_SCHEMA_VERSION", pg_schema.BASELINE)
            assert pg_schema.migrate(conn) == pg_schema.BASELINE
        conn.execute(
            "INSERT INTO articles(source, dedup_key, title, fetched, content_hash, first_seen, last_updated)"
            " VALUES ('seed', 'k', 'Avant', '2026-01-01', 'h', '2026-01-01', '2026-01-01')"
        )
        assert pg_schema.migrate(conn) == db.SCHEMA_VERSION
        steps = sorted(r[0] for r in conn.execute("SELECT version FROM vigie_schema"))
        assert steps == [11, *range(pg_schema.BASELINE, db.SCHEMA_VERSION + 1)]  # every step once
        row = conn.execute(
            "SELECT a.title, a.story, a.revisions FROM articles a JOIN article_versions v ON v.article_id = a.id"
        ).fetchone()
        assert (row["title"], row["story"], row["revisions"]) == ("Avant", None, 0)
    finally:
        conn.close()


def test_the_word_pairs_index_is_built_over_the_articles_already_stored(
    tmp_path: Path, postgres_server: str
) -> None:
    """A database without step 25 but with articles (and v22's pairs index of text) gets the index of the pairs'
    hashes on its next open, v22's goes, and a phrase then finds what the positions alone find (the pairs are read
    from the stored vectors)."""
    url = empty_database(postgres_server)
    store = Store.open(tmp_path / "unused.sqlite3", database=url)
    long_word = "x" * 600  # v22 left out a pair over 1,000 bytes; a hash has no size limit
    try:
        _fill(store)
        _save(store, [("Mot long", f"le {long_word} {long_word} du port")], prefix="long")
        # The stems' vectors answer plain words only (no phrase): schema 22 stores them without positions.
        stripped = "SELECT bool_and(french = strip(french) AND english = strip(english)) FROM articles_search"
        assert store.conn.execute(stripped).fetchone()[0]
        assert not store.conn.execute(
            "SELECT bool_and(simple = strip(simple)) FROM articles_search"
        ).fetchone()[0]
        # Back to schema 24: v22's index of the pairs' text, as a store made before step 25 has it.
        store.conn.execute("DROP INDEX articles_search_pair_keys")
        store.conn.execute("DROP FUNCTION vigie_pair_keys(tsvector)")
        # Steps 27, 29 and 31 again too: step 22 redefines the search trigger as it was then (both stems' vectors,
        # no deferral), step 25 the pairs' keys as a SQL function, and the session's database must leave this test
        # with the current ones.
        store.conn.execute("DELETE FROM vigie_schema WHERE version IN (22, 25, 26, 27, 29, 31)")
    finally:
        store.close()
    store = Store.open(tmp_path / "unused.sqlite3", database=url)
    try:
        assert pg_schema.schema_version(store.conn) == pg_schema.PG_SCHEMA_VERSION
        assert store.conn.execute("SELECT to_regclass('articles_search_pair_keys') IS NOT NULL").fetchone()[0]
        assert not store.conn.execute("SELECT to_regclass('articles_search_pairs') IS NOT NULL").fetchone()[0]
        assert not store.conn.execute(
            "SELECT to_regprocedure('vigie_pairs(tsvector)') IS NOT NULL"
        ).fetchone()[0]
        for phrase in (
            "la police",
            "vieux port",
            "police a saisi",
            "la la la",
            f"le {long_word} {long_word}",
        ):
            by_positions = {
                r[0]
                for r in store.conn.execute(
                    "SELECT a.title FROM articles a JOIN articles_search s ON s.article_id = a.id"
                    " WHERE s.simple @@ phraseto_tsquery('simple', vigie_unaccent(?))",
                    [phrase],
                )
            }
            assert by_positions, phrase
            assert _found(store, f'"{phrase}"') == by_positions, phrase
    finally:
        store.close()


def test_the_pair_keys_are_every_adjacent_pair_of_the_simple_vector(
    tmp_path: Path, postgres_server: str
) -> None:
    """vigie_pair_keys (pg_schema v25) holds the hash of each pair of lexemes at positions p and p + 1, and no
    other key: the pairs are rebuilt here from the vector's positions, in Python, and hashed by the server."""
    store = Store.open(tmp_path / "unused.sqlite3", database=empty_database(postgres_server))
    try:
        _fill(store)
        rows = store.conn.execute(
            "SELECT article_id, vigie_pair_keys(s.simple) AS pair_keys FROM articles_search s"
        ).fetchall()
        assert len(rows) == len(CORPUS)
        for row in rows:
            at = {
                position: lexeme
                for lexeme, positions in store.conn.execute(
                    "SELECT u.lexeme, u.positions FROM articles_search s, unnest(s.simple) u WHERE s.article_id = ?",
                    [row["article_id"]],
                ).fetchall()
                for position in positions
            }
            pairs = [f"{at[p]} {at[p + 1]}" for p in sorted(at) if p + 1 in at]
            hashed = {
                r[0]
                for r in store.conn.execute(
                    "SELECT hashtextextended(unnest(?::text[]), 0)", [pairs]
                ).fetchall()
            }
            assert set(row["pair_keys"]) == hashed
            assert len(row["pair_keys"]) == len(pairs)
    finally:
        store.close()


def test_a_word_found_as_written_is_found_by_its_stems(tmp_path: Path, postgres_server: str) -> None:
    """A plain word is searched by its French and English stems alone (pg_search._WORD_CONDITION): every word of
    letters and digits that the simple vector holds must be found by both stems' vectors, whatever the text
    around it (URLs, e-mail addresses, hyphens, numbers, other scripts)."""
    text = (
        "Voir http://example.com/drogue-dure?x=1 et www.drogue.fr, écrire à a.b@c.fr, le post-covid19 de 2024, "
        "version 1.2.3, 3.14, 1e5, -42, l'Île-de-France, Ærø, naïve, Straße, Москва наркотики, 東京, x_y, "
        "foo_bar-baz, C++ et C#, 10h30, 2e-3, ABC123def, /usr/local/bin, index.html, <b>gras</b> &amp; fin, "
        "Les enquêteurs saisissent des drogues ; the investigators seized drugs, menaces, threatened"
    )
    store = Store.open(tmp_path / "unused.sqlite3", database=empty_database(postgres_server))
    try:
        rows = store.conn.execute(
            "WITH v AS (SELECT to_tsvector('simple', vigie_unaccent(?)) s,"
            " strip(to_tsvector('vigie_french', vigie_unaccent(?))) f,"
            " strip(to_tsvector('vigie_english', vigie_unaccent(?))) e)"
            " SELECT u.lexeme, f @@ plainto_tsquery('vigie_french', u.lexeme) AND"
            " e @@ plainto_tsquery('vigie_english', u.lexeme) FROM v, unnest(v.s) u",
            [text] * 3,
        ).fetchall()
        words = {lexeme: found for lexeme, found in rows if WORD.fullmatch(lexeme)}
        assert len(words) > 40
        assert {w for w, found in words.items() if not found} == set()
    finally:
        store.close()


def test_executemany_inserts_every_row_and_counts_them_on_both_engines(open_store) -> None:  # type: ignore[no-untyped-def]
    """On PostgreSQL a one-row INSERT's rows go as multi-row INSERTs (pg.ROWS_PER_INSERT a statement): every row
    lands, a conflict is ignored row by row, and rowcount is the rows inserted, as sqlite3's."""
    store = open_store()
    rows = [(f"k{n}", str(n)) for n in range(1_200)]
    with db.transaction(store.conn):
        assert (
            store.conn.executemany("INSERT INTO meta(key, value) VALUES (?, ?)", rows[:100]).rowcount == 100
        )
        cur = store.conn.executemany("INSERT OR IGNORE INTO meta(key, value) VALUES (?, ?)", rows)
        assert cur.rowcount == 1_100
        assert (
            store.conn.executemany("INSERT OR IGNORE INTO meta(key, value) VALUES (?, ?)", []).rowcount <= 0
        )
    found = store.conn.execute("SELECT count(*), min(value) FROM meta WHERE key LIKE 'k%'").fetchone()
    assert (found[0], found[1]) == (1_200, "0")
