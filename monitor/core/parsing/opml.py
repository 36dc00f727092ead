"""OPML import and export of feed subscriptions, with a parser that refuses DOCTYPEs and entities."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from xml.parsers import expat
from xml.sax.saxutils import escape, quoteattr

from monitor.core.support.urls import is_web_url

logger = logging.getLogger(__name__)

MAX_OPML_BYTES = 5 * 1024 * 1024
# Characters XML 1.0 cannot carry, even escaped; a feed title may contain them.
_INVALID_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class OpmlFeed:
    """One subscription: the feed URL and its title ("" when the file gave none)."""

    url: str
    title: str = ""


@dataclass(frozen=True)
class OpmlImport:
    """What an OPML file holds: its feeds (first occurrence of each URL, in document order) and the feed URLs
    that were skipped because they are not http(s)."""

    feeds: list[OpmlFeed] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


class OpmlError(ValueError):
    """The file is not OPML we can read; the message says why, in words ("not an OPML file: line 3: ...")."""


class _Refused(Exception):
    """Raised from inside expat callbacks to stop at a DOCTYPE or entity declaration."""


def parse_opml(data: bytes) -> OpmlImport:
    """Read the subscriptions of an OPML file (any OPML version, outlines nested to any depth).

    Each outline with an xmlUrl (any case) is a feed, titled by its title or text attribute. Repeated URLs
    are kept once; URLs that are not http(s) are skipped and listed in `skipped` (feed:// is read as http://).

    Raises:
        OpmlError: the file is empty, too large, not well-formed XML, not OPML, or declares a DOCTYPE or
            entities (refused outright: billion-laughs and external-entity attacks need them).
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    data = bytes(data or b"")
    if not data.strip():
        raise OpmlError("not an OPML file: the file is empty")
    if len(data) > MAX_OPML_BYTES:
        limit = MAX_OPML_BYTES // (1024 * 1024)
        raise OpmlError(f"not an OPML file: {len(data) / 1e6:.1f} MB is over the {limit} MB limit")

    feeds: list[OpmlFeed] = []
    skipped: list[str] = []
    seen: set[str] = set()
    elements: list[str] = []

    def refuse_doctype(*_args: object) -> None:
        raise _Refused("DOCTYPE declarations are not allowed")

    def refuse_entity(*_args: object) -> None:
        raise _Refused("entity declarations are not allowed")

    def start(name: str, attrs: dict[str, str]) -> None:
        local = name.rsplit(" ", 1)[-1].lower()  # namespace-qualified names arrive as "uri local"
        if not elements and local != "opml":
            raise _Refused(f"the root element is <{local}>, not <opml>")
        elements.append(local)
        if local != "outline":
            return
        lowered = {k.lower(): v for k, v in attrs.items()}
        url = (lowered.get("xmlurl") or "").strip()
        if not url:
            return
        url = _feed_scheme_to_http(url)
        if url in seen:
            return
        seen.add(url)
        if not is_web_url(url):
            skipped.append(url)
            return
        title = " ".join((lowered.get("title") or lowered.get("text") or "").split())
        feeds.append(OpmlFeed(url=url, title="" if title == url else title))

    def end(_name: str) -> None:
        elements.pop()

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_entity
    parser.UnparsedEntityDeclHandler = refuse_entity
    parser.ExternalEntityRefHandler = refuse_entity
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except _Refused as exc:
        raise OpmlError(f"not an OPML file: line {parser.CurrentLineNumber}: {exc}") from None
    except expat.ExpatError as exc:
        raise OpmlError(f"not an OPML file: line {exc.lineno}: {expat.ErrorString(exc.code)}") from None
    except (ValueError, LookupError) as exc:  # an encoding Python does not know, for instance
        raise OpmlError(f"not an OPML file: {exc}") from None
    logger.info("OPML: %d feeds, %d skipped", len(feeds), len(skipped))
    return OpmlImport(feeds=feeds, skipped=skipped)


def _feed_scheme_to_http(url: str) -> str:
    """feed://host/x and feed:https://host/x, an old browser convention, as http(s) URLs."""
    lowered = url.lower()
    if lowered.startswith("feed://"):
        return "http://" + url[len("feed://") :]
    if lowered.startswith("feed:http://") or lowered.startswith("feed:https://"):
        return url[len("feed:") :]
    return url


def write_opml(feeds: Iterable[OpmlFeed], title: str = "Vigie feeds") -> bytes:
    """An OPML 2.0 document (UTF-8) listing the feeds; parse_opml reads it back to the same feeds."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        "  <head>",
        f"    <title>{escape(_xml_safe(title))}</title>",
        "  </head>",
        "  <body>",
    ]
    for feed in feeds:
        url = _xml_safe(feed.url)
        name = _xml_safe(feed.title)
        attrs = f'type="rss" text={quoteattr(name or url)}'
        if name:
            attrs += f" title={quoteattr(name)}"
        attrs += f" xmlUrl={quoteattr(url)}"
        lines.append(f"    <outline {attrs}/>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines).encode("utf-8")


def _xml_safe(value: str) -> str:
    """Text XML can carry: forbidden control characters removed, whitespace runs (newlines too) collapsed."""
    return " ".join(_INVALID_XML_CHARS.sub("", value or "").split())
