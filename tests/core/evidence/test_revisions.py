"""Revisions: every version of a changed item is kept with its fetch's validators and digests, never changed;
an item its feed stops listing is marked gone and kept; the export carries the versions."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.core.models import ArticleQuery
from monitor.core.parsing.links import content_hash
from monitor.core.service import VigieCore
from monitor.core.support.worddiff import word_diff
from monitor.paths import AppPaths
from tests.conftest import ServedFeed, serve_feed

ITEM = """<item><guid>{guid}</guid><title>{title}</title><link>http://example.org/{guid}</link>
<description>{summary}</description><pubDate>Thu, 13 Nov 2025 17:40:00 GMT</pubDate></item>"""


def rss(*items: tuple[str, str, str]) -> bytes:
    body = "".join(ITEM.format(guid=g, title=t, summary=s) for g, t, s in items)
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Wire</title>'
        f"<link>http://example.org/</link>{body}</channel></rss>"
    ).encode()


FIRST = ("a-1", "Le PNACO saisi du dossier Vasseur", "Le parquet enquête sur Marc Vasseur et Paul Durand.")
SECOND = ("a-1", "Le parquet saisi du dossier", "Le parquet enquête sur Paul Durand.")
OTHER = ("b-2", "Un autre sujet", "Rien à voir.")


@pytest.fixture
def core(tmp_path: Path) -> Iterator[VigieCore]:
    vigie = VigieCore(AppPaths(tmp_path / "profile"))
    yield vigie
    vigie.close()


def test_a_changed_item_keeps_every_version_with_its_digests(core: VigieCore, httpserver) -> None:
    served = ServedFeed(rss(FIRST, OTHER))
    core.add_feed(serve_feed(httpserver, "/wire.xml", served), "Wire")
    core.poll()
    first = next(a for a in core.store.articles(ArticleQuery()) if (a.guid or "").endswith("a-1"))
    assert any(m.text == "PNACO" for m in first.matches)  # the watchlist's prosecutor's office
    first_doc, first_etag = served.body, served.etag
    served.body = rss(SECOND, OTHER)
    result = core.poll()
    assert result.updated == 1
    core.poll()  # 304: nothing new stored

    article = next(a for a in core.store.articles(ArticleQuery()) if (a.guid or "").endswith("a-1"))
    assert article.revisions == 1 and article.title == SECOND[1]
    versions = core.store.versions(article.id)
    assert [v.number for v in versions] == [1, 2]
    one, two = versions
    assert (one.title, one.summary) == FIRST[1:] and (two.title, two.summary) == SECOND[1:]
    assert one.etag == first_etag and two.etag == served.etag
    assert one.last_modified == served.last_modified
    assert one.doc_sha256 == hashlib.sha256(first_doc).hexdigest()
    assert two.doc_sha256 == hashlib.sha256(served.body).hexdigest()
    assert one.text_sha256 == content_hash(*FIRST[1:], "") != two.text_sha256
    # Only what changed is stored for the second version: the link did not change.
    row = core.store.conn.execute(
        "SELECT link, title FROM article_versions WHERE article_id = ? ORDER BY id DESC", (article.id,)
    ).fetchone()
    assert row["link"] is None and row["title"] == SECOND[1]
    # The unchanged item has one version, and is not among the revised ones.
    revised = list(core.store.articles(ArticleQuery(revised_only=True)))
    assert [a.id for a in revised] == [article.id]

    # The name removed in the later version shows in the word diff as removed.
    removed = [text for op, text in word_diff(one.summary, two.summary) if op == "removed"]
    assert "Marc Vasseur et" in " ".join(removed)
    # Matching runs on the latest version: the office's name, gone from it, no longer matches.
    assert not any(m.text == "PNACO" for m in article.matches)

    # A case report's provenance lists both versions with their digests.
    report = core.case_report_html(core.add_to_case("Dossier", [article.id]).case.id)
    for version in versions:
        assert version.text_sha256 in report and version.doc_sha256 in report  # type: ignore[operator]
    assert "2 stored versions" in report

    # Stored versions never change.
    with pytest.raises(sqlite3.IntegrityError, match="never changes"):
        core.store.conn.execute("UPDATE article_versions SET title = 'x' WHERE article_id = ?", (article.id,))

    out = io.StringIO()
    core.export_articles(out, "jsonl")
    records = {(r["guid"] or "").rsplit("/", 1)[-1]: r for r in map(json.loads, out.getvalue().splitlines())}
    exported = records["a-1"]["versions"]
    assert [v["title"] for v in exported] == [FIRST[1], SECOND[1]]
    assert [v["sha256"] for v in exported] == [one.text_sha256, two.text_sha256]
    assert all(v["fetched"] for v in exported) and exported[0]["summary"] == FIRST[2]
    assert len(records["b-2"]["versions"]) == 1
    csv_out = io.StringIO()
    core.export_articles(csv_out, "csv")
    rows = list(csv.DictReader(io.StringIO(csv_out.getvalue())))
    assert {r["title"]: r["versions"] for r in rows if r["source"] != "seed"} == {
        SECOND[1]: "2",
        OTHER[1]: "1",
    }


def test_an_item_that_vanishes_is_marked_gone_and_kept(core: VigieCore, httpserver) -> None:
    served = ServedFeed(rss(FIRST, OTHER))
    core.add_feed(serve_feed(httpserver, "/wire.xml", served), "Wire")
    core.poll()
    served.body = rss(OTHER)
    core.poll()
    stored = {(a.guid or "").rsplit("/", 1)[-1]: a for a in core.store.articles(ArticleQuery())}
    assert stored["a-1"].gone is not None  # kept, marked
    assert stored["b-2"].gone is None
    assert stored["a-1"].title == FIRST[1]
    served.body = rss(FIRST, OTHER)  # back in the feed: no longer gone
    core.poll()
    assert core.store.article(stored["a-1"].id).gone is None  # type: ignore[union-attr]


def test_the_migration_gives_every_stored_article_its_first_version(tmp_path: Path) -> None:
    from monitor.core.storage import db

    conn = db.connect(tmp_path / "v.sqlite3")
    assert db.migrate(conn, tmp_path / "backups", db.MIGRATIONS[:13]) == 13
    conn.execute(
        "INSERT INTO articles(source, dedup_key, title, summary, content, fetched, content_hash, first_seen,"
        " last_updated) VALUES ('http://example.org/f', 'guid:x', 'Titre', 'Résumé', 'Texte', '2025-11-13T18:00:00Z',"
        " 'h', '2025-11-13T18:00:00Z', '2025-11-13T18:00:00Z')"
    )
    conn.execute(
        "INSERT INTO articles_fts(rowid, title, summary, content) VALUES (1, 'Titre', 'Résumé', 'Texte')"
    )
    assert db.migrate(conn, tmp_path / "backups") == db.SCHEMA_VERSION
    row = conn.execute("SELECT article_id, title, content, fetched FROM article_versions").fetchone()
    assert tuple(row) == (1, "Titre", "Texte", "2025-11-13T18:00:00Z")
    # The text index follows the full text from now on, and forgets the old one.
    conn.execute("UPDATE articles SET full_text = 'Octave Brunier témoigne' WHERE id = 1")
    found = conn.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'Brunier'").fetchall()
    assert [r[0] for r in found] == [1]
    conn.execute("UPDATE articles SET full_text = 'Autre chose' WHERE id = 1")
    assert conn.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'Brunier'").fetchall() == []
    conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
    conn.close()


def test_a_changed_link_alone_is_a_revision(core: VigieCore, httpserver) -> None:
    served = ServedFeed(rss(OTHER))
    core.add_feed(serve_feed(httpserver, "/wire.xml", served), "Wire")
    core.poll()
    served.body = served.body.replace(b"http://example.org/b-2", b"http://example.org/b-2?utm_source=rss")
    assert core.poll().updated == 0  # a tracking parameter is no change
    served.body = served.body.replace(
        b"http://example.org/b-2?utm_source=rss", b"http://example.org/b-2-corrected"
    )
    assert core.poll().updated == 1
    article = next(a for a in core.store.articles(ArticleQuery()) if (a.guid or "").endswith("b-2"))
    versions = core.article_versions(article.id)
    assert [v.link for v in versions] == ["http://example.org/b-2", "http://example.org/b-2-corrected"]
    assert versions[0].title == versions[1].title == OTHER[1]
