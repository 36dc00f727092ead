"""HTML -> text, sanitised HTML, canonical links and content hashes."""

from __future__ import annotations

import logging

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.core.parsing import html_tree
from monitor.core.parsing import text as text_module
from monitor.core.parsing.links import canonical_link, content_hash
from monitor.core.parsing.sanitize import sanitize_html
from monitor.core.parsing.text import html_to_text, normalize_whitespace, text_to_html

# -- html_to_text -------------------------------------------------------------------------------------------


def test_entities_are_decoded_and_inline_whitespace_collapsed() -> None:
    html = "<p>Caf&eacute;&nbsp;&amp;   <b>th&#233;</b>\n  &#8217;ici &lt;3</p>"
    assert html_to_text(html) == "Café & thé ’ici <3"


def test_paragraphs_are_separated_by_a_blank_line_and_list_items_by_a_line_break() -> None:
    html = "<h2>Titre</h2><p>Un.</p><p>Deux.</p><ul><li>a</li><li>b</li></ul>fin<br>ligne"
    assert html_to_text(html) == "Titre\n\nUn.\n\nDeux.\n\na\nb\n\nfin\nligne"


def test_scripts_styles_forms_and_embeds_are_dropped_with_their_content() -> None:
    html = (
        "<script>alert('x')</script><style>p{color:red}</style><noscript>Activez JS</noscript>"
        "<p>Visible</p><iframe src='https://evil.example'>cadre</iframe><form>Nom <input name=q></form>"
        "<object>objet</object><embed src='x.swf'>"
    )
    assert html_to_text(html) == "Visible"


def test_read_more_links_are_dropped() -> None:
    html = (
        "<p>Le résumé de l'article.</p>"
        '<p><a href="https://example.fr/a">Lire la suite / Read more</a></p>'
        '<p>Second. <a class="more-link" href="#">Continue reading <span>"Titre"</span> →</a></p>'
        '<p><a href="https://example.fr/b">En savoir plus</a></p>'
    )
    assert html_to_text(html) == "Le résumé de l'article.\n\nSecond."


def test_the_post_appeared_first_on_footer_is_dropped() -> None:
    html = (
        "<p>Texte de l'article […]</p>"
        '<p>The post <a href="https://b.example/x">Un titre</a> appeared first on <a href="https://b.example">'
        "Le Blog</a>.</p>"
    )
    assert html_to_text(html) == "Texte de l'article […]"


def test_share_and_comment_prompts_are_dropped() -> None:
    html = (
        '<p>Corps.</p><div class="feedflare"><a href="#">Share on Facebook</a></div>'
        "<p>Share this:</p><p>Like this:</p><p>12 comments</p><p>Laisser un commentaire</p>"
    )
    assert html_to_text(html) == "Corps."


def test_a_tracking_pixel_leaves_no_trace() -> None:
    html = (
        '<p>Texte.</p><img src="https://feeds.feedburner.com/~r/x/~4/abc" height="1" width="1" alt=""/>'
        '<img src="https://pixel.wp.com/b.gif?host=x" width="1" height="1">'
    )
    assert html_to_text(html) == "Texte."


def test_headlines_that_start_like_boilerplate_are_kept() -> None:
    # "Plus", "Comment" and "en savoir plus" occur in real French sentences.
    headline = "Plus de 6 000 personnes réunies"
    assert html_to_text('<a href="x">Plus de 6 000 personnes</a> réunies') == headline
    assert html_to_text("<p>Comment la police a retrouvé le tireur</p>") == (
        "Comment la police a retrouvé le tireur"
    )
    assert html_to_text("Les électeurs veulent en savoir plus.") == "Les électeurs veulent en savoir plus."


def test_plain_text_passes_through_with_whitespace_tidied() -> None:
    assert html_to_text("  Marseille :\t un   homme tué \n\n\n\n Deuxième  paragraphe ") == (
        "Marseille : un homme tué\n\nDeuxième paragraphe"
    )
    assert html_to_text("5 < 6 and 7 > 3") == "5 < 6 and 7 > 3"
    assert html_to_text("https://example.com/page.html") == "https://example.com/page.html"


