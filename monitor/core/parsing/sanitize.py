"""Sanitised HTML for the reader pane: an allow-list of reading markup, web links only, no trackers (nh3)."""

from __future__ import annotations

import html as htmllib
import logging
import re
from urllib.parse import urlsplit

import nh3

from monitor.core.parsing.text import (
    CLEAN_CONTENT_TAGS,
    MAX_HTML_CHARS,
    MAX_NESTING,
    crude_text,
    html_to_text,
    text_to_html,
    too_deep,
)
from monitor.core.support.urls import WEB_SCHEMES, absolute_web_url, is_web_url

logger = logging.getLogger(__name__)

_ALLOWED_TAGS = {
    "p", "br", "a", "em", "strong", "b", "i", "u", "blockquote", "ul", "ol", "li", "h1", "h2", "h3", "h4",
    "h5", "h6", "pre", "code", "img", "figure", "figcaption", "table", "thead", "tbody", "tfoot", "tr", "th",
    "td", "caption", "colgroup", "col", "hr", "span", "div", "sub", "sup",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
_LINK_REL = "noopener noreferrer nofollow"
_URL_ATTRIBUTES = frozenset({"href", "src"})
# nh3 writes attributes as name="value" with double quotes only, so this matches whole <img> tags exactly.
_IMG_TAG = re.compile(r'<img((?:\s+[^\s=>/]+(?:="[^"]*")?)*)\s*/?>')
_IMG_ATTR = re.compile(r'([^\s=>/]+)(?:="([^"]*)")?')
_TRACKER_SRC = re.compile(
    r"feeds\.feedburner\.com/~r/|feedburner\.com/~ff/|pixel\.wp\.com|stats\.wordpress\.com|feedsportal\.com"
    r"|doubleclick\.net|google-analytics\.com|/pixel(?:\.gif|\.png)?(?:[?/]|$)|/beacon(?:[?/.]|$)"
    r"|/track(?:ing)?(?:\.gif|\.png)(?:[?/]|$)|/1x1\.(?:gif|png)|/spacer\.gif|/blank\.gif|/open\.gif",
    re.IGNORECASE,
)


def sanitize_html(html: str, base_url: str | None = None) -> str:
    """HTML that is safe to render in the reader pane.

    An allow-list of reading tags and attributes, http/https URLs only (javascript:, data:, vbscript: vanish),
    relative URLs made absolute against `base_url`, rel="noopener noreferrer nofollow" on links, no style,
    class or event attributes, and tracking pixels removed. Never raises (returns "" when all else fails).
    """
    try:
        if not isinstance(html, str):
            html = "" if html is None else str(html)
        if len(html) > MAX_HTML_CHARS:
            logger.warning("HTML of %d characters truncated to %d", len(html), MAX_HTML_CHARS)
            html = html[:MAX_HTML_CHARS]
        if too_deep(html):
            logger.warning("HTML nested deeper than %d elements shown as text", MAX_NESTING)
            return text_to_html(crude_text(html))
        base = base_url if is_web_url(base_url) else None

        def keep_attribute(tag: str, attribute: str, value: str) -> str | None:
            if attribute not in _URL_ATTRIBUTES:
                return value
            return _safe_url(value, base)

        cleaned = nh3.clean(
            html,
            tags=_ALLOWED_TAGS,
            clean_content_tags=CLEAN_CONTENT_TAGS,
            attributes=_ALLOWED_ATTRIBUTES,
            attribute_filter=keep_attribute,
            url_schemes=WEB_SCHEMES,
            link_rel=_LINK_REL,
            strip_comments=True,
        )
        return _IMG_TAG.sub(_keep_image, cleaned).strip()
    except Exception:
        logger.warning("HTML sanitising failed; showing the text instead", exc_info=True)
        try:
            return text_to_html(html_to_text(html))
        except Exception:
            return ""


def _safe_url(value: str, base: str | None) -> str | None:
    """A web URL (the policy of support/urls.py) made absolute against `base`, or None to drop the attribute."""
    url = value.strip()
    if not url:
        return None
    if base is None and not urlsplit(url).scheme:
        # A relative link we cannot resolve; harmless, since it can only point inside the (unknown) site.
        return url
    return absolute_web_url(url, base)


def _keep_image(match: re.Match[str]) -> str:
    attrs = {name.lower(): htmllib.unescape(value or "") for name, value in _IMG_ATTR.findall(match.group(1))}
    src = attrs.get("src", "")
    if not src or _TRACKER_SRC.search(src):
        return ""
    for name in ("width", "height"):
        size = re.match(r"\s*(\d+)", attrs.get(name, ""))
        if size and int(size.group(1)) <= 2:
            return ""
    return match.group(0)
