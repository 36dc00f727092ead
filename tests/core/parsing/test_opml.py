"""OPML import and export: nesting, duplicates, round trips, malformed and hostile files, shipped feeds."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from monitor.core.parsing.opml import (
    MAX_OPML_BYTES,
    OpmlError,
    OpmlFeed,
    OpmlImport,
    Skipped,
    parse_opml,
    write_opml,
)
from monitor.core.support.folder_paths import MAX_FOLDER_DEPTH
from monitor.paths import resources_dir

NESTED = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>Mes flux</title></head>
  <body>
    <outline text="Presse">
      <outline text="Le Monde" title="Le Monde - À la une"
               type="rss" xmlUrl=" https://www.lemonde.fr/rss/une.xml "/>
      <outline text="Régions">
        <outline text="Marsactu" xmlurl="https://marsactu.fr/feed/"/>
        <outline text="Le Monde encore" XMLURL="https://www.lemonde.fr/rss/une.xml"/>
      </outline>
    </outline>
    <outline text="Sans flux"/>
    <outline text="FTP" xmlUrl="ftp://example.com/feed.xml"/>
    <outline text="Script" xmlUrl="javascript:alert(1)"/>
    <outline text="Ancien lien" xmlUrl="feed://example.com/rss"/>
    <outline text="  Espaces \n multiples " xmlUrl="http://example.org/a?x=1&amp;y=2"/>
  </body>
</opml>""".encode()


def test_nested_outlines_are_walked_and_duplicates_kept_once() -> None:
    result = parse_opml(NESTED)
    assert result.feeds == [
        OpmlFeed("https://www.lemonde.fr/rss/une.xml", "Le Monde - À la une", ("Presse",)),
        OpmlFeed("https://marsactu.fr/feed/", "Marsactu", ("Presse", "Régions")),
        OpmlFeed("http://example.com/rss", "Ancien lien"),
        OpmlFeed("http://example.org/a?x=1&y=2", "Espaces multiples"),
    ]
    assert result.folders == [("Presse",), ("Presse", "Régions")]
    assert result.duplicates == 1


def test_outlines_that_are_not_http_feeds_are_reported_as_skipped() -> None:
    assert parse_opml(NESTED).skipped == [
        Skipped("Sans flux", "no xmlUrl, and no outlines inside to make it a folder"),
        Skipped("ftp://example.com/feed.xml", "unsupported URL scheme 'ftp'"),
        Skipped("javascript:alert(1)", "unsupported URL scheme 'javascript'"),
    ]


def test_write_then_parse_round_trips() -> None:
    feeds = [
        OpmlFeed("https://www.lemonde.fr/rss/une.xml", "Le Monde - À la une"),
        OpmlFeed(
            "https://news.google.com/rss/search?q=%22DZ+Mafia%22&hl=fr&gl=FR&ceid=FR:fr",
            'Google "DZ" <Mafia>',
        ),
        OpmlFeed("https://example.com/untitled.xml"),
    ]
    data = write_opml(feeds, title="Export & co")
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert b'<opml version="2.0" xmlns:vigie="urn:x-vigie:opml:1">' in data
    assert b"<title>Export &amp; co</title>" in data
    assert parse_opml(data) == OpmlImport(feeds=feeds)


def test_write_drops_characters_xml_cannot_carry() -> None:
    data = write_opml([OpmlFeed("https://example.com/a", "Bell\x07 and\nnewline\ud800")])
    assert parse_opml(data).feeds == [OpmlFeed("https://example.com/a", "Bell and newline")]


def test_an_empty_opml_body_imports_nothing() -> None:
    assert parse_opml(write_opml([])) == OpmlImport()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "not an OPML file: the file is empty"),
        (b"<opml>\n<body>\n<outline text='a'>\n</body></opml>", "not an OPML file: line 4: mismatched tag"),
        (b"this is not xml", "not an OPML file: line 1: syntax error"),
        (
            b"<?xml version='1.0'?>\n<rss version='2.0'><channel/></rss>",
            "not an OPML file: line 2: the root element is <rss>, not <opml>",
        ),
        (
            b"<opml><body><outline xmlUrl='http://a.example/'/></body>",
            "not an OPML file: line 1: no element found",
        ),
    ],
)
def test_a_malformed_file_raises_with_a_clear_message(data: bytes, message: str) -> None:
    with pytest.raises(OpmlError) as caught:
        parse_opml(data)
    assert str(caught.value) == message
    assert isinstance(caught.value, ValueError)


