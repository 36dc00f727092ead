"""Plain text from feed markup: HTML -> readable text without feed boilerplate, and tidy whitespace."""

from __future__ import annotations

import html as htmllib
import logging
import re

import nh3

from monitor.core.parsing.html_tree import VOID_TAGS, Element, Node, read_tidy, read_with_beautifulsoup

logger = logging.getLogger(__name__)

# Far beyond any real article (they run to tens of kilobytes); keeps one hostile item from stalling a poll.
MAX_HTML_CHARS = 300_000
# Nesting deeper than this is never an article; html5ever (inside nh3) is quadratic in the depth.
MAX_NESTING = 256

# Removed with everything inside them (the other unknown tags are unwrapped, their text kept).
CLEAN_CONTENT_TAGS = {
    "script", "style", "iframe", "object", "embed", "form", "svg", "math", "noscript", "template",
    "textarea", "select", "button", "applet", "frame", "frameset", "head", "title",
}  # fmt: skip
# Elements whose content is never reading text.
_DROP_TAGS = frozenset(
    {
        "script", "style", "noscript", "iframe", "object", "embed", "form", "head", "title", "meta", "link",
        "template", "svg", "math", "button", "select", "textarea", "input", "canvas", "audio", "video",
        "applet", "frame", "frameset", "map", "img", "picture", "source",
    }
)  # fmt: skip
# Blocks: 2 = a paragraph of its own (blank line around it), 1 = a line of its own.
_BLOCKS: dict[str, int] = {
    **dict.fromkeys(
        ("p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "dl", "pre", "table", "figure",
         "section", "article", "header", "footer", "aside", "nav", "main", "address", "hr", "center",
         "details", "fieldset"),
        2,
    ),
    **dict.fromkeys(
        ("div", "li", "tr", "dt", "dd", "figcaption", "caption", "summary", "legend", "thead", "tbody",
         "tfoot"),
        1,
    ),
}  # fmt: skip
_CELLS = frozenset({"td", "th"})
# What survives the nh3 pass that precedes the text walk: the structure the layout and boilerplate rules need.
# Other tags are unwrapped (their text kept); _DROP_TAGS go with their content.
_TEXT_TAGS = {*_BLOCKS, *_CELLS, "br", "a", "span"}
_TEXT_ATTRIBUTES = {"*": {"class", "id"}}
# Closed implicitly by their next sibling, so an unclosed run of them does not nest.
_SELF_CLOSING_SIBLINGS = frozenset(
    {
        "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead", "tbody", "tfoot", "rb", "rt",
        "rp",
    }
)  # fmt: skip
_TAG_NAME = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)")

