"""The web-address policy, written once: Vigie fetches, links and opens http and https URLs with a host only."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

WEB_SCHEMES = frozenset({"http", "https"})


def url_problem(url: str) -> str | None:
    """Why `url` is not an absolute http(s) URL with a host, in words; None when it is one."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return f"not a valid URL: {url!r}"
    scheme = parts.scheme.lower()
    if scheme not in WEB_SCHEMES:
        if not scheme:
            return f"not an absolute http(s) URL: {url!r}"
        return f"unsupported URL scheme '{scheme}'"
    if not parts.hostname:
        return f"no host in URL {url!r}"
    return None


def is_web_url(url: str | None) -> bool:
    """An absolute http(s) URL with a host: what Vigie may fetch, show as a link or open."""
    return bool(url) and url_problem(url or "") is None


def absolute_web_url(value: str, base: str | None) -> str | None:
    """`value` made absolute against `base` when it is relative; None unless the result is a web URL."""
    value = value.strip()
    if not value:
        return None
    try:
        absolute = urljoin(base, value) if base else value
    except ValueError:
        return None
    return absolute if is_web_url(absolute) else None