def test_a_doctype_is_refused_before_any_entity_is_expanded() -> None:
    """Billion laughs: refused at the DOCTYPE on line 2, before expat reads one entity declaration."""
    levels = "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    laughs = (
        f'<?xml version="1.0"?>\n<!DOCTYPE opml [<!ENTITY l0 "lol">{levels}]>\n'
        '<opml version="2.0"><body><outline text="&l9;" xmlUrl="https://example.com/"/></body></opml>'
    ).encode()
    with pytest.raises(OpmlError) as caught:
        parse_opml(laughs)
    assert str(caught.value) == "not an OPML file: line 2: DOCTYPE declarations are not allowed"


def test_outlines_nested_a_hundred_thousand_deep_are_read_without_recursion() -> None:
    depth = 100_000
    data = (
        "<opml><body>"
        + "<outline text='folder'>" * depth
        + "<outline text='Deep' xmlUrl='https://deep.example/feed'/>"
        + "</outline>" * depth
        + "</body></opml>"
    ).encode()
    deepest = ("folder",) * MAX_FOLDER_DEPTH
    assert parse_opml(data) == OpmlImport(
        feeds=[OpmlFeed("https://deep.example/feed", "Deep", deepest)],
        folders=[deepest[:n] for n in range(1, MAX_FOLDER_DEPTH + 1)],
        flattened=1,
    )


def test_an_external_entity_is_refused() -> None:
    xxe = b'<?xml version="1.0"?><!DOCTYPE opml SYSTEM "file:///etc/passwd"><opml/>'
    with pytest.raises(OpmlError, match="not allowed"):
        parse_opml(xxe)


