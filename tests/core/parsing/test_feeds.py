"""Feed bytes -> ParsedFeed: the dev feeds, encodings, dates, languages, non-feeds and hostile documents."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.core.models import ParsedFeed
from monitor.core.parsing.feeds import find_feed_links, parse_feed

FETCHED = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)
DEV_FILES = [
    "continental-post.atom.xml",
    "courrier-phoceen.xml",
    "eurowire.rdf.xml",
    "provence-matin-latin1.xml",
    "revue-mediterranee.xml",
]
UNDATED_IN_PROVENCE_MATIN = {
    "https://provence-matin.example.fr/article/20251127-ecoles-benoit-payan-inaugure-un-groupe-scolaire-renove-dans-le-15e",
    "https://provence-matin.example.fr/article/20251118-a-l-assemblee-lecornu-veut-traiter-le-narcotrafic-comme-le-terrorisme",
    "https://provence-matin.example.fr/article/20251115-oliviers-la-mouche-de-l-olive-a-encore-frappe-dans-les-alpilles",
}


def parse(content: bytes, headers: dict[str, str] | None = None, url: str = "https://feeds.example.fr/f.xml"):
    return parse_feed(content, url=url, headers=headers, fetched_at=FETCHED)


def rss(items: str, channel_extra: str = "", namespaces: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"{namespaces}><channel><title>T</title>'
        f"<link>https://ex.fr/</link>{channel_extra}{items}</channel></rss>"
    ).encode()


@pytest.fixture
def dev(shared_dir: Path) -> tuple[Path, dict[str, dict]]:
    items = {}
    for line in (shared_dir / "eval" / "dev" / "items.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        items[record["link"]] = record
    return shared_dir / "eval" / "dev" / "feeds", items


def parse_dev(folder: Path, name: str) -> ParsedFeed:
    return parse((folder / name).read_bytes(), url=f"https://feeds.example.fr/dev/{name}")


# -- the dev feeds ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", DEV_FILES)
def test_every_dev_item_parses_with_the_labelled_link_title_and_summary(dev, name: str) -> None:
    folder, items = dev
    feed = parse_dev(folder, name)
    assert feed.error is None
    assert feed.items
    for item in feed.items:
        assert item.link in items, item.link
        reference = items[item.link]
        assert item.guid == item.link
        assert item.title == reference["title"]
        assert item.summary == reference["summary"]
        assert "<" not in item.title and "&amp;" not in item.title


def test_the_dev_feeds_hold_each_labelled_item_exactly_once(dev) -> None:
    folder, items = dev
    links = [item.link for name in DEV_FILES for item in parse_dev(folder, name).items]
    assert sorted(links) == sorted(items)


def test_dates_are_utc_iso_and_the_three_undated_items_are_estimated(dev) -> None:
    folder, items = dev
    for name in DEV_FILES:
        for item in parse_dev(folder, name).items:
            assert item.published is not None
            assert item.published.endswith("+00:00")
            if item.link in UNDATED_IN_PROVENCE_MATIN:
                assert item.published_estimated
                assert item.published == FETCHED.isoformat()
            else:
                assert not item.published_estimated
                assert datetime.fromisoformat(item.published) == datetime.fromisoformat(
                    items[item.link]["published"]
                )
    undated = [i.link for i in parse_dev(folder, "provence-matin-latin1.xml").items if i.published_estimated]
    assert set(undated) == UNDATED_IN_PROVENCE_MATIN


def test_the_latin1_feed_is_decoded_with_its_accents(dev) -> None:
    folder, _ = dev
    feed = parse_dev(folder, "provence-matin-latin1.xml")
    assert feed.title == "Provence Matin - Dernières infos"
    titles = [item.title for item in feed.items]
    assert "Écoles : Benoît Payan inaugure un groupe scolaire rénové dans le 15e" in titles
    assert all("\ufffd" not in item.title + item.summary for item in feed.items)
    assert feed.lang == "fr"


def test_atom_entries_give_summary_content_and_sanitised_html(dev) -> None:
    folder, _ = dev
    feed = parse_dev(folder, "continental-post.atom.xml")
    assert feed.lang == "en"
    for item in feed.items:
        assert item.summary
        assert item.content
        assert "<strong>" in item.content_html
        assert "<" not in item.content
        assert item.author
        assert item.lang == "en"


def test_rss1_links_have_their_ampersands_unescaped(dev) -> None:
    folder, _ = dev
    feed = parse_dev(folder, "eurowire.rdf.xml")
    assert len(feed.items) == 12
    for item in feed.items:
        assert "&amp;" not in item.link
        assert item.link.endswith("?src=rss&lang=en")
        assert item.author


def test_rss2_html_descriptions_become_plain_text_without_the_read_more_link(dev) -> None:
    folder, _ = dev
    feed = parse_dev(folder, "revue-mediterranee.xml")
    for item in feed.items:
        assert "Lire la suite" not in item.summary
        assert "<" not in item.summary
        assert "<p>" in item.content_html


# -- encodings, dates, languages, links ----------------------------------------------------------------------


def test_an_encoding_declared_only_in_http_is_used() -> None:
    body = (
        "<rss version='2.0'><channel><title>Caf\xe9</title>"
        "<item><title>\xc9coles \xe0 Marseille</title><link>https://ex.fr/1</link></item></channel></rss>"
    ).encode("latin-1")
    feed = parse(body, headers={"Content-Type": "application/rss+xml; charset=ISO-8859-1"})
    assert feed.error is None
    assert feed.title == "Café"
    assert feed.items[0].title == "Écoles à Marseille"


def test_language_comes_from_the_entry_the_feed_or_the_content_language_header() -> None:
    feed = parse(rss("<item><title>a</title></item>", "<language>fr-FR</language>"))
    assert feed.lang == "fr" and feed.items[0].lang == "fr"
    feed = parse(rss("<item><title>a</title></item>"), headers={"Content-Language": "en-GB"})
    assert feed.items[0].lang == "en"
    atom = (
        b'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr"><title>t</title>'
        b'<entry xml:lang="en_US"><title>a</title><content type="html">x</content></entry></feed>'
    )
    assert parse(atom).items[0].lang == "en"
    # A declared language other than French or English is "other"; the feed's word wins over the text's.
    feed = parse(
        rss("<item><title>Un homme tué par balles à Marseille</title></item>", "<language>es</language>")
    )
    assert feed.lang == "es" and feed.items[0].lang == "other"


def test_without_a_declared_language_the_detector_tags_the_item() -> None:
    items = (
        "<item><title>Un homme tué par balles dans les quartiers nord</title>"
        "<description>La police judiciaire a ouvert une enquête pour assassinat.</description></item>"
        "<item><title>Police arrest two men after a shooting in the northern districts</title></item>"
        "<item><title>La policía detuvo a dos hombres después del tiroteo en el barrio</title></item>"
        "<item><title>OM</title></item>"  # too short to tell
    )
    assert [item.lang for item in parse(rss(items)).items] == ["fr", "en", "other", "other"]


def test_relative_links_are_made_absolute_against_the_feed_url() -> None:
    feed = parse(
        rss(
            "<item><title>a</title><link>/article/1?x=1&amp;y=2</link>"
            '<description>&lt;a href="p/2"&gt;l&lt;/a&gt;</description></item>'
        ),
        url="https://ex.fr/rss/feed.xml",
    )
    item = feed.items[0]
    assert item.link == "https://ex.fr/article/1?x=1&y=2"
    assert 'href="https://ex.fr/rss/p/2"' in item.content_html


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_relative_links_follow_xml_base(encoding: str) -> None:
    atom = (
        f'<?xml version="1.0" encoding="{encoding}"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
        '<entry xml:base="https://autre.example/dossier/"><title>a</title><link href="a/1"/>'
        '<content type="html">&lt;a href="p/2"&gt;l&lt;/a&gt;&lt;img src="/i.png"&gt;</content></entry></feed>'
    ).encode(encoding)
    item = parse(atom, url="https://ex.fr/rss/feed.xml").items[0]
    assert item.link == "https://autre.example/dossier/a/1"
    assert 'href="https://autre.example/dossier/p/2"' in item.content_html
    assert 'src="https://autre.example/i.png"' in item.content_html


def test_titles_with_html_become_plain_text() -> None:
    title = "&lt;b&gt;Marseille&lt;/b&gt; &amp;amp; Aix&lt;br/&gt;ensuite"
    feed = parse(rss(f"<item><title>{title}</title></item>"))
    assert feed.items[0].title == "Marseille & Aix ensuite"


def test_dates_far_in_the_future_are_kept_and_invalid_ones_estimated() -> None:
    feed = parse(
        rss(
            "<item><title>futur</title><pubDate>Fri, 01 Jan 2100 10:00:00 +0200</pubDate></item>"
            "<item><title>invalide</title><pubDate>le 32 brumaire</pubDate></item>"
            "<item><title>aucune</title></item>"
        )
    )
    future, invalid, none = feed.items
    assert (future.published, future.published_estimated) == ("2100-01-01T08:00:00+00:00", False)
    assert (invalid.published, invalid.published_estimated) == (FETCHED.isoformat(), True)
    assert (none.published, none.published_estimated) == (FETCHED.isoformat(), True)


def test_entries_that_lack_everything_still_parse() -> None:
    feed = parse(rss('<item></item><item><guid isPermaLink="false">abc</guid></item>'))
    assert feed.error is None
    empty, guid_only = feed.items
    assert (empty.guid, empty.link, empty.title, empty.summary, empty.content) == (None, None, "", "", "")
    assert empty.published_estimated
    assert (guid_only.guid, guid_only.link) == ("abc", None)


def test_a_permalink_guid_gives_the_link_and_unsafe_links_are_dropped() -> None:
    feed = parse(
        rss(
            '<item><guid isPermaLink="true">https://ex.fr/perma</guid></item>'
            "<item><title>x</title><link>javascript:alert(1)</link></item>"
        )
    )
    assert feed.items[0].link == "https://ex.fr/perma"
    assert feed.items[1].link is None


def test_content_html_is_sanitised_and_the_richest_body_is_kept() -> None:
    feed = parse(
        rss(
            "<item><title>t</title><description>court</description>"
            '<content:encoded><![CDATA[<p onclick="x()">Long <b>corps</b><script>alert(1)</script></p>]]>'
            "</content:encoded></item>",
            namespaces=' xmlns:content="http://purl.org/rss/1.0/modules/content/"',
        )
    )
    item = feed.items[0]
    assert item.summary == "court"
    assert item.content == "Long corps"
    assert item.content_html == "<p>Long <b>corps</b></p>"


# -- not feeds, broken feeds, hostile feeds -----------------------------------------------------------------


def test_empty_bytes_are_not_a_feed() -> None:
    for body in (b"", b"  \n\t"):
        feed = parse(body)
        assert feed.error == "not a feed: the document is empty"
        assert feed.items == []


@pytest.mark.parametrize(
    "body",
    [
        b"\x00\xff\xfe garbage \x89PNG\r\n",
        b"just some words",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3",
        bytes(range(256)) * 64,
    ],
)
def test_garbage_is_not_a_feed(body: bytes) -> None:
    feed = parse(body)
    assert feed.error is not None and feed.error.startswith("not a feed: ")
    assert feed.items == []


def test_bytes_that_look_like_a_path_are_never_opened(tmp_path: Path) -> None:
    target = tmp_path / "feed.xml"
    target.write_bytes(rss("<item><title>secret</title></item>"))
    feed = parse(str(target).encode())
    assert feed.error is not None
    assert feed.items == []


def test_a_json_document_is_named() -> None:
    assert parse(b'{"version": "https://jsonfeed.org/version/1.1"}').error == (
        "not a feed: a JSON document (JSON Feed is not supported)"
    )


def test_an_html_page_is_not_a_feed_and_its_feed_links_are_collected() -> None:
    page = b"""<!DOCTYPE html><html><head><title>Le site</title>
    <link rel="alternate" type="application/rss+xml" title="RSS" href="/rss.xml">
    <link rel="alternate" type="application/atom+xml" href="https://ex.fr/atom.xml">
    <link rel="alternate" type="application/json" href="/wp-json/wp/v2/pages/1">
    <link rel="stylesheet" href="/s.css">
    </head><body><p>Bonjour</p></body></html>"""
    feed = parse(page, headers={"Content-Type": "text/html; charset=utf-8"}, url="https://ex.fr/page")
    assert feed.error == "not a feed: an HTML page (2 feed links found)"
    assert feed.alternates == ["https://ex.fr/rss.xml", "https://ex.fr/atom.xml"]
    assert feed.items == []


def test_find_feed_links_honours_base_and_ignores_comments_duplicates_and_unsafe_urls() -> None:
    page = """<html><head><base href="https://cdn.ex.fr/site/">
    <!-- <link rel="alternate" type="application/rss+xml" href="old.xml"> -->
    <LINK REL="Alternate" TYPE="application/rss+xml" HREF="feed.xml">
    <link type='application/atom+xml' rel='alternate' href='feed.xml'>
    <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
    <link rel="alternate" type="application/rdf+xml" href="//other.ex.fr/rdf">
    <link rel="alternate" type="application/feed+json" href="/feed.json">"""
    assert find_feed_links(page, "https://ex.fr/page") == [
        "https://cdn.ex.fr/site/feed.xml",
        "https://other.ex.fr/rdf",
        "https://cdn.ex.fr/feed.json",
    ]
    assert find_feed_links(b"\xff\xfe<link", "https://ex.fr/") == []
    assert find_feed_links("<!--" * 100000, "https://ex.fr/") == []


def test_a_bozo_feed_that_still_has_entries_is_accepted_with_a_warning() -> None:
    body = b"<rss version='2.0'><channel><title>T</title><item><title>A &amp; B</title></item>\n<item><t"
    feed = parse(body)
    assert feed.error is None
    assert feed.warning
    assert [item.title for item in feed.items][:1] == ["A & B"]


def test_a_valid_feed_without_entries_is_not_an_error() -> None:
    feed = parse(rss(""))
    assert (feed.error, feed.warning, feed.items, feed.title) == (None, None, [], "T")


def test_a_mismatched_tag_is_reported_with_its_line() -> None:
    feed = parse(b"<rss version='2.0'>\n<channel>\n<title>T</title>\n</rss>")
    assert feed.warning == "line 4, column 2: mismatched tag"


def test_a_billion_laughs_document_is_read_without_expanding_its_entities() -> None:
    levels = "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    body = (
        f'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">{levels}]>'
        "<rss version='2.0'><channel><title>&lol9;</title><item><title>&lol9;</title>"
        "<description>&lol9;</description></item></channel></rss>"
    ).encode()
    feed = parse(body)
    # expat stops at its amplification limit and the entity reference stays as written: nothing was expanded.
    assert feed.title == "&lol9;"
    assert [(i.title, i.summary, i.content_html) for i in feed.items] == [("&lol9;", "&lol9;", "&amp;lol9;")]
    assert feed.warning is not None


def test_external_entities_are_not_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>'
        "<rss version='2.0'><channel><title>t&x;</title><item><title>i&x;</title></item></channel></rss>"
    ).encode()
    feed = parse(body)
    assert "TOP-SECRET" not in repr(feed)


# -- the feedparser robustness corpus ---------------------------------------------------------------------

_UNSAFE = re.compile(
    r"<(?:script|iframe|object|embed|form|style|svg|math|meta|link|base)\b|\son[a-z]+\s*=|javascript:|vbscript:"
    r"|\bsrc=\"data:|\bhref=\"data:|\sstyle=",
    re.IGNORECASE,
)


def test_every_feedparser_corpus_file_parses_without_raising_or_unsafe_html(shared_dir: Path) -> None:
    root = shared_dir / "corpora" / "feedparser-tests"
    if not root.is_dir():
        pytest.skip("../shared/corpora/feedparser-tests is absent")
    files = sorted(root.rglob("*.xml"))
    assert files
    for path in files:
        data = path.read_bytes()
        # The corpus states the HTTP headers a file is meant to be served with in its leading comment.
        headers = {
            m.group(1).decode(): m.group(2).decode("latin-1").strip()
            for m in re.finditer(rb"^Header:\s*([\w-]+):\s*(.*)$", data[:4000], re.MULTILINE)
        }
        feed = parse(data, headers=headers, url=f"http://127.0.0.1:8000/{path.relative_to(root)}")
        assert isinstance(feed, ParsedFeed)
        for item in feed.items:
            assert not _UNSAFE.search(item.content_html), (path.name, item.content_html)


_ID_TEXTS = [
    "1234",
    "bench-3-7",
    "/relative/link",
    "right",
    "http://example.org/a",
    "HTTP://Example.org/b",
    "https://example.org/x?a=1&amp;b=2",
    "tag:example.org,2003:3.2397",
    "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a",
    "http:///three/slashes",
    "http://example.org/a/../b",
    "caf\u00e9",
    "../up",
    "",
    "  spaced  ",
    "&#104;ttp://e.org/c",
]
_PERMALINK_ATTRIBUTES = [
    "",
    ' isPermaLink="false"',
    ' isPermaLink="true"',
    " isPermaLink='False'",
    ' isPermaLink="TRUE"',
    ' isPermaLink="&#116;rue"',
    ' ispermalink="false"',
]


@settings(max_examples=150, deadline=None)
@given(
    ids=st.lists(
        st.tuples(st.sampled_from(_ID_TEXTS), st.sampled_from(_PERMALINK_ATTRIBUTES), st.booleans()),
        min_size=1,
        max_size=4,
    ),
    atom=st.booleans(),
)
def test_entry_ids_are_what_feedparser_gives_with_the_feed_url_as_base(
    ids: list[tuple[str, str, bool]], atom: bool
) -> None:
    """Stored articles are recognised by their id, and feedparser resolves ids against the base URL. It is only
    given the base where that changes an id (it costs a tenth of its time): the ids come out the same either
    way."""
    url = "http://example.org/feeds/news.xml"
    entries = []
    for number, (value, attributes, cdata) in enumerate(ids):
        body = f"<![CDATA[{value}]]>" if cdata and "&" not in value else value
        if atom:
            entries.append(f"<entry><title>t{number}</title><id>{body}</id></entry>")
        else:
            entries.append(f"<item><title>t{number}</title><guid{attributes}>{body}</guid></item>")
    if atom:
        doc = f'<feed xmlns="http://www.w3.org/2005/Atom"><title>f</title>{"".join(entries)}</feed>'
    else:
        doc = f'<rss version="2.0"><channel><title>f</title>{"".join(entries)}</channel></rss>'
    content = doc.encode("utf-8")
    with_base = feedparser.parse(
        io.BytesIO(content),
        response_headers={"content-location": url, "content-type": "application/xml"},
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    expected = [(e.get("id") or "").strip() or None for e in with_base.entries]
    parsed = parse_feed(content, url=url, headers={}, fetched_at=FETCHED)
    assert [item.guid for item in parsed.items] == expected


def test_a_relative_permalink_guid_is_resolved_and_a_non_permalink_one_kept() -> None:
    doc = (
        b'<rss version="2.0"><channel><title>f</title>'
        b"<item><title>a</title><guid>1234</guid></item>"
        b'<item><title>b</title><guid isPermaLink="false">bench-1</guid></item>'
        b"</channel></rss>"
    )
    parsed = parse_feed(doc, url="http://example.org/feeds/news.xml", headers={}, fetched_at=FETCHED)
    assert [item.guid for item in parsed.items] == ["http://example.org/feeds/1234", "bench-1"]