# Share bars, "related posts" boxes and FeedBurner flares, by class or id.
_BOILERPLATE_CLASS = re.compile(
    r"feedflare|sharedaddy|share-?(?:buttons?|links?|bar|this|tools)|social-?(?:share|links|buttons)"
    r"|addtoany|\ba2a_|jp-relatedposts|related-?posts|more-link|read-?more|comments?-link|post-share",
    re.IGNORECASE,
)
# Invitations to read the article elsewhere. "Strict" phrases may be followed by a title ("Continue reading
# "X" →", "Lire aussi : X"); "bare" ones only count alone, since "Plus de 6 000 personnes" is a headline.
_READ_MORE_STRICT = (
    r"read\s+more|read\s+the\s+(?:full|rest|whole)\b|continue\s+reading|keep\s+reading|lire\s+la\s+suite"
    r"|suite\s+de\s+l['’]article|voir\s+la\s+suite|view\s+(?:the\s+)?(?:full\s+)?(?:article|story|post)"
    r"|lire\s+l['’]article|lire\s+aussi|à\s+lire\s+aussi|a\s+lire\s+aussi|read\s+also|see\s+also"
)
_READ_MORE_BARE = (
    r"more|plus|la\s+suite|lire\s+plus|en\s+savoir\s+plus|full\s+(?:story|article)|\[…\]|\[\.\.\.\]|…|\.\.\."
)
_READ_MORE_LINK = re.compile(
    rf"^\W*(?:(?:{_READ_MORE_STRICT}|en\s+savoir\s+plus)(?:\W.{{0,150}})?|(?:{_READ_MORE_BARE})\W*)$",
    re.IGNORECASE | re.DOTALL,
)
_BOILERPLATE_LINE = re.compile(
    r"^(?:"
    # WordPress / Yoast footers: "The post X appeared first on Y." and the French versions.
    r"(?:the\s+post|this\s+post|the\s+article|l['’]article|le\s+post|cet\s+article|l['’]entrée)\b.{1,400}?"
    r"\b(?:appeared\s+first\s+on|first\s+appeared\s+on|est\s+apparu\s+en\s+premier\s+sur"
    r"|a\s+été\s+publié\s+en\s+premier\s+sur|est\s+paru\s+en\s+premier\s+sur)\b.{0,200}"
    # A line that is nothing but a read-more invitation, possibly naming the article.
    rf"|\W*(?:{_READ_MORE_STRICT}|en\s+savoir\s+plus)(?:\s*[:|/»›→>.…\-–—\"“«'‘(\[][^\n]{{0,150}})?"
    rf"|\W*(?:{_READ_MORE_BARE})\W*"
    # Share and comment prompts.
    r"|(?:share(?:\s+this(?:\s+(?:article|story|post))?)?|partager(?:\s+cet\s+article)?"
    r"|partagez(?:\s+cet\s+article)?|share\s+on\s+\w+|partager\s+sur\s+\w+|tweet(?:\s+this)?|email\s+this"
    r"|leave\s+a\s+(?:comment|reply)|laisser\s+un\s+commentaire|add\s+a\s+comment|post\s+a\s+comment"
    r"|ajouter\s+un\s+commentaire|no\s+comments?(?:\s+yet)?|aucun\s+commentaire"
    r"|\d+\s+(?:comments?|commentaires?|réactions?)|(?:comments?|commentaires?|réactions?)\s*\(\d+\)"
    r"|view\s+(?:all\s+)?comments|voir\s+les\s+commentaires|réagir|réagissez"
    r"|click\s+to\s+(?:share|email|print)(?:\s+on\s+\w+)?(?:\s+\(opens\s+in\s+new\s+window\))?"
    r"|like\s+this|j['’]aime\s+ceci|follow\s+us(?:\s+on\s+\w+)?|suivez-nous(?:\s+sur\s+\w+)?"
    r"|related(?:\s+posts|\s+articles)?|sur\s+le\s+même\s+sujet)\s*[:.!…»›→]*"
    r")$",
    re.IGNORECASE,
)
# "...the end of the summary. Read more »" at the end of a paragraph; only after a sentence end, so prose
# such as "voters want to read more" is kept.
_TRAILING_READ_MORE = re.compile(
    r"(?<=[.!?…\])»\"”])\s*(?:read\s+more|continue\s+reading|keep\s+reading|lire\s+la\s+suite)\b"
    r"[^\n]{0,100}$",
    re.IGNORECASE,
)
_TAG_LIKE = re.compile(r"<[a-zA-Z!/?]")
# Whitespace runs that collapsing to one space changes (a lone space is left alone: most of any text).
_INLINE_WS = re.compile(r"[^\S\n]{2,}|[^\S \n]")
_ANY_WS = re.compile(r"\s{2,}|[^\S ]")
# Soft hyphens and zero-width characters, and the control characters that are not whitespace (a NUL or an
# escape from a broken feed must not reach the store, the index or the reader).
_INVISIBLE = re.compile("[\x00-\x08\x0e-\x1f\x7f\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_MANY_BREAKS = re.compile(r"\n{3,}")
_TAGS = re.compile(r"<[^>]*>?")


def _plain_spaces(text: str, lines: bool) -> bool:
    """Whether `text` has no whitespace but single spaces (and line breaks when `lines`) and nothing invisible, so
    that the expressions below would leave it as it is: most text is so, and str.isprintable() tells it at C
    speed (every whitespace character but the space, and every character of _INVISIBLE, is unprintable)."""
    return "  " not in text and (text.replace("\n", "") if lines else text).isprintable()


def _collapse_spaces(text: str) -> str:
    """Every whitespace run made one space (line breaks too)."""
    return text if _plain_spaces(text, lines=False) else _ANY_WS.sub(" ", text)


def _collapse_inline_spaces(text: str) -> str:
    """Every whitespace run within a line made one space."""
    return text if _plain_spaces(text, lines=True) else _INLINE_WS.sub(" ", text)


def normalize_whitespace(text: str) -> str:
    """Tidy plain text: spaces collapsed within lines, at most one blank line in a row, ends stripped."""
    if _plain_spaces(text, lines=True):  # no \r, nothing invisible, no space to collapse
        text = text.replace(" \n", "\n").replace("\n ", "\n")
        return (_MANY_BREAKS.sub("\n\n", text) if "\n\n\n" in text else text).strip()
    text = _INVISIBLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    # Whitespace runs within lines become one space, then the space at either end of each line goes.
    text = _INLINE_WS.sub(" ", text).replace(" \n", "\n").replace("\n ", "\n")
    return _MANY_BREAKS.sub("\n\n", text).strip()


def single_line(text: str) -> str:
    """Collapse all whitespace, line breaks included, to single spaces (titles, names)."""
    if _plain_spaces(text, lines=False):
        return text.strip()
    return _ANY_WS.sub(" ", _INVISIBLE.sub("", text)).strip()


def html_to_text(html: str) -> str:
    """Readable plain text from an HTML fragment (or plain text), without the usual feed boilerplate.

    Entities are decoded; scripts, styles, forms and embedded objects are dropped; block elements become line
    breaks with paragraphs separated by a blank line; inline whitespace is collapsed. "Read more" links, "The
    post X appeared first on Y" footers and share/comment prompts are removed. Never raises.
    """
    try:
        if not isinstance(html, str):
            html = (
                bytes(html).decode("utf-8", "replace")
                if isinstance(html, bytes | bytearray)
                else ("" if html is None else str(html))
            )
        if len(html) > MAX_HTML_CHARS:
            logger.warning("HTML of %d characters truncated to %d", len(html), MAX_HTML_CHARS)
            html = html[:MAX_HTML_CHARS]
        if not _TAG_LIKE.search(html):
            text = htmllib.unescape(html) if "&" in html else html
            return _drop_boilerplate_lines(normalize_whitespace(text))
        if too_deep(html):
            logger.warning("HTML nested deeper than %d elements read as bare text", MAX_NESTING)
            return crude_text(html)
        # html5ever (nh3) first: it is linear on the malformed markup that makes html.parser quadratic
        # (unclosed comments, '>' inside quoted attributes...), and what it writes back is well-formed.
        tidy = _tidy(html)
        tree = read_tidy(tidy)
        if tree is None:
            logger.debug("nh3 wrote markup of an unexpected shape; reading it with BeautifulSoup")
            tree = read_with_beautifulsoup(tidy)
        return _drop_boilerplate_lines(_tree_text(tree))
    except Exception:  # hostile markup must never stop a poll; fall back to a crude tag strip
        logger.warning("HTML to text failed; falling back to stripping tags", exc_info=True)
        try:
            return crude_text(str(html)[:MAX_HTML_CHARS])
        except Exception:
            return ""


def _tidy(html: str) -> str:
    """The markup reduced by nh3 to the elements and attributes the text walk reads."""
    return nh3.clean(
        html,
        tags=_TEXT_TAGS,
        clean_content_tags=CLEAN_CONTENT_TAGS,
        attributes=_TEXT_ATTRIBUTES,
        link_rel=None,
        strip_comments=True,
    )


def crude_text(html: str) -> str:
    """Tags stripped by a regular expression: linear whatever the input, for the inputs we refuse to parse."""
    return normalize_whitespace(htmllib.unescape(_TAGS.sub(" ", html)))


def too_deep(html: str) -> bool:
    """Whether the elements would nest deeper than MAX_NESTING (a linear estimate over the tag names)."""
    depth = 0
    for match in _TAG_NAME.finditer(html):
        name = match.group(2).lower()
        if name in VOID_TAGS or name in _SELF_CLOSING_SIBLINGS:
            continue
        if match.group(1):
            depth = max(depth - 1, 0)
        else:
            depth += 1
            if depth > MAX_NESTING:
                return True
    return False


def _is_boilerplate_tag(tag: Element) -> bool:
    attrs = tag.attrs
    if attrs:
        marks = attrs.get("class") or ()
        if isinstance(marks, str):
            marks = (marks,)
        ident = attrs.get("id")
        if any(_BOILERPLATE_CLASS.search(str(m)) for m in marks) or (
            isinstance(ident, str) and _BOILERPLATE_CLASS.search(ident)
        ):
            return True
    if tag.name == "a":
        text = _short_text(tag)
        if text is not None and _READ_MORE_LINK.match(single_line(text)):
            return True
    return False


def _short_text(tag: Element, limit: int = 200, max_nodes: int = 64) -> str | None:
    """The text of a small element, or None when it is long or deep (bounded, so nested hostile anchors
    cannot make the walk quadratic)."""
    pieces: list[str] = []
    size = 0
    stack = list(reversed(tag.contents))
    for _ in range(max_nodes):
        if not stack:
            return " ".join(pieces)
        node = stack.pop()
        if isinstance(node, Element):
            stack.extend(reversed(node.contents))
        else:
            pieces.append(node)
            size += len(node)
            if size > limit:
                return None
    return None


def _tree_text(tree: list[Node]) -> str:
    """Walk the tree iteratively (hostile nesting must not hit the recursion limit) and lay the text out."""
    # Text pieces, and ints for block boundaries: a run of boundaries gives the strongest one's breaks.
    out: list[str | int] = []
    pre_depth = 0
    # (node, closing): closing entries emit the break after a block and leave <pre>.
    stack: list[tuple[Node, bool]] = [(child, False) for child in reversed(tree)]
    while stack:
        node, closing = stack.pop()
        if isinstance(node, str):
            out.append(_collapse_inline_spaces(node) if pre_depth else _collapse_spaces(node))
            continue
        name = node.name
        if closing:
            if name == "pre":
                pre_depth -= 1
            out.append(_BLOCKS.get(name, 0))
            continue
        if name in _DROP_TAGS:
            continue
        if name == "br":
            out.append("\n")
            continue
        if _is_boilerplate_tag(node):
            continue
        strength = _BLOCKS.get(name)
        if name in _CELLS:
            out.append(" ")
        if strength:
            out.append(strength)
        if strength or name == "pre":
            stack.append((node, True))
        if name == "pre":
            pre_depth += 1
        stack.extend((child, False) for child in reversed(node.contents))
    return normalize_whitespace(_layout(out))


def _layout(out: list[str | int]) -> str:
    pieces: list[str] = []
    pending = 0
    for item in out:
        if isinstance(item, int):
            pending = max(pending, item)
        elif pending and item.isspace() and item != "\n":
            continue  # whitespace between blocks
        else:
            if pending:
                pieces.append("\n" * pending)
                pending = 0
            pieces.append(item)
    return "".join(pieces)


def _drop_boilerplate_lines(text: str) -> str:
    if not text:
        return text
    kept: list[str] = []
    for line in text.split("\n"):
        if line and len(line) <= 600 and _BOILERPLATE_LINE.match(line):
            continue
        if line:
            line = _TRAILING_READ_MORE.sub("", line).rstrip()
        kept.append(line)
    return _MANY_BREAKS.sub("\n\n", "\n".join(kept)).strip()


def text_to_html(text: str) -> str:
    """Plain text as escaped HTML paragraphs (blank lines split paragraphs, single breaks become <br>)."""
    paragraphs = [p for p in normalize_whitespace(text).split("\n\n") if p]
    return "".join(f"<p>{htmllib.escape(p, quote=False).replace(chr(10), '<br>')}</p>" for p in paragraphs)