def test_a_file_over_the_size_limit_is_refused() -> None:
    big = b"<opml><body>" + b"<outline text='x'/>" * (MAX_OPML_BYTES // 19 + 1) + b"</body></opml>"
    assert len(big) > MAX_OPML_BYTES
    with pytest.raises(OpmlError, match="over the 16 MB limit"):
        parse_opml(big)


def test_other_encodings_are_read() -> None:
    data = '<?xml version="1.0" encoding="windows-1252"?><opml><body><outline text="Café" xmlUrl="https://c.example/"/></body></opml>'
    assert parse_opml(data.encode("cp1252")).feeds == [OpmlFeed("https://c.example/", "Café")]
    utf16 = data.replace("windows-1252", "utf-16").encode("utf-16")
    assert parse_opml(utf16).feeds == [OpmlFeed("https://c.example/", "Café")]
    assert parse_opml(utf16).warnings == []


def test_the_shipped_default_feeds_parse_into_https_feeds() -> None:
    result = parse_opml((resources_dir() / "feeds.opml").read_bytes())
    assert result.skipped == []
    assert len(result.feeds) >= 20
    assert all(urlsplit(f.url).scheme == "https" and f.title for f in result.feeds)
    hosts = {urlsplit(f.url).hostname for f in result.feeds}
    assert {"www.lemonde.fr", "www.francetvinfo.fr", "marsactu.fr", "news.google.com"} <= hosts
    searches = [f.url for f in result.feeds if f.url.startswith("https://news.google.com/rss/search?q=")]
    assert any("Kessaci" in url for url in searches)
    assert any("PNACO" in url for url in searches)


FILES = Path(__file__).parent / "opml_files"


def test_an_inoreader_opml_1_0_export_keeps_its_folders_titles_and_site_links() -> None:
    result = parse_opml((FILES / "inoreader_1_0.opml").read_bytes())
    assert result.folders == [("Presse nationale",), ("Marseille & Provence",)]
    assert [(f.title, f.folder, f.site_url) for f in result.feeds] == [
        ("Le Monde - Police", ("Presse nationale",), "https://www.lemonde.fr/police/"),
        ("franceinfo - Faits divers", ("Presse nationale",), "https://www.francetvinfo.fr/faits-divers/"),
        ("Libération", ("Presse nationale",), "https://www.liberation.fr/"),
        ("Marsactu", ("Marseille & Provence",), "https://marsactu.fr"),
        ("La Provence – Faits divers", ("Marseille & Provence",), "https://www.laprovence.com/faits-divers"),
        ('Google News "DZ Mafia"', (), "https://news.google.com/search?q=%22DZ+Mafia%22&hl=fr"),
    ]
    assert (
        result.feeds[-1].url == "https://news.google.com/rss/search?q=%22DZ+Mafia%22&hl=fr&gl=FR&ceid=FR:fr"
    )
    assert (result.skipped, result.duplicates, result.warnings) == ([], 0, [])


def test_a_nested_opml_2_0_with_comments_entities_and_duplicates_is_read_as_one_tree() -> None:
    result = parse_opml((FILES / "rssguard_nested_2_0.opml").read_bytes())
    # The second "Veille/Nationale" is the same folder as the first.
    assert result.folders == [
        ("Veille",),
        ("Veille", "Nationale"),
        ("Veille", "Régionale"),
        ("Veille", "Régionale", "Sud-Est"),
    ]
    assert [(f.title, f.folder) for f in result.feeds] == [
        ("Le Monde — Justice", ("Veille", "Nationale")),
        ("L'Humanité", ("Veille", "Nationale")),  # "&amp;#39;" escaped twice, "&eacute;" from HTML
        ("Marsactu", ("Veille", "Régionale", "Sud-Est")),
        ("20 Minutes <Faits divers>", ("Veille", "Nationale")),
        ("Podcast", ()),
    ]
    assert result.duplicates == 1  # Le Monde's second outline: it stays where it first appears
    assert result.skipped == [Skipped("Corse", "no xmlUrl, and no outlines inside to make it a folder")]


def test_vigie_s_own_attributes_and_empty_folders_round_trip() -> None:
    feeds = [
        OpmlFeed("https://a.example/rss", "A", ("News", "France"), "https://a.example/", 45, True),
        OpmlFeed("https://b.example/rss", "B", ("AC/DC",), None, None, False),
    ]
    data = write_opml(feeds, folders=[("Empty",), ("News",), ("News", "France"), ("News", "Empty too")])
    result = parse_opml(data)
    assert result.feeds == feeds
    assert result.folders == [("Empty",), ("News",), ("News", "France"), ("News", "Empty too"), ("AC/DC",)]
    assert result.skipped == []


def test_outlines_without_a_feed_say_why_they_were_skipped() -> None:
    data = b"""<opml version="2.0"><body>
      <outline text="Blog" type="link" url="https://blog.example/"/>
      <outline text="Other list" type="include" url="https://lists.example/more.opml"/>
      <outline text="Folder"><outline text="Empty subfolder"/></outline>
      <outline text="Mail" xmlUrl="mailto:someone@example.org"/>
      <outline text="Relative" xmlUrl="/feed.xml"/>
    </body></opml>"""
    result = parse_opml(data)
    assert result.feeds == []
    assert result.folders == [("Folder",)]  # it has an outline inside, so it is a folder
    assert result.skipped == [
        Skipped("Blog", "a link to a page, not a feed (no xmlUrl)"),
        Skipped("Other list", "an include of another OPML file, which Vigie does not follow"),
        Skipped("Empty subfolder", "no xmlUrl, and no outlines inside to make it a folder"),
        Skipped("mailto:someone@example.org", "unsupported URL scheme 'mailto'"),
        Skipped("/feed.xml", "not an absolute http(s) URL: '/feed.xml'"),
    ]


def test_folders_fifty_deep_keep_their_feeds_in_the_deepest_allowed_folder() -> None:
    depth = 50
    opening = "".join(f'<outline text="L{i}">' for i in range(1, depth + 1))
    data = (
        f'<opml version="2.0"><body>{opening}<outline text="Deep" xmlUrl="https://deep.example/rss"/>'
        f'{"</outline>" * depth}<outline text="Top" xmlUrl="https://top.example/rss"/></body></opml>'
    ).encode()
    result = parse_opml(data)
    allowed = tuple(f"L{i}" for i in range(1, MAX_FOLDER_DEPTH + 1))
    assert [(f.url, f.folder) for f in result.feeds] == [
        ("https://deep.example/rss", allowed),
        ("https://top.example/rss", ()),
    ]
    assert result.folders == [allowed[:n] for n in range(1, MAX_FOLDER_DEPTH + 1)]
    assert result.flattened == 1


def test_an_unknown_encoding_is_named_in_the_error() -> None:
    data = b'<?xml version="1.0" encoding="x-klingon"?><opml><body/></opml>'
    with pytest.raises(OpmlError) as caught:
        parse_opml(data)
    assert str(caught.value) == (
        "the file says it is in the encoding 'x-klingon', which Vigie does not know; save it as UTF-8"
    )


def test_a_multi_byte_encoding_expat_cannot_read_is_converted() -> None:
    text = '<?xml version="1.0" encoding="shift_jis"?><opml><body><outline text="日本のニュース" xmlUrl="https://jp.example/rss"/></body></opml>'
    result = parse_opml(text.encode("shift_jis"))
    assert [f.title for f in result.feeds] == ["日本のニュース"]
    assert result.warnings == ["the file's encoding shift_jis was converted to UTF-8 to read it"]


def test_a_file_in_windows_1252_that_names_no_encoding_is_read_with_a_warning() -> None:
    text = '<opml><body><outline text="Café &amp; thé" xmlUrl="https://c.example/"/></body></opml>'
    result = parse_opml(text.encode("cp1252"))
    assert [f.title for f in result.feeds] == ["Café & thé"]
    assert result.warnings == ["the file is not UTF-8 and names no encoding; it was read as Windows-1252"]
