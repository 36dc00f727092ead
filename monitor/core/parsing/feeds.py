"""Fetched feed bytes -> ParsedFeed: feedparser on bytes, then plain text, safe HTML, UTC dates, languages."""

from __future__ import annotations

import calendar
import html as html_module
import io
import logging
import re
import time
import warnings
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser

from monitor.core.models import ParsedFeed, ParsedItem
from monitor.core.parsing import language, sanitize, text
from monitor.core.support.urls import absolute_web_url

logger = logging.getLogger(__name__)

# The fetcher caps bodies already; this guards callers that hand us bytes from elsewhere (files, tests).
MAX_FEED_BYTES = 32 * 1024 * 1024
# Feed discovery only needs the <head>: real pages announce their feeds within the first few hundred KB.
MAX_DISCOVERY_BYTES = 2 * 1024 * 1024

_FEED_TYPES = re.compile(
    r"^\s*application/(?:x[.-])?(?:rss|atom|rdf)\+xml\s*(?:;.*)?$|^\s*application/feed\+json\s*(?:;.*)?$",
    re.IGNORECASE,
)
_HTML_SNIFF = re.compile(rb"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]", re.IGNORECASE)
_LANG = re.compile(r"^([a-z]{2,3})(?:$|[-_])", re.IGNORECASE)
_HTML_TYPES = ("text/html", "application/xhtml+xml", "html", "xhtml")
_SAX_POSITION = re.compile(r"^<unknown>:(\d+):(\d+):\s*")


def parse_feed(
    content: bytes,
    *,
    url: str,
    headers: Mapping[str, str] | None = None,
    fetched_at: datetime,
) -> ParsedFeed:
    """Parse fetched feed bytes (RSS 0.9x/1.0/2.0, Atom, CDF, JSON Feed) into normalised items.

    Args:
        content: the response body, never a URL or a path.
        url: where the bytes came from; the base for relative links.
        headers: response headers (any case); Content-Type, Content-Location and Content-Language are used for
            the encoding, the base URL and the default language.
        fetched_at: when the bytes were fetched; the date of undated entries (flagged as estimated).

    Returns:
        A ParsedFeed. Never raises: what cannot be read comes back as ParsedFeed(error=...) in words;
        ill-formed feeds that still yield entries come back with `warning` set to what was wrong.
    """
    try:
        return _parse_feed(content, url=url, headers=headers, fetched_at=fetched_at)
    except Exception as exc:  # a bug or a parser crash on hostile bytes must not stop the poll
        logger.exception("parsing the feed from %s failed", url)
        return ParsedFeed(error=f"could not read the feed: {_describe(exc)}")


