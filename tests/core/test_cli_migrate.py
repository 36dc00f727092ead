"""`vigie migrate --to URL` against the session's throwaway PostgreSQL: a profile polled from local feeds (folders,
matches, versions, stories, read, starred, judgement, cases with their notes and tags) lands on the server as the
profile has it (the cases in the migrating analyst's case files), the counts are checked and printed, and a second
run copies nothing twice."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.core.storage.engine import default_analyst
from monitor.core.storage.store import Store
from monitor.core.support.clock import iso, utc_now
from tests.conftest import ServedFeed, serve_feed
from tests.core.hostile_server import rss
from tests.pg_server import empty_database

WIRE = [
    ("w1", "Amine Kessaci entendu par les juges à Marseille"),
    ("w2", "Marseille : la famille Kessaci demande la vérité"),
    ("w3", "Météo : un week-end ensoleillé sur la Provence"),
    ("w4", "Le PNACO saisi d'un dossier de trafic à Marseille"),
]
OTHER = [
    ("o1", "Amine Kessaci entendu par les juges à Marseille, selon son avocat"),
    ("o2", "Football : l'OM l'emporte à domicile"),
]
TABLES = ["folders", "feeds", "articles", "article_entries", "article_versions", "stories"]
TABLES += ["cases", "case_items", "case_item_tags"]
TABLES += ["story_features", "story_keys", "story_df", "story_outlets"]
STORY_ROW = ("title", "first_seen", "last_updated", "reports", "outlets", "languages", "score", "highlighted")


def _opml(path: Path, wire: str, other: str) -> Path:
    path.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body>'
        f'<outline text="News"><outline text="France"><outline type="rss" text="Wire" xmlUrl="{wire}"/>'
        f'</outline></outline><outline type="rss" text="Other" xmlUrl="{other}"/></body></opml>',
        encoding="utf-8",
    )
    return path


def _export(capsys: pytest.CaptureFixture[str], *database: str) -> dict[tuple[str, str], dict]:
    capsys.readouterr()
    assert main([*database, "articles", "export", "--format", "jsonl"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    return {(r["source"], r["guid"] or r["link"]): r for r in records}


def _counts(url: str) -> dict[str, int]:
    store = Store.open(Path("unused.sqlite3"), database=url)
    try:
        return {t: int(store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in TABLES}
    finally:
        store.close()


def _cases(path: Path, url: str | None = None, analyst: str | None = None) -> list[tuple]:
    """Every case of the store (the profile's file, else the server's as `analyst`) as comparable values: name,
    note, dates, and each item's article (by its link), note, tags, pinning time, hash and outlet."""
    store = Store.open(path, database=url, analyst=analyst)
    try:
        return [
            (case.name, case.note, case.created, case.updated, [
                (i.article.link if i.article else None, i.note, i.tags, i.added, i.pinned_hash, i.outlet)
                for i in store.case_items(case.id)
            ])
            for case in store.list_cases()
        ]  # fmt: skip
    finally:
        store.close()


def _story_groups(records: dict[tuple[str, str], dict]) -> set[frozenset[tuple[str, str]]]:
    groups: dict[int, set[tuple[str, str]]] = {}
    for key, record in records.items():
        if record["story"] is not None:
            groups.setdefault(record["story"], set()).add(key)
    return {frozenset(g) for g in groups.values()}