def test_markup_that_looks_like_a_url_or_xml_parses_without_warnings() -> None:
    # pytest turns warnings into errors: bs4's MarkupResemblesLocatorWarning and XMLParsedAsHTMLWarning
    # must stay inside text.py.
    assert html_to_text("<b>https://example.com/a.html</b>") == "https://example.com/a.html"
    assert html_to_text("<span>notes.txt</span>") == "notes.txt"
    assert html_to_text('<?xml version="1.0"?><rss><p>x</p></rss>') == "x"


@pytest.mark.parametrize(
    ("hostile", "expected"),
    [
        ("", ""),
        ("<", "<"),
        ("<<<>>>", "<<<>>>"),
        ("<!--", ""),
        ("<![CDATA[", ""),
        ("</", "</"),
        ("<?xml version='1.0'?><p>x</p>", "x"),
        # html.parser is quadratic on '>' inside quoted attributes; nh3 reads it linearly as text.
        ("<a b='>'" * 3000, "'" + " '" * 2999),
        ("<a href=x>" * 5000 + "x", "x"),
        ("<!--x>" * 20000, ""),
        ("</a x" * 20000, ""),
        ("<p>&" * 20000, "\n\n".join(["&"] * 20000)),
        ("&#" * 50000, "&#" * 50000),
        ("<table><tr><td>" * 3000, ""),
        # NUL and the other control characters never reach the store; other code points are the feed's own.
        ("\x00\ud800\ufffe<p>\x01</p>", "\ud800\ufffe"),
        ("<svg><script>alert(1)</script></svg><math><mi>x</mi></math>", ""),
    ],
)
def test_hostile_markup_gives_its_text_and_never_raises(hostile: str, expected: str) -> None:
    assert html_to_text(hostile) == expected


def test_markup_nested_past_the_limit_is_read_as_bare_text(caplog: pytest.LogCaptureFixture) -> None:
    """html5ever is quadratic in the depth, so deep nesting never reaches it: a linear tag strip reads it."""
    deep = "<div>" * (text_module.MAX_NESTING + 1) + "<b>deep</b> <i>text</i>" + "</div>" * 5000
    with caplog.at_level(logging.WARNING, logger=text_module.__name__):
        assert html_to_text(deep) == "deep text"
    assert [r.getMessage() for r in caplog.records] == [
        f"HTML nested deeper than {text_module.MAX_NESTING} elements read as bare text"
    ]
    caplog.clear()
    shallow = "<div>" * text_module.MAX_NESTING + "<p>deep</p>" + "</div>" * text_module.MAX_NESTING
    with caplog.at_level(logging.WARNING, logger=text_module.__name__):
        assert html_to_text(shallow) == "deep"
    assert caplog.records == []


def test_unclosed_paragraphs_and_cells_do_not_count_as_nesting() -> None:
    """<p>, <li>, <td>... close at their next sibling, so a long run of them is a flat list, not a deep tree."""
    assert not text_module.too_deep("<p>a" * 10_000)
    assert not text_module.too_deep("<li>a" * 10_000 + "<br><img src=x>" * 10_000)
    assert text_module.too_deep("<span>" * (text_module.MAX_NESTING + 1))


def test_html_past_the_size_limit_is_cut_at_the_limit() -> None:
    limit = text_module.MAX_HTML_CHARS
    assert html_to_text("a" * (limit + 1000)) == "a" * limit
    assert html_to_text("<p>" + "b" * limit + "</p>") == "b" * (limit - 3)


def test_non_string_input_does_not_raise() -> None:
    assert html_to_text(None) == ""  # type: ignore[arg-type]
    assert html_to_text(b"<p>bytes</p>") == "bytes"  # type: ignore[arg-type]


# -- sanitize_html ------------------------------------------------------------------------------------------