def _parse_feed(
    content: bytes, *, url: str, headers: Mapping[str, str] | None, fetched_at: datetime
) -> ParsedFeed:
    if isinstance(content, str):
        content = content.encode("utf-8")
    content = bytes(content or b"")
    if not content.strip():
        return ParsedFeed(error="not a feed: the document is empty")
    if len(content) > MAX_FEED_BYTES:
        return ParsedFeed(
            error=f"not a feed: the document is too large ({len(content) / 1e6:.0f} MB, "
            f"limit {MAX_FEED_BYTES / 1e6:.0f} MB)"
        )
    response_headers = _response_headers(headers, url)
    base = response_headers["content-location"]
    header_lang = _normalise_lang(response_headers.get("content-language"))
    # Relative URIs are resolved here, against `base`: links by _http_url, markup by the sanitiser. feedparser,
    # given a base, rewrites every HTML field (a quarter of its time) and joins the base with itself at every
    # element (a tenth), so it only gets one where it would change what we keep: where xml:base may move the
    # base, or where it would resolve an entry's id, which is how stored articles are recognised.
    xml_base = _declares_xml_base(content)
    if not xml_base and not _ids_need_base(content, base):
        del response_headers["content-location"]
    started = time.perf_counter()
    with warnings.catch_warnings():
        # Whatever feedparser or its helpers warn about on odd input, a feed must not fail because of it.
        warnings.simplefilter("ignore")
        # A BytesIO, never the bytes themselves: feedparser would treat bytes that look like a path as a file
        # to open.
        parsed = feedparser.parse(
            io.BytesIO(content),
            response_headers=response_headers,
            resolve_relative_uris=xml_base,
            # nh3 (sanitize.sanitize_html) is our sanitiser; feedparser's would only cost time and mangle markup.
            sanitize_html=False,
        )
    logger.debug("feedparser read %s in %.3f s", url, time.perf_counter() - started)

    entries = parsed.get("entries") or []
    version = parsed.get("version") or ""
    # feedparser puts its own XML declaration on a line of its own when the document had none, so the parser's
    # line numbers are one too high for those documents.
    line_shift = 0 if _has_xml_declaration(content) else 1
    bozo_reason = _bozo_reason(parsed, line_shift) if parsed.get("bozo") else None
    if not entries and not version:
        if _HTML_SNIFF.search(content[:4096]):
            alternates = find_feed_links(content, base)
            count = len(alternates)
            noun = "feed link" if count == 1 else "feed links"
            return ParsedFeed(error=f"not a feed: an HTML page ({count} {noun} found)", alternates=alternates)
        if content.lstrip()[:1] in (b"{", b"["):
            return ParsedFeed(error="not a feed: a JSON document (JSON Feed is not supported)")
        return ParsedFeed(error=f"not a feed: {bozo_reason or 'no RSS or Atom elements found'}")

    feed_info = parsed.get("feed") or {}
    feed_lang = _normalise_lang(_get(feed_info, "language")) or header_lang
    feed_link = _http_url(_get(feed_info, "link"), base)
    result = ParsedFeed(
        title=_text_of(feed_info, "title"),
        link=feed_link,
        lang=feed_lang,
        warning=bozo_reason,
    )
    skipped = 0
    for entry in entries:
        try:
            result.items.append(_item(entry, base=base, feed_lang=feed_lang, fetched_at=fetched_at))
        except Exception:
            skipped += 1
            logger.warning("skipped an entry of %s that could not be read", url, exc_info=True)
    if skipped:
        note = f"{skipped} unreadable {'entry' if skipped == 1 else 'entries'} skipped"
        result.warning = f"{result.warning}; {note}" if result.warning else note
    return result


def _response_headers(headers: Mapping[str, str] | None, url: str) -> dict[str, str]:
    """The headers feedparser uses, lower-cased; Content-Location always set (it is feedparser's base URL)."""
    lowered: dict[str, str] = {}
    for name, value in (headers or {}).items():
        try:
            lowered[str(name).strip().lower()] = str(value)
        except Exception:
            continue
    chosen = {k: lowered[k] for k in ("content-type", "content-language") if lowered.get(k)}
    # Without a type feedparser flags every feed "no Content-type specified"; application/xml is neutral (the
    # document's own encoding declaration and BOM decide, as RFC 7303 says).
    chosen.setdefault("content-type", "application/xml")
    location = lowered.get("content-location", "").strip()
    chosen["content-location"] = urljoin(url, location) if location else url
    return chosen


def _bozo_reason(parsed: Mapping[str, Any], line_shift: int) -> str:
    exc = parsed.get("bozo_exception")
    if exc is None:
        return "the document is not well-formed"
    return _describe(exc, line_shift)


def _describe(exc: BaseException, line_shift: int = 0) -> str:
    """An exception in words: feedparser's SAX messages become "line 3, column 7: mismatched tag"."""
    message = str(exc).strip() or type(exc).__name__
    position = _SAX_POSITION.match(message)
    if position:
        line = max(int(position.group(1)) - line_shift, 1)
        message = f"line {line}, column {position.group(2)}: {message[position.end() :]}"
    return message.splitlines()[0] if message else type(exc).__name__


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def _declares_xml_base(content: bytes) -> bool:
    """Whether the document may use xml:base (in any of the encodings feedparser reads: UTF-16 and UTF-32 put
    NULs between the letters)."""
    return b"xml:base" in content or (b"\x00" in content and b"xml:base" in content.replace(b"\x00", b""))


# An <id> or <guid> element (any prefix) and its text, CDATA or not.
_ID_ELEMENT = re.compile(
    rb"<(?:[\w.-]+:)?(?:id|guid)(\s[^>]*)?>\s*(?:<!\[CDATA\[([^\]<]*)\]\]>|([^<]*))\s*<", re.IGNORECASE
)
_NOT_PERMALINK = re.compile(rb"""(?:^|\s)ispermalink\s*=\s*(?!["']true["'])""", re.IGNORECASE)
_SLASHES_AFTER_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:///")  # feedparser's _urljoin squeezes these


