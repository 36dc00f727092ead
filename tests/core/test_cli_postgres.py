"""`vigie --database postgresql://...` end to end on the session's throwaway PostgreSQL (tests/pg_server.py):
import, poll local feeds, export and search on the server; and every way of failing to reach it is one line
and exit code 2."""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections import Counter
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from monitor.cli import main
from monitor.core.storage import pg
from tests.conftest import DEV_ITEMS, ServedFeed, serve_feed, write_opml
from tests.core.evidence.feeds import rss as evidence_rss
from tests.pg_server import empty_database


@pytest.fixture
def database(postgres_server: str) -> str:
    return empty_database(postgres_server)


def _socket_folder(url: str) -> str:
    return parse_qs(urlsplit(url).query)["host"][0]


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip()
    assert err.startswith("vigie: error: ") and "\n" not in err, err
    return err


def test_dev_feeds_are_polled_exported_and_searched_on_postgresql(
    data_dir: Path, database: str, dev_feeds: dict[str, str], capsys, tmp_path: Path
) -> None:
    opml = write_opml(tmp_path / "dev.opml", dev_feeds)
    assert main(["--database", database, "feeds", "import", str(opml)]) == 0
    assert "imported 5 feeds" in capsys.readouterr().out
    assert main(["--database", database, "poll"]) == 0
    assert "total: 5 feeds polled: 60 new, 0 updated, 0 failed" in capsys.readouterr().out
    assert main(["--database", database, "poll"]) == 0  # the second poll finds nothing new
    assert "0 new" in capsys.readouterr().out

    assert main(["--database", database, "articles", "export", "--format", "jsonl"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    expected = {json.loads(line)["link"] for line in DEV_ITEMS.read_text(encoding="utf-8").splitlines()}
    assert sorted(r["link"] for r in records if r["source"] != "seed") == sorted(expected)
    for record in records:
        for match in record["matches"]:
            assert record[match["field"]][match["start"] : match["end"]] == match["text"]

    # The profile's own SQLite file holds none of it: the store is on the server.
    assert main(["articles", "export", "--format", "jsonl"]) == 0
    local = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert all(r["source"] == "seed" for r in local)

    some_title_word = next(w for w in records[0]["title"].split() if len(w) > 4 and w.isalpha())
    assert main(["--database", database, "search", some_title_word]) == 0
    assert records[0]["title"] in capsys.readouterr().out


def test_the_environment_names_the_database_as_the_option_does(
    data_dir: Path, database: str, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("VIGIE_DATABASE", database)
    assert main(["feeds", "add", "--no-check", "http://127.0.0.1:9/feed.xml", "--title", "Shared"]) == 0
    capsys.readouterr()
    assert main(["feeds", "list"]) == 0
    assert "Shared" in capsys.readouterr().out
    monkeypatch.delenv("VIGIE_DATABASE")
    assert main(["feeds", "list"]) == 0
    assert "Shared" not in capsys.readouterr().out  # the local profile never saw it


def test_a_password_in_the_url_is_refused_before_any_connection(data_dir: Path, capsys) -> None:
    assert main(["--database", "postgresql://vigie:secret@db.invalid/vigie", "feeds", "list"]) == 2
    err = _one_line_error(capsys)
    assert "password" in err and "secret" not in err and ".pgpass" in err


def test_a_server_that_is_down_is_one_line_and_exit_2(data_dir: Path, tmp_path: Path, capsys) -> None:
    url = f"postgresql://vigie@/vigie_test?host={tmp_path}"  # a folder where no server listens
    assert main(["--database", url, "feeds", "list"]) == 2
    assert "cannot reach the database" in _one_line_error(capsys)


def test_a_refused_login_is_one_line_and_exit_2(data_dir: Path, database: str, capsys) -> None:
    url = f"postgresql://nobody_here@/vigie_test?host={_socket_folder(database)}"
    assert main(["--database", url, "feeds", "list"]) == 2
    assert 'role "nobody_here" does not exist' in _one_line_error(capsys)


def test_a_missing_database_is_one_line_and_exit_2(data_dir: Path, database: str, capsys) -> None:
    url = f"postgresql://vigie@/no_such_db?host={_socket_folder(database)}"
    assert main(["--database", url, "feeds", "list"]) == 2
    assert 'database "no_such_db" does not exist' in _one_line_error(capsys)


def test_a_schema_the_role_may_not_create_is_one_line_and_exit_2(
    data_dir: Path, database: str, capsys
) -> None:
    import psycopg

    with psycopg.connect(database, autocommit=True) as conn:  # the session's superuser
        conn.execute("DROP DATABASE IF EXISTS vigie_empty")
        conn.execute("CREATE DATABASE vigie_empty")
        conn.execute("DROP ROLE IF EXISTS analyst_reader")
        conn.execute("CREATE ROLE analyst_reader LOGIN")  # not the owner: no CREATE on public (PostgreSQL 15)
    url = f"postgresql://analyst_reader@/vigie_empty?host={_socket_folder(database)}"
    assert main(["--database", url, "feeds", "list"]) == 2
    assert "lacks Vigie's schema" in _one_line_error(capsys)


def test_signals_on_postgresql_count_the_exports_matches(
    data_dir: Path, database: str, dev_feeds: dict[str, str], capsys, tmp_path: Path
) -> None:
    """`vigie --database URL timeline ... --format jsonl` and `cooccurrence --format csv` on the server."""
    assert (
        main(["--database", database, "feeds", "import", str(write_opml(tmp_path / "d.opml", dev_feeds))])
        == 0
    )
    assert main(["--database", database, "poll"]) == 0
    capsys.readouterr()
    assert main(["--database", database, "articles", "export", "--format", "jsonl"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    named = [{m["entry"] for m in r["matches"]} for r in records]
    entry, total = Counter(e for entries in named for e in entries).most_common(1)[0]
    assert main(["--database", database, "timeline", entry, "--by", "week", "--format", "jsonl"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {r["entry"] for r in rows} == {entry} and sum(r["count"] for r in rows) == total
    assert all(date.fromisoformat(r["period_start"][:10]).weekday() == 0 for r in rows)  # Mondays
    assert main(["--database", database, "cooccurrence", "--format", "csv"]) == 0
    pairs = Counter(frozenset(p) for entries in named for p in itertools.combinations(sorted(entries), 2))
    got = {
        frozenset((r["entry_a"], r["entry_b"])): int(r["articles"])
        for r in csv.DictReader(io.StringIO(capsys.readouterr().out))
        if r["entry_a"] != r["entry_b"]
    }
    assert pairs and got == dict(pairs)
    assert (
        main(["--database", database, "timeline", "Kessacci"]) == 2
    )  # bad input: the same words as SQLite's
    assert "no watchlist entry 'Kessacci'" in _one_line_error(capsys)


def test_cases_on_postgresql_are_each_analysts_own(
    data_dir: Path, database: str, httpserver, capsys, tmp_path: Path
) -> None:
    """`vigie --database URL cases add | list | export` end to end on the server: alice's case with its notes
    and tags, its report; bob (another analyst on the same database) has his own, and sees none of hers."""
    alice, bob = ["--database", database, "--analyst", "alice"], ["--database", database, "--analyst", "bob"]
    press = serve_feed(httpserver, "/press.xml", ServedFeed(evidence_rss("press", 6)))
    assert main([*alice, "feeds", "add", press]) == 0
    assert main([*alice, "poll"]) == 0
    capsys.readouterr()
    assert main([*alice, "articles", "export", "--format", "jsonl"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    ids = [r["id"] for r in records if r["source"] != "seed"][:3]
    note = "Relevé par alice : à vérifier"
    assert (
        main([*alice, "cases", "add", "Dossier", str(ids[0]), str(ids[1]), "--note", note, "--tag", "port"])
        == 0
    )
    assert "created the case 'Dossier': 2 added" in capsys.readouterr().out
    assert main([*alice, "cases", "add", "dossier", str(ids[1]), str(ids[2])]) == 0
    assert "1 added, 1 already in it (3 items)" in capsys.readouterr().out
    assert main([*bob, "cases", "list"]) == 0
    assert capsys.readouterr().out == ""  # alice's case files are hers
    assert (
        main([*bob, "cases", "export", "Dossier", "--format", "html", "--output", str(tmp_path / "b.html")])
        == 2
    )
    assert "no case called 'Dossier'" in _one_line_error(capsys)
    assert main([*bob, "cases", "add", "Dossier", str(ids[2]), "--note", "bob's own"]) == 0
    assert "created the case 'Dossier': 1 added" in capsys.readouterr().out  # his own, of the same name
    assert main([*alice, "cases", "list"]) == 0
    assert capsys.readouterr().out.startswith("Dossier\t3 items")
    report = tmp_path / "dossier.html"
    assert main([*alice, "cases", "export", "Dossier", "--format", "html", "--output", str(report)]) == 0
    page = report.read_text(encoding="utf-8")
    links = {r["id"]: r["link"] for r in records}
    assert all(links[i] in page for i in ids) and "à vérifier" in page and "bob's own" not in page


def test_revisions_and_gone_items_are_kept_on_postgresql(
    data_dir: Path, database: str, httpserver, capsys
) -> None:
    """Schema 14 on the server: a changed item keeps both versions (never changed once stored), an item the feed
    stops listing is marked gone, and the poll (grouping its articles into stories) works end to end."""
    item = (
        "<item><guid>{guid}</guid><title>{title}</title><link>http://example.org/{guid}</link>"
        "<description>{title}.</description></item>"
    )

    def rss(*items: tuple[str, str]) -> bytes:
        body = "".join(item.format(guid=g, title=t) for g, t in items)
        return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>{body}</channel></rss>'.encode()

    served = ServedFeed(rss(("a-1", "Le parquet saisi du dossier Vasseur"), ("b-2", "Un autre sujet")))
    url = serve_feed(httpserver, "/wire.xml", served)
    assert main(["--database", database, "feeds", "add", url]) == 0
    assert main(["--database", database, "poll"]) == 0
    served.body = rss(("a-1", "Le parquet saisi du dossier"))
    assert main(["--database", database, "poll"]) == 0
    assert "1 updated" in capsys.readouterr().out

    assert main(["--database", database, "articles", "export", "--format", "jsonl"]) == 0
    records = {
        (r["guid"] or "").rsplit("/", 1)[-1]: r for r in map(json.loads, capsys.readouterr().out.splitlines())
    }
    assert [v["title"] for v in records["a-1"]["versions"]] == [
        "Le parquet saisi du dossier Vasseur",
        "Le parquet saisi du dossier",
    ]
    assert len(records["b-2"]["versions"]) == 1
    assert all(isinstance(r["story"], int) for r in records.values())  # grouped on PostgreSQL too

    import psycopg  # installed whenever the database fixture gave a server

    conn = pg.connect(database)
    try:
        gone = {
            r[0]: r[1] for r in conn.execute("SELECT title, gone FROM articles WHERE feed_id IS NOT NULL")
        }
        assert gone["Un autre sujet"] is not None and gone["Le parquet saisi du dossier"] is None
        with pytest.raises(psycopg.Error, match="a stored version never changes"):
            conn.execute("UPDATE article_versions SET title = 'x'")
    finally:
        conn.close()


def test_stories_and_full_texts_work_on_postgresql(data_dir: Path, database: str, httpserver, capsys) -> None:
    empty = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title></channel></rss>'
    assert (
        main(["--database", database, "feeds", "add", serve_feed(httpserver, "/w.xml", ServedFeed(empty))])
        == 0
    )
    capsys.readouterr()
    assert main(["--database", database, "stories", "list"]) == 0  # stories work there (none yet)
    # Full texts work on PostgreSQL (tests/core/evidence/test_full_text.py runs on both engines).
    assert main(["--database", database, "feeds", "full-text", "1", "on"]) == 0
