"""Full text: for feeds that ask for it, the page of each new or changed item, fetched through the poll's Fetcher
(its timeouts, size cap, per-host politeness and conditional GET), its main text extracted with trafilatura and
kept beside the feed's text as a page version (monitor.core.storage.versions).

It runs at the end of a poll, after every feed's own items are stored and their alerts raised, so it never delays
them; at most MAX_PAGES_PER_FEED pages per feed per poll (the rest wait for the item's next change). A page that
fails leaves the item as it was and says why in the feed's full_text_state, which feed health shows. The page's
text is matched like the feed's: a new item it highlights becomes an alert of the same poll.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import trafilatura

from monitor.core.matching.matcher import Matcher
from monitor.core.models import Feed
from monitor.core.storage.ingest import SCORES_PER_WRITE, FetchProvenance, apply_scores, score_row
from monitor.core.storage.store import Store
from monitor.core.storage.versions import page_validators, raise_page_alerts, save_full_text
from monitor.core.support.clock import Clock, iso, utc_now
from monitor.core.web.fetch import Fetcher, FetchRequest, FetchResult

log = logging.getLogger(__name__)

MAX_PAGES_PER_FEED = 10  # per poll: a feed that rewrites 500 items at once must not fetch 500 pages
MAX_PAGE_BYTES = 2 * 1024 * 1024  # a news page is far smaller; above this it is something else
# Below this many characters of extracted text a page is a stub (a paywall's teaser, a consent wall), not the
# article: keeping it would replace nothing with noise.
MIN_TEXT_CHARS = 400
HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class PageOutcome:
    article_id: int
    text: str | None  # the main text, None when the page failed
    problem: str | None = None  # why, in words


def extract_main_text(page: bytes, url: str) -> str:
    """The page's main text as plain text (no markup, so nothing in it can load anything), '' when none."""
    text = trafilatura.extract(
        page,
        url=url,
        output_format="txt",
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        favor_precision=True,
        deduplicate=False,  # True keeps a cache across pages: a second page quoting the first would lose text
    )
    return (text or "").strip()


def judge_page(article_id: int, response: FetchResult) -> PageOutcome:
    """What a fetched page gives: its main text, or the reason it gives none."""
    if response.error:
        return PageOutcome(article_id, None, response.error)
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind and kind not in HTML_TYPES:
        return PageOutcome(article_id, None, f"the page is not HTML ({kind})")
    if len(response.content) > MAX_PAGE_BYTES:
        size = len(response.content) / 1024 / 1024
        return PageOutcome(article_id, None, f"the page is too large ({size:.1f} MB; at most 2 MB)")
    text = extract_main_text(response.content, response.final_url)
    if len(text) < MIN_TEXT_CHARS:
        return PageOutcome(
            article_id, None, "the page gave no article text (a paywall, a consent page or a stub?)"
        )
    return PageOutcome(article_id, text)


def fetch_full_texts(
    feeds: Sequence[Feed],
    store: Store,
    fetcher: Fetcher,
    since: str,
    clock: Clock = utc_now,
    cancel: threading.Event | None = None,
) -> list[int]:
    """Fetch the pages of the items of `feeds` (those asking for full text) new or changed since `since`;
    returns the ids of the articles whose full text changed (to be matched again)."""
    wanted = [f for f in feeds if f.full_text]
    requests: list[FetchRequest] = []
    for feed in wanted:
        for article_id, link in store.full_text_due(feed.id, since, MAX_PAGES_PER_FEED):
            etag, last_modified = page_validators(store.conn, article_id)
            requests.append(
                FetchRequest(link, etag=etag, last_modified=last_modified, key=(feed.id, article_id))
            )
    if not requests:
        return []
    results: list[tuple[FetchRequest, FetchResult]] = []
    fetcher.fetch_many(requests, on_result=lambda req, res: results.append((req, res)), cancel=cancel)
    changed: list[int] = []
    problems: dict[int, list[str]] = {f.id: [] for f in wanted if any(r.key[0] == f.id for r in requests)}  # type: ignore[index]
    for request, response in results:
        feed_id, article_id = request.key  # type: ignore[misc]
        if response.not_modified or (response.error == "cancelled" and response.status is None):
            continue  # unchanged page, or a poll stopped by the analyst: nothing to keep and nothing to blame
        outcome = judge_page(article_id, response)
        if outcome.text is None:
            log.info("full text of article %s (%s): %s", article_id, request.url, outcome.problem)
            problems[feed_id].append(f"{request.url}: {outcome.problem}")
            continue
        fetch = FetchProvenance(
            etag=response.etag,
            last_modified=response.last_modified,
            doc_sha256=hashlib.sha256(response.content).hexdigest(),
        )
        if save_full_text(store.conn, store.dialect, article_id, outcome.text, iso(clock()), fetch):
            changed.append(article_id)
    for feed_id, failed in problems.items():
        total = sum(1 for r in requests if r.key[0] == feed_id)  # type: ignore[index]
        state = (
            f"full text: {total} page(s) fetched"
            if not failed
            else f"full text: {len(failed)} of {total} page(s) failed; last: {failed[-1]}"
        )
        store.set_full_text_state(feed_id, state)
    return changed


def rescore_articles(
    store: Store, matcher: Matcher, article_ids: Sequence[int], poll_id: int | None = None
) -> list[int]:
    """Match again the articles whose full text changed. An item new in the poll `poll_id` that its page's text
    highlights becomes an alert, as if its feed had carried that text (an older item does not: re-scoring never
    makes an item new). Returns the ids of those new alerts."""
    rows = []
    for article_id in article_ids:
        article = store.article(article_id)
        if article is not None:
            rows.append(
                score_row(
                    article_id, matcher.assess(article.title, article.summary, article.field_text("content"))
                )
            )
    for start in range(0, len(rows), SCORES_PER_WRITE):
        apply_scores(store.conn, rows[start : start + SCORES_PER_WRITE])
    if poll_id is None:
        return []
    alerts = raise_page_alerts(store.conn, [row[0] for row in rows], poll_id)
    if alerts:
        log.info("%d new items highlighted by their page's text: alerts", len(alerts))
    return alerts