def _ids_need_base(content: bytes, base: str) -> bool:
    """Whether feedparser, given `base`, would change an id or guid of the document: it resolves an Atom id, and
    an RSS guid unless isPermaLink says otherwise, against the base (a relative "1234" becomes an URL, "HTTP:"
    becomes "http:"). True when unsure: text that is not plain ASCII, entities, UTF-16 or UTF-32, markup inside."""
    if b"\x00" in content:
        return True
    for match in _ID_ELEMENT.finditer(content):
        attributes, cdata, plain = match.groups()
        if attributes and b"&" not in attributes and _NOT_PERMALINK.search(attributes):
            continue  # feedparser keeps a guid whose isPermaLink is anything but "true" as it is
        value = (cdata if cdata is not None else plain).strip()
        if not value:
            continue
        if not value.isascii() or b"&" in value:
            return True
        text_value = value.decode("ascii")
        try:
            if urljoin(base, text_value) != text_value or _SLASHES_AFTER_SCHEME.match(text_value):
                return True
        except ValueError:
            return True
    return False


def _has_xml_declaration(content: bytes) -> bool:
    head = content[:64]
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return head[len(bom) :].startswith("<?xml".encode(encoding))
    return any(head.startswith("<?xml".encode(e)) for e in ("utf-8", "utf-16-le", "utf-16-be"))


# -- entries -------------------------------------------------------------------------------------------------


def _item(entry: Mapping[str, Any], *, base: str, feed_lang: str | None, fetched_at: datetime) -> ParsedItem:
    link = _entry_link(entry, base)
    content_detail = _best_content(entry)
    summary_detail = _detail(entry, "summary")
    title = text.single_line(_to_text(_detail(entry, "title")))
    summary = _to_text(summary_detail)
    content = _to_text(content_detail)
    richest = max((content_detail, summary_detail), key=lambda d: len(d[0]))
    content_html = sanitize.sanitize_html(_to_html(richest), base_url=base)
    published, estimated = _published(entry, fetched_at)
    guid = _get(entry, "id")
    guid = guid.strip() if isinstance(guid, str) and guid.strip() else None
    return ParsedItem(
        guid=guid,
        link=link,
        title=title,
        summary=summary,
        content=content,
        content_html=content_html,
        published=published,
        published_estimated=estimated,
        # "fr", "en" or "other": declared by the entry or the feed, else detected (parsing/language.py).
        lang=language.item_language(
            _entry_lang(entry, content_detail, summary_detail) or feed_lang, title, summary, content
        ),
        author=_author(entry),
    )


def _get(mapping: Any, key: str) -> Any:
    """A key of a FeedParserDict, None when it is missing or the object is not a mapping (malformed feeds)."""
    try:
        return mapping.get(key)
    except Exception:
        return None


def _detail(entry: Mapping[str, Any], key: str) -> tuple[str, str, str | None]:
    """(value, content type, language) of a text construct such as title or summary."""
    value = _get(entry, key)
    detail = _get(entry, f"{key}_detail") or {}
    kind = _get(detail, "type") or "text/html"
    return (value if isinstance(value, str) else "", str(kind), _get(detail, "language"))


def _best_content(entry: Mapping[str, Any]) -> tuple[str, str, str | None]:
    """entry.content: the first HTML part if there is one, else the first part."""
    parts = _get(entry, "content")
    if not isinstance(parts, list):
        return ("", "text/plain", None)
    candidates = [p for p in parts if isinstance(_get(p, "value"), str)]
    if not candidates:
        return ("", "text/plain", None)
    chosen = next((p for p in candidates if str(_get(p, "type") or "").lower() in _HTML_TYPES), candidates[0])
    return (chosen["value"], str(_get(chosen, "type") or "text/html"), _get(chosen, "language"))


def _is_html(kind: str) -> bool:
    return kind.lower() in _HTML_TYPES


def _to_text(detail: tuple[str, str, str | None]) -> str:
    value, kind, _ = detail
    if not value:
        return ""
    if _is_html(kind):
        return text.html_to_text(value)
    return text.normalize_whitespace(value)


def _to_html(detail: tuple[str, str, str | None]) -> str:
    value, kind, _ = detail
    if not value:
        return ""
    return value if _is_html(kind) else text.text_to_html(value)


def _text_of(mapping: Any, key: str) -> str:
    return text.single_line(_to_text(_detail(mapping, key)))


def _http_url(value: Any, base: str) -> str | None:
    """An absolute http(s) URL, or None."""
    if not isinstance(value, str):
        return None
    return absolute_web_url(value, base)