def test_sanitize_strips_scripts_event_handlers_and_dangerous_urls() -> None:
    html = (
        '<p onclick="steal()" style="position:fixed" class="x">Bonjour <script>alert(1)</script>'
        '<img src="https://example.fr/a.jpg" onerror="alert(2)" alt="photo">'
        '<a href="javascript:alert(3)">js</a> <a href=" JaVa\tScRipt:alert(4)">tab</a>'
        '<a href="vbscript:msgbox(5)">vb</a>'
        '<img src="data:image/png;base64,iVBORw0KGgo=" alt="inline"></p>'
        '<iframe src="https://evil.example/"></iframe><form action="https://evil.example/"><input name="q">'
        "<button>Envoyer</button></form><style>body{display:none}</style><svg><circle/></svg>"
        "<object data='x.swf'></object><embed src='x.swf'>"
    )
    clean = sanitize_html(html)
    lowered = clean.lower()
    banned_markup = (
        "<script onerror onclick javascript: vbscript: data: <iframe <form <input <button <style style="
    )
    for banned in (*banned_markup.split(), "class=", "<svg", "<object", "<embed", "alert("):
        assert banned not in lowered, banned
    assert 'src="https://example.fr/a.jpg"' in clean
    assert "Bonjour" in clean


def test_sanitize_keeps_reading_markup() -> None:
    html = (
        "<h2>Titre</h2><p><strong>Gras</strong> <em>it</em> <sub>1</sub><sup>2</sup></p>"
        "<blockquote>Citation</blockquote><ul><li>un</li></ul><table><tr><td>c</td></tr></table>"
        '<figure><img src="https://e.fr/i.jpg" alt="a" width="600" height="400">'
        "<figcaption>L</figcaption></figure>"
    )
    clean = sanitize_html(html)
    for kept in ("<h2>", "<strong>", "<em>", "<sub>", "<sup>", "<blockquote>", "<li>", "<td>", "<figure>"):
        assert kept in clean, kept
    assert "<figcaption>" in clean
    assert 'width="600"' in clean


def test_sanitize_makes_relative_links_absolute_and_adds_rel() -> None:
    clean = sanitize_html(
        '<a href="/article/1" title="t">lien</a><img src="img/p.png" alt="">',
        base_url="https://example.fr/rubrique/page.html",
    )
    assert 'href="https://example.fr/article/1"' in clean
    assert 'src="https://example.fr/rubrique/img/p.png"' in clean
    assert 'rel="noopener noreferrer nofollow"' in clean
    assert 'title="t"' in clean


def test_sanitize_keeps_only_links_the_web_address_policy_accepts() -> None:
    """support/urls.py decides: a link the reader could not open (no host) loses its href, as a script does."""
    rel = 'rel="noopener noreferrer nofollow"'
    assert sanitize_html('<a href="http:foo">a</a>') == f"<a {rel}>a</a>"
    assert sanitize_html('<a href="https:///x">b</a>') == f"<a {rel}>b</a>"
    assert sanitize_html('<a href="https://ex.fr/a">c</a>') == f'<a href="https://ex.fr/a" {rel}>c</a>'
    # A base the policy refuses is no base: relative links stay relative, inside the unknown site.
    assert sanitize_html('<a href="/rel">d</a>', base_url="http:///nohost/") == f'<a href="/rel" {rel}>d</a>'


def test_sanitize_removes_tracking_pixels() -> None:
    html = (
        '<p>Texte</p><img src="https://stats.example.com/p.gif" width="1" height="1">'
        '<img src="https://feeds.feedburner.com/~r/blog/~4/xyz">'
        '<img src="https://example.fr/photo.jpg" alt="a > b" width="640">'
    )
    clean = sanitize_html(html)
    assert "stats.example.com" not in clean
    assert "feedburner" not in clean
    assert "https://example.fr/photo.jpg" in clean


@pytest.mark.parametrize(
    ("hostile", "expected"),
    [
        ("", ""),
        ("<", "&lt;"),
        # Too deep for html5ever: shown as its text, here none.
        ("<div>" * 5000, ""),
        ("<div>" * 5000 + "<b>deep</b> <i>text</i>", "<p>deep text</p>"),
        ("<a b='>'" * 3000, "<p>'" + " '" * 2999 + "</p>"),
    ],
)
def test_sanitize_gives_safe_markup_for_hostile_input(hostile: str, expected: str) -> None:
    assert sanitize_html(hostile, base_url="javascript:alert(1)") == expected


def test_sanitize_shows_the_text_when_nh3_refuses_the_input() -> None:
    """nh3 cannot take a lone surrogate; the reader then shows the item's plain text, escaped."""
    hostile = "<p>a &amp; b</p><p><b>c</b></p>\x00\ud800"
    assert sanitize_html(hostile) == text_to_html(html_to_text(hostile)) == "<p>a &amp; b c \ud800</p>"


