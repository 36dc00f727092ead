"""Turning what the analyst pasted (a feed URL or a web page) into a feed URL that parses."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from monitor.core.errors import UserError
from monitor.core.models import ParsedFeed
from monitor.core.parsing.feeds import parse_feed
from monitor.core.support.clock import utc_now
from monitor.core.support.urls import url_problem
from monitor.core.web.fetch import Fetcher, FetchRequest

log = logging.getLogger(__name__)

MAX_URL_LENGTH = 2048


@dataclass(frozen=True)
class FoundFeed:
    url: str
    title: str
    items: int
    via_page: bool


def check_feed_url(url: str) -> str:
    """A feed URL must be http(s) with a host; anything else (file:, javascript:, data:) is refused."""
    cleaned = url.strip()
    problem = url_problem(cleaned)
    if (problem is not None and "scheme" in problem) or len(cleaned) > MAX_URL_LENGTH:
        raise UserError(f"not a web address Vigie can poll (only http and https): {cleaned[:100]!r}")
    if problem is not None or any(c.isspace() for c in cleaned):
        raise UserError(f"not a valid web address: {cleaned[:100]!r}")
    return cleaned


def discover_feed(url: str, fetcher: Fetcher) -> FoundFeed:
    """Fetch `url`; if it is a feed, keep it; if it is a page, follow its first working feed link.

    Raises UserError saying why nothing usable was found.
    """
    url = check_feed_url(url)
    first = _fetch_and_parse(url, fetcher)
    if first.error is None:
        return FoundFeed(url, first.title, len(first.items), via_page=False)
    for alternate in first.alternates[:5]:
        candidate = _fetch_and_parse(alternate, fetcher)
        if candidate.error is None:
            return FoundFeed(alternate, candidate.title, len(candidate.items), via_page=True)
    raise UserError(f"{url}: {first.error}")


def _fetch_and_parse(url: str, fetcher: Fetcher) -> ParsedFeed:
    response = fetcher.fetch(FetchRequest(url))
    if response.error:
        return ParsedFeed(error=response.error)
    return parse_feed(
        response.content, url=response.final_url or url, headers=response.headers, fetched_at=utc_now()
    )