def test_a_profile_moves_in_whole_and_a_second_run_copies_nothing(
    data_dir: Path, postgres_server: str, httpserver, tmp_path: Path, capsys
) -> None:
    url = empty_database(postgres_server)
    wire = ServedFeed(rss("Wire", WIRE))
    wire_url = serve_feed(httpserver, "/wire.xml", wire)
    other = ServedFeed(rss("Other", OTHER))
    other_url = serve_feed(httpserver, "/other.xml", other)
    assert main(["feeds", "import", str(_opml(tmp_path / "f.opml", wire_url, other_url))]) == 0
    assert main(["poll"]) == 0
    wire.body = rss("Wire", [("w1", WIRE[0][1] + " (mis à jour)"), *WIRE[1:]])  # a second version of w1
    assert main(["poll"]) == 0
    local = _export(capsys)
    ids = {key[1].rsplit("/", 1)[-1]: r["id"] for key, r in local.items() if key[0] != "seed"}  # guid: w1...
    store = Store.open(data_dir / "vigie.sqlite3")
    try:
        store.set_read([ids["w1"], ids["o2"]])
        store.set_starred(ids["w4"], True)
    finally:
        store.close()
    assert main(["articles", "judge", str(ids["w3"]), "relevant"]) == 0
    # Two cases with notes and tags, one item pinned in both.
    assert (
        main(["cases", "add", "Dossier Kessaci", str(ids["w1"]), str(ids["o1"]), "--note", "Les auditions"])
        == 0
    )
    assert (
        main(["cases", "add", "Trafic", str(ids["w4"]), str(ids["w1"]), "--tag", "PNACO", "--tag", "port"])
        == 0
    )
    local_cases = _cases(data_dir / "vigie.sqlite3")
    local = _export(capsys)
    assert any(r["matches"] for r in local.values()) and any(len(r["versions"]) > 1 for r in local.values())

    assert main(["migrate", "--to", url]) == 0
    out = capsys.readouterr().out
    total = len(local)
    assert "folders: 2 in the profile, 2 copied, 0 already there" in out
    assert "feeds: 2 in the profile, 2 copied, 0 already there" in out
    assert f"articles: {total} in the profile, {total} copied, 0 already there" in out
    assert "2 read, 1 starred, 1 judged" in out and "check: every folder, feed and article" in out
    analyst = default_analyst()
    assert f"cases: 2 in the profile, 2 copied, 0 already there (into {analyst}'s case files)" in out
    assert "case items: 4 in the profile, 4 copied, 0 already there" in out
    copied = _counts(url)
    assert _cases(data_dir / "vigie.sqlite3", url) == local_cases  # the same notes, tags, dates and articles
    assert _cases(data_dir / "vigie.sqlite3", url, "another-analyst") == []  # the migrator's own case files

    remote = _export(capsys, "--database", url)
    assert remote.keys() == local.keys()
    same = ("title", "content", "published", "score", "highlighted", "matches")
    same += ("read", "starred", "judgement")
    for key, record in local.items():
        assert {f: remote[key][f] for f in same} == {f: record[f] for f in same}, key
        assert [v["title"] for v in remote[key]["versions"]] == [v["title"] for v in record["versions"]], key
        assert remote[key]["alert"] is False  # a copied article is no new alert
    assert _story_groups(remote) == _story_groups(local) and _story_groups(local)
    local_rows = _story_rows(data_dir / "vigie.sqlite3", None)
    assert _story_rows(tmp_path / "unused.sqlite3", url) == local_rows and local_rows  # the story view's rows
    others = _export(
        capsys, "--database", url, "--analyst", "another-analyst"
    )  # the marks are the migrator's
    assert not any(r["read"] or r["starred"] or r["judgement"] for r in others.values())

    assert main(["migrate", "--to", url]) == 0  # the second run
    out = capsys.readouterr().out
    assert f"articles: {total} in the profile, 0 copied, {total} already there" in out
    assert "feeds: 2 in the profile, 0 copied, 2 already there" in out
    assert "cases: 2 in the profile, 0 copied, 2 already there" in out
    assert "case items: 4 in the profile, 0 copied, 4 already there" in out
    assert _counts(url) == copied
    assert _cases(data_dir / "vigie.sqlite3", url) == local_cases

    assert main(["--database", url, "feeds", "list"]) == 0
    listed = capsys.readouterr().out
    assert f"<{wire_url}>" in listed and "in News/France" in listed
    assert main(["--database", url, "poll"]) == 0  # the copied validators: a conditional GET, nothing new
    assert "0 new, 0 updated, 0 failed" in capsys.readouterr().out
    # A later reprint polled by the server joins the copied story: the story index came with the articles.
    other.body = rss("Other", [*OTHER, ("o3", WIRE[1][1] + ", selon l'AFP")])
    assert main(["--database", url, "poll"]) == 0
    remote = _export(capsys, "--database", url)
    by_guid = {key[1].rsplit("/", 1)[-1]: r for key, r in remote.items() if key[0] != "seed"}
    assert by_guid["o3"]["story"] == by_guid["w2"]["story"] != by_guid["o3"]["id"]