# -- canonical_link and content_hash ------------------------------------------------------------------------


def test_canonical_link_drops_tracking_parameters_fragment_and_default_port() -> None:
    url = "HTTPS://Www.Example.FR:443/Article?id=3&utm_source=rss&utm_medium=feed&fbclid=abc&page=2&xtor=RSS-1#top"
    assert canonical_link(url) == "https://www.example.fr/Article?id=3&page=2"


def test_canonical_link_keeps_other_parameters_in_order_and_spelling() -> None:
    assert (
        canonical_link("https://ex.net/story/52675?src=rss&lang=en")
        == "https://ex.net/story/52675?src=rss&lang=en"
    )
    assert canonical_link("http://ex.net:8080/a?b=%20c&gclid=1&a=") == "http://ex.net:8080/a?b=%20c&a="
    assert canonical_link("http://ex.net") == "http://ex.net/"
    assert canonical_link(" https://ex.net/a?utm_campaign=x ") == "https://ex.net/a"


def test_canonical_link_never_raises() -> None:
    assert canonical_link("http://[::1") == "http://[::1"
    assert canonical_link("http://x:port/") == "http://x:port/"
    assert canonical_link("") == ""


def test_content_hash_ignores_case_and_whitespace_but_not_words() -> None:
    assert content_hash("Titre  Un", "Corps\n") == content_hash("titre un", "corps")
    assert content_hash("Titre", "Un") != content_hash("Titre Un", "")
    assert content_hash("a") != content_hash("b")
    assert len(content_hash("x")) == 64


# -- the reader of nh3's markup against BeautifulSoup --------------------------------------------------------

_HTML_PIECES = st.sampled_from(
    [
        *"<>&\"' \n\t\r=/abcé",
        "<p>", "</p>", "<div class='share-buttons x'>", "<div id=\"read-more\">", "</div>", "<br>", "<br/>",
        "<hr>", "<pre>", "</pre>", "<a href='x'>", "</a>", "Read more", "Lire la suite", "<span>", "</span>",
        "<table><tr><td>", "</td><td>", "</table>", "<ul><li>", "</li>", "</ul>", "<script>x</script>",
        "<!-- c -->", "<![CDATA[ d ]]>", "&amp;", "&nbsp;", "&lt;", "&#8217;", "&eacute", "<img src=x>",
        "<b>", "</b>", "<textarea>", "</textarea>", "<h2>", "</h2>", "<blockquote>", "   ", "\xa0",
    ]
)  # fmt: skip


def _shape(tree: list) -> list:
    return [n if isinstance(n, str) else (n.name, n.attrs, _shape(n.contents)) for n in tree]


@settings(max_examples=400, deadline=None)
@given(st.lists(_HTML_PIECES, max_size=40).map("".join) | st.text(max_size=80))
def test_the_reader_of_nh3_markup_builds_the_tree_beautifulsoup_builds(html: str) -> None:
    tidy = text_module._tidy(html)
    tree = html_tree.read_tidy(tidy)
    assert tree is not None, tidy
    assert _shape(tree) == _shape(html_tree.read_with_beautifulsoup(tidy))


def test_markup_not_in_nh3_shape_is_left_to_beautifulsoup() -> None:
    assert html_tree.read_tidy("<p>unclosed") is None
    assert html_tree.read_tidy("a < b") is None
    assert _shape(html_tree.read_with_beautifulsoup("<p class='a b'>x<br>y")) == [
        ("p", {"class": ["a", "b"]}, ["x", ("br", {}, []), "y"])
    ]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(" \t\n\r\x0b\x0c\x1c\x85\xa0\u2028\u3000\u00ad\x00ab"), max_size=40))
def test_normalize_whitespace_tidies_each_line(text: str) -> None:
    """What normalize_whitespace does at C speed, written line by line."""
    text_without_invisibles = text_module._INVISIBLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [" ".join(line.split()) for line in text_without_invisibles.split("\n")]
    expected = "\n".join(lines)
    while "\n\n\n" in expected:
        expected = expected.replace("\n\n\n", "\n\n")
    assert normalize_whitespace(text) == expected.strip()
