"""Full text: the pages of a full-text feed's items fetched from a local server, their main text kept, matched and
searched; a page that fails leaves the item as it was and the feed says why; nothing remote is ever kept."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug import Request, Response

from monitor.core.models import ArticleQuery
from monitor.core.parsing.links import content_hash
from monitor.core.service import VigieCore
from monitor.paths import AppPaths
from tests.conftest import ServedFeed, serve_feed

PARAGRAPHS = [
    "Le parquet national anticriminalité organisée a ouvert une information judiciaire visant un réseau "
    "d'importation de cocaïne par le port du Havre, selon des sources proches du dossier.",
    "Les enquêteurs de l'Office anti-stupéfiants ont procédé à une douzaine d'interpellations à l'aube, dans "
    "plusieurs villes, et saisi des documents comptables ainsi que des téléphones chiffrés.",
    "Parmi les personnes entendues figure Octave Brunier, présenté par les enquêteurs comme le logisticien du "
    "réseau, qui aurait organisé le transport des conteneurs depuis l'Amérique du Sud.",
    "Les avocats de la défense n'ont pas souhaité réagir. L'enquête se poursuit sous la direction d'un juge "
    "d'instruction, et de nouvelles auditions sont prévues dans les prochaines semaines.",
]


def article_page(extra_head: str = "", paragraphs: list[str] = PARAGRAPHS) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html><head><title>Enquête</title>{extra_head}</head><body>"
        "<nav><a href='/'>Accueil</a> | <a href='/politique'>Politique</a></nav>"
        f"<article><h1>Un réseau démantelé au Havre</h1>{body}</article>"
        "<footer>© Le Journal — mentions légales</footer></body></html>"
    ).encode()


HOSTILE = article_page(
    "<script src='https://tracker.example.net/t.js'></script><script>document.write('<img src=x>')</script>"
).replace(
    b"<article>",
    b"<article><img src='https://cdn.example.net/photo.jpg' onerror='alert(1)'>"
    b"<iframe src='https://ads.example.net/'></iframe><script>fetch('https://evil.example.net/')</script>",
)
STUB = article_page(paragraphs=["Cet article est réservé aux abonnés. Abonnez-vous pour lire la suite."])


def feed_xml(base: str, names: list[str]) -> bytes:
    items = "".join(
        f"<item><guid>{n}</guid><title>Article {n}</title><link>{base}/pages/{n}</link>"
        f"<description>Un réseau démantelé au Havre ({n}).</description></item>"
        for n in names
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Journal</title><link>{base}/</link>'
        f"{items}</channel></rss>"
    ).encode()


@pytest.fixture
def core(data_dir: Path, database: str | None) -> Iterator[VigieCore]:
    """On both engines (the `database` fixture of tests/core/evidence/conftest.py)."""
    vigie = VigieCore(AppPaths.resolve(data_dir), database=database)
    yield vigie
    vigie.close()


def serve_pages(httpserver) -> None:  # type: ignore[no-untyped-def]
    def page(body: bytes, status: int = 200, kind: str = "text/html; charset=utf-8"):  # type: ignore[no-untyped-def]
        def respond(request: Request) -> Response:
            return Response(body, status=status, content_type=kind, headers={"ETag": '"p1"'})

        return respond

    pages = {
        "good": page(article_page()),
        "hostile": page(HOSTILE),
        "forbidden": page(b"<html><body>Forbidden</body></html>", status=403),
        "stub": page(STUB),
        "huge": page(article_page(paragraphs=PARAGRAPHS * 6000)),
        "pdf": page(b"%PDF-1.4 " + b"x" * 5000, kind="application/pdf"),
    }
    for name, handler in pages.items():
        httpserver.expect_request(f"/pages/{name}").respond_with_handler(handler)


def test_full_text_keeps_the_main_text_and_reports_failed_pages(core: VigieCore, httpserver) -> None:
    serve_pages(httpserver)
    base = httpserver.url_for("").rstrip("/")
    names = ["good", "hostile", "forbidden", "stub", "huge", "pdf"]
    plain, _ = core.add_feed(
        serve_feed(httpserver, "/plain.xml", ServedFeed(feed_xml(base, ["good"]))), "Plain"
    )
    feed, _ = core.add_feed(serve_feed(httpserver, "/feed.xml", ServedFeed(feed_xml(base, names))), "Journal")
    assert core.set_full_text([feed.id], True) == 1
    core.poll()

    # Off by default: the plain feed's item keeps the feed's text only.
    assert [a.full_text for a in core.store.articles(ArticleQuery(view="feed", feed_id=plain.id))] == [""]
    stored = {
        a.guid.rsplit("/", 1)[-1]: a for a in core.store.articles(ArticleQuery()) if a.feed_id == feed.id
    }  # type: ignore[union-attr]
    good = stored["good"]
    assert "Octave Brunier" in good.full_text and "mentions légales" not in good.full_text
    assert good.summary.startswith("Un réseau démantelé")  # the feed's own text is kept beside it
    hostile = stored["hostile"]
    assert "Octave Brunier" in hostile.full_text
    for remote in ("http", "<", "script", "cdn.example", "tracker", "evil", "onerror"):
        assert remote not in hostile.full_text
    for name in ("forbidden", "stub", "huge", "pdf"):
        assert stored[name].full_text == "", name  # left as it was

    # A page version with the page's digest; the first full text is not counted as a revision.
    versions = core.article_versions(good.id)
    assert [v.kind for v in versions] == ["feed", "page"]
    assert versions[1].etag == '"p1"' and versions[1].full_text == good.full_text and versions[1].doc_sha256
    assert good.revisions == 0

    # Matched and searched like the rest: the watchlist's prosecutor's office and the name are only in the page.
    in_page = [m for m in good.matches if m.field == "content"]
    assert in_page and all(good.field_text("content")[m.start : m.end] == m.text for m in in_page)
    assert good.score > 0
    found = {a.id for a in core.store.articles(ArticleQuery(search="Brunier"))}
    assert found == {good.id, hostile.id}

    state = core.store.get_feed(feed.id).full_text_state  # type: ignore[union-attr]
    assert state is not None and "4 of 6" in state

    # The next poll: nothing changed, no page fetched again.
    pages_before = sum("/pages/" in str(req.path) for req, _ in httpserver.log)
    core.poll()
    assert sum("/pages/" in str(req.path) for req, _ in httpserver.log) == pages_before


def test_the_cli_turns_full_text_on_and_feed_health_says_what_failed(
    data_dir: Path, database: str | None, httpserver, capsys
) -> None:  # type: ignore[no-untyped-def]
    import json

    from monitor.cli import main as run

    serve_pages(httpserver)
    base = httpserver.url_for("").rstrip("/")
    url = serve_feed(httpserver, "/feed.xml", ServedFeed(feed_xml(base, ["good", "forbidden"])))
    engine = ["--database", database] if database else []  # `vigie --database URL ...` on PostgreSQL

    def main(args: list[str]) -> int:
        return run(engine + args)

    assert main(["feeds", "add", url, "--no-check"]) == 0
    assert main(["feeds", "full-text", url, "on"]) == 0
    assert "full text on" in capsys.readouterr().out
    assert main(["feeds", "list"]) == 0
    assert "; full text;" in capsys.readouterr().out
    assert main(["poll"]) == 0
    capsys.readouterr()
    assert main(["feeds", "health", "--format", "jsonl"]) == 0
    row = json.loads(capsys.readouterr().out.splitlines()[0])
    assert row["full_text"] is True
    assert "1 of 2 page(s) failed" in row["full_text_state"] and "403" in row["full_text_state"]
    assert "1 of 2 page(s) failed" in row["health"]  # the feed itself is fine; its pages are said
    assert main(["articles", "export", "--format", "jsonl"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    good = next(r for r in records if (r["link"] or "").endswith("/pages/good"))
    assert "Octave Brunier" in good["full_text"] and good["content"].endswith(good["full_text"])
    assert [v["kind"] for v in good["versions"]] == ["feed", "page"]
    for m in good["matches"]:
        assert good[m["field"]][m["start"] : m["end"]] == m["text"]
    assert main(["feeds", "full-text", url, "off"]) == 0


def test_a_changed_page_is_a_new_revision_with_its_digests(core: VigieCore, httpserver) -> None:  # type: ignore[no-untyped-def]
    """The page changes with its item: a feed version and a page version each, the page's text and document
    digests kept, the old text in the first page version, and the search reading the new page only."""
    base = httpserver.url_for("").rstrip("/")
    first_page = article_page()
    later_words = [
        *PARAGRAPHS[:3],
        "Un second suspect, Lazare Quintavalle, a été placé en garde à vue mardi soir.",
    ]
    later_page = article_page(paragraphs=later_words)
    page = ServedFeed(first_page, content_type="text/html; charset=utf-8")  # its ETag follows its body
    serve_feed(httpserver, "/pages/story", page)
    served = ServedFeed(feed_xml(base, ["story"]))
    feed, _ = core.add_feed(serve_feed(httpserver, "/feed.xml", served), "Journal")
    core.set_full_text([feed.id], True)
    core.poll()
    [article] = core.store.articles(ArticleQuery(view="feed", feed_id=feed.id))
    assert "Octave Brunier" in article.full_text and article.revisions == 0

    served.body = served.body.replace(b"(story)", b"(story, mis \xc3\xa0 jour)")
    page.body = later_page
    core.poll()
    [article] = core.store.articles(ArticleQuery(view="feed", feed_id=feed.id))
    assert "Lazare Quintavalle" in article.full_text and "avocats de la défense" not in article.full_text
    assert article.revisions == 2  # the feed's change and the page's
    versions = core.article_versions(article.id)
    assert [v.kind for v in versions] == ["feed", "page", "feed", "page"]
    first, second = versions[1], versions[3]
    assert "avocats de la défense" in first.full_text and second.full_text == article.full_text
    assert first.text_sha256 == content_hash(first.full_text)
    assert second.text_sha256 == content_hash(article.full_text) != first.text_sha256
    assert first.doc_sha256 == hashlib.sha256(first_page).hexdigest()
    assert second.doc_sha256 == hashlib.sha256(later_page).hexdigest() and second.etag == page.etag
    # The second fetch was conditional on the first page's validator.
    asked = [req.headers.get("If-None-Match") for req, _ in httpserver.log if req.path == "/pages/story"]
    assert asked == [None, '"' + hashlib.sha1(first_page).hexdigest()[:16] + '"']
    assert [a.id for a in core.store.articles(ArticleQuery(search="Quintavalle"))] == [article.id]
    assert list(core.store.articles(ArticleQuery(search="avocats"))) == []  # only in the first page