def _story_rows(path: Path, url: str | None) -> list[tuple[object, ...]]:
    """The story view's rows of a store (the stories table's columns; ids differ from one store to the other)."""
    store = Store.open(path, database=url)
    try:
        rows = store.conn.execute(f"SELECT {', '.join(STORY_ROW)} FROM stories WHERE reports > 0").fetchall()
        return sorted(tuple(r) for r in rows)
    finally:
        store.close()


def test_migrate_says_what_is_missing_in_one_line(data_dir: Path, tmp_path: Path, capsys) -> None:
    assert main(["migrate"]) == 2
    assert "vigie migrate --to postgresql://" in capsys.readouterr().err
    assert main(["migrate", "--to", "postgresql://u:secret@db.invalid/v"]) == 2
    err = capsys.readouterr().err
    assert "password" in err and "secret" not in err
    assert main(["--data-dir", str(tmp_path / "none"), "migrate", "--to", "postgresql://db.invalid/v"]) == 2
    assert "no profile to copy" in capsys.readouterr().err


def test_full_texts_move_in_with_their_page_versions(
    data_dir: Path, postgres_server: str, httpserver, capsys
) -> None:
    """A full-text feed polled locally, moved in: the setting, the page's text and its page version land on the
    server, its search finds a word only the page has, and the server's poll fetches no page again."""
    from tests.core.evidence.test_full_text import feed_xml, serve_pages

    url = empty_database(postgres_server)
    serve_pages(httpserver)
    base = httpserver.url_for("").rstrip("/")
    feed_url = serve_feed(httpserver, "/feed.xml", ServedFeed(feed_xml(base, ["good"])))
    assert main(["feeds", "add", feed_url, "--no-check"]) == 0
    assert main(["feeds", "full-text", feed_url, "on"]) == 0
    assert main(["poll"]) == 0
    [local] = [r for r in _export(capsys).values() if r["source"] != "seed"]
    assert "Octave Brunier" in local["full_text"]
    assert main(["migrate", "--to", url]) == 0
    [remote] = [r for r in _export(capsys, "--database", url).values() if r["source"] != "seed"]
    assert remote["full_text"] == local["full_text"]
    assert [(v["kind"], v["sha256"]) for v in remote["versions"]] == [
        (v["kind"], v["sha256"]) for v in local["versions"]
    ]
    assert [v["kind"] for v in remote["versions"]] == ["feed", "page"]
    assert main(["--database", url, "feeds", "list"]) == 0
    assert "; full text;" in capsys.readouterr().out
    assert main(["--database", url, "search", "Brunier"]) == 0
    assert local["title"] in capsys.readouterr().out
    pages = sum("/pages/" in str(req.path) for req, _ in httpserver.log)
    # A poll fetches the pages of items stored since its start, to the second: it starts a second after the copy's
    # item was stored here (in the same second, the item is this poll's own as far as the clock can tell).
    while iso(utc_now()) <= remote["last_updated"]:
        time.sleep(0.05)
    assert main(["--database", url, "poll"]) == 0  # the copied item is unchanged: no page is fetched again
    assert sum("/pages/" in str(req.path) for req, _ in httpserver.log) == pages