def _entry_link(entry: Mapping[str, Any], base: str) -> str | None:
    link = _http_url(_get(entry, "link"), base)
    if link:
        return link
    links = _get(entry, "links")
    if isinstance(links, list):
        alternates = [x for x in links if _get(x, "rel") in (None, "alternate")] + list(links)
        for candidate in alternates:
            link = _http_url(_get(candidate, "href"), base)
            if link:
                return link
    # RSS items whose only URL is a permalink guid.
    if _get(entry, "guidislink"):
        return _http_url(_get(entry, "id"), base)
    return None


def _published(entry: Mapping[str, Any], fetched_at: datetime) -> tuple[str, bool]:
    """UTC ISO 8601 from the entry's dates (published, updated, created), else the fetch time, estimated."""
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = _get(entry, key)
        if parsed is None:
            continue
        try:
            # feedparser's struct_time is UTC; timegm copes with out-of-range fields that datetime refuses.
            when = datetime.fromtimestamp(calendar.timegm((*tuple(parsed)[:6], 0, 0, 0)), tz=UTC)
            return when.isoformat(timespec="seconds"), False
        except (TypeError, ValueError, OverflowError, OSError):
            continue
    moment = fetched_at if fetched_at.tzinfo else fetched_at.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds"), True


def _normalise_lang(value: Any) -> str | None:
    """The primary language subtag, lower-case ("fr-FR" -> "fr"); None when absent or not a language tag."""
    if not isinstance(value, str):
        return None
    first = value.split(",")[0].strip()
    match = _LANG.match(first)
    return match.group(1).lower() if match else None


def _entry_lang(
    entry: Mapping[str, Any],
    content: tuple[str, str, str | None],
    summary: tuple[str, str, str | None],
) -> str | None:
    for candidate in (_get(entry, "language"), content[2], summary[2], _detail(entry, "title")[2]):
        lang = _normalise_lang(candidate)
        if lang:
            return lang
    return None


def _author(entry: Mapping[str, Any]) -> str | None:
    for value in (_get(entry, "author"), _get(_get(entry, "author_detail") or {}, "name")):
        if isinstance(value, str):
            name = text.single_line(text.html_to_text(value))
            if name:
                return name
    return None


# -- discovery -----------------------------------------------------------------------------------------------


def find_feed_links(html: bytes | str, base_url: str) -> list[str]:
    """Feed URLs announced by an HTML page (<link rel="alternate" type="application/rss+xml" href=...>).

    Absolute (against <base href> and `base_url`), http(s) only, in page order, without duplicates.
    Never raises. A linear scan of the tags rather than a full parse: pages can be large and hostile, and
    html.parser is quadratic on some malformed markup.
    """
    try:
        markup = html[:MAX_DISCOVERY_BYTES]
        page = markup.decode("utf-8", "replace") if isinstance(markup, bytes | bytearray) else str(markup)
        page = _without_comments(page)
        base = base_url
        found: list[str] = []
        for tag in _LINK_OR_BASE.finditer(page):
            attrs = _attributes(tag.group(2))
            if tag.group(1).lower() == "base":
                if "href" in attrs and base == base_url:
                    base = urljoin(base_url, attrs["href"].strip())
                continue
            rels = attrs.get("rel", "").lower().split()
            if "alternate" not in rels or not _FEED_TYPES.match(attrs.get("type", "")):
                continue
            href = _http_url(attrs.get("href"), base)
            if href and href not in found:
                found.append(href)
        return found
    except Exception:
        logger.warning("feed discovery failed on %s", base_url, exc_info=True)
        return []


_LINK_OR_BASE = re.compile(r"<(link|base)\b([^>]*)>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")


def _attributes(raw: str) -> dict[str, str]:
    attrs: dict[str, str] = {}
    for match in _ATTRIBUTE.finditer(raw):
        name = match.group(1).lower()
        value = next((v for v in match.group(2, 3, 4) if v is not None), "")
        attrs.setdefault(name, html_module.unescape(value))
    return attrs


def _without_comments(page: str) -> str:
    """The page without <!-- comments --> (commented-out links are not links); linear even when unclosed."""
    pieces: list[str] = []
    position = 0
    while True:
        start = page.find("<!--", position)
        if start < 0:
            pieces.append(page[position:])
            break
        pieces.append(page[position:start])
        end = page.find("-->", start + 4)
        if end < 0:
            break
        position = end + 3
    return "".join(pieces)
