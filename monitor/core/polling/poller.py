"""One poll of a set of feeds: fetch -> parse -> clean -> match -> store. Synchronous; the caller picks the thread."""

from __future__ import annotations

import functools
import hashlib
import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from monitor.core.matching.article_names import article_names
from monitor.core.matching.matcher import Matcher
from monitor.core.models import Assessment, Feed, ParsedFeed
from monitor.core.parsing.feeds import parse_feed
from monitor.core.parsing.wordforms import index_forms
from monitor.core.polling.due import MAX_BACKOFF
from monitor.core.polling.fulltext import fetch_full_texts, rescore_articles
from monitor.core.polling.grouping_stage import GroupingStage, offered, storage_failure
from monitor.core.polling.search_stage import SearchStage
from monitor.core.storage.feed_records import FeedState
from monitor.core.storage.ingest import FetchProvenance, Outcome
from monitor.core.storage.store import Store
from monitor.core.stories.text import StoryFeatures, story_features
from monitor.core.support.clock import Clock, iso, utc_now
from monitor.core.support.workers import close_pool, cores, process_pool
from monitor.core.web.fetch import Fetcher, FetchRequest, FetchResult

log = logging.getLogger(__name__)

# A feed that answers 404 this many polls in a row is disabled; 410 Gone disables at once.
MAX_CONSECUTIVE_404 = 3
# A poll of this many feeds or more parses in worker processes; below it, starting them costs more than they save
# (docs/BENCHMARKS.md).
PARALLEL_FEEDS = 40


@dataclass
class FeedReport:
    """What one poll did to one feed."""

    feed_id: int
    url: str
    title: str
    status: str  # "ok" | "not_modified" | "error"
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    http_status: int | None = None
    error: str | None = None
    disabled: bool = False

    def line(self) -> str:
        name = self.title or self.url
        if self.status == "error":
            return f"{name}: error: {self.error}" + (" (feed disabled)" if self.disabled else "")
        if self.status == "not_modified":
            return f"{name}: not modified"
        return f"{name}: {self.new} new, {self.updated} updated, {self.unchanged} unchanged"


@dataclass
class PollResult:
    poll_id: int
    started: str
    finished: str = ""
    reports: list[FeedReport] = field(default_factory=list)
    alert_ids: list[int] = field(default_factory=list)

    @property
    def new(self) -> int:
        return sum(r.new for r in self.reports)

    @property
    def updated(self) -> int:
        return sum(r.updated for r in self.reports)

    @property
    def failed(self) -> int:
        return sum(r.status == "error" for r in self.reports)

    def summary(self) -> str:
        return (
            f"{len(self.reports)} feeds polled: {self.new} new, {self.updated} updated, "
            f"{self.failed} failed, {len(self.alert_ids)} alerts"
        )


ProgressCallback = Callable[[int, int, FeedReport], None]


def poll_once(
    feeds: Sequence[Feed],
    store: Store,
    fetcher: Fetcher,
    matcher: Matcher,
    *,
    clock: Clock = utc_now,
    on_progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    full_poll: bool = True,
    workers: int | None = None,
    stories: bool = True,
) -> PollResult:
    """Poll `feeds` once and store what they bring (`stories=False`: without grouping the new articles into
    stories, nor making their story features; for a bench's baseline).

    Fetching runs on the fetcher's pool while this thread parses, matches and writes each answer as it
    arrives, so a slow feed never holds up the others. `on_progress(done, total, report)` is called on this
    thread after each feed. Alerts from the previous poll are cleared first (all of them on a full poll,
    else those of the polled feeds), so `alert` always means "new and highlighted since the last poll".

    A poll of PARALLEL_FEEDS feeds or more parses and matches in worker processes, one per core (`workers`
    sets how many; 0 keeps everything in this process): this thread then only stores. Should a worker die,
    the rest of the poll parses here.
    """
    started = clock()
    poll_id = store.next_poll_id()
    result = PollResult(poll_id=poll_id, started=iso(started))
    by_id = {f.id: f for f in feeds}
    requests = [FetchRequest(f.url, etag=f.etag, last_modified=f.last_modified, key=f.id) for f in feeds]
    # Fetch answers, then (for large polls) the same answers once a worker process has parsed them.
    answers: queue.Queue[_Answer | None] = queue.Queue()

    def fetch_all() -> None:
        try:
            fetcher.fetch_many(
                requests, on_result=lambda req, res: answers.put((req, res, None)), cancel=cancel
            )
        except Exception:  # a bug in the fetcher must not leave the poll waiting forever
            log.exception("fetching failed")
        finally:
            answers.put(None)

    worker = threading.Thread(target=fetch_all, name="vigie-fetch", daemon=True)
    if workers is None:
        workers = cores() if len(feeds) >= PARALLEL_FEEDS else 0
    # The word forms go to SQLite's stems table; PostgreSQL stems in its search trigger.
    parsers = (
        _Parsers(matcher, workers, word_forms=store.dialect.fts5, features=stories) if workers > 1 else None
    )
    worker.start()
    # Grouping on a thread of its own when the engine works in another process (grouping_stage.py).
    grouping = GroupingStage(store, own_thread=not store.dialect.is_sqlite, enabled=stories)
    search = SearchStage(store)  # PostgreSQL's search vectors, on a connection of their own (search_stage.py)
    done = 0
    parsing = 0  # answers in the worker processes
    fetching = True
    try:
        # While the first answers arrive: after a large poll this rewrites thousands of rows.
        store.clear_alerts(None if full_poll else [f.id for f in feeds])
        while fetching or parsing:
            answer = answers.get()
            if answer is None:
                fetching = False
                continue
            request, response, parsed = answer
            feed = by_id[int(request.key)]  # type: ignore[arg-type]
            if parsed is None and parsers is not None and _has_feed_body(response):
                back = functools.partial(_parsed, answers, request, response)
                if parsers.submit(response, feed.url, clock(), back):
                    parsing += 1
                    continue
            if parsed is not None:
                parsing -= 1
                grouping.offer(offered(parsed))
            try:
                report = _ingest(feed, response, store, matcher, poll_id, clock(), parsed, search.defer)
            except Exception as exc:  # one feed's surprise must not end the poll for the others
                if storage_failure(exc):  # ...but a full or read-only disk ends it: no feed can be stored
                    raise
                log.exception("ingesting %s failed", feed.url)
                report = FeedReport(feed.id, feed.url, feed.title, "error", error=f"internal error: {exc}")
            result.reports.append(report)
            done += 1
            if report.new or report.updated:
                search.feed_landed()
            if report.new:
                # Group as feeds land, while the others are still being fetched and parsed: the poll's thread
                # would otherwise wait for them idle, and the grouping would all come at the end.
                grouping.feed_landed(report.new)
            if on_progress:
                on_progress(done, len(feeds), report)
    except BaseException:
        grouping.close()
        search.close()
        raise
    finally:
        if parsers is not None:
            parsers.close()
    worker.join()
    try:
        # The feeds' deferred search vectors first: a full text's update makes its article's vectors in its own
        # transaction, which the stage's, made from the text before it, must not follow.
        search.finish()
        # After every feed's own items are stored: the pages of the new and changed items of full-text feeds.
        if any(f.full_text for f in feeds) and not (cancel and cancel.is_set()):
            try:
                changed = fetch_full_texts(feeds, store, fetcher, result.started, clock, cancel)
                rescore_articles(store, matcher, changed, poll_id)
            except Exception as exc:
                if storage_failure(exc):
                    raise
                log.exception("fetching full texts failed")
        grouping.finish()
    finally:
        grouping.close()
        search.close()
    result.alert_ids = store.alert_ids(poll_id)
    result.finished = iso(clock())
    store.set_meta("last_poll", result.finished)
    return result


def _ingest(
    feed: Feed,
    response: FetchResult,
    store: Store,
    matcher: Matcher,
    poll_id: int,
    now: datetime,
    parsed_elsewhere: Future[_Parsed] | None = None,
    defer_search: bool = False,
) -> FeedReport:
    fetched_at = iso(now)
    report = FeedReport(feed.id, feed.url, feed.title, "ok", http_status=response.status)
    if response.not_modified:
        report.status = "not_modified"
        store.record_fetch(feed.id, _success_state(response), fetched_at)
        return report
    if response.error == "cancelled" and response.status is None:
        report.status = "error"
        report.error = "cancelled before it was fetched"  # not the feed's fault: no failure counted
        return report
    if response.error:
        return _fail(feed, response.status, response.error, response.retry_after, store, now, report)
    parsed, assessments = _parse_result(parsed_elsewhere, feed.url)
    if parsed is None:
        parsed = parse_feed(
            response.content, url=response.final_url or feed.url, headers=response.headers, fetched_at=now
        )
    if parsed.error:
        error = parsed.error
        if parsed.alternates:
            error += f"; the page links to {parsed.alternates[0]}"
        return _fail(feed, response.status, error, None, store, now, report)
    pending = store.prepare(feed.url, parsed.items)
    if assessments is None:
        assessments = {
            id(p.item): matcher.assess(p.item.title, p.item.summary, p.item.content)
            for p in pending
            if p.outcome is not Outcome.UNCHANGED
        }
    assessed = [(p, assessments.get(id(p.item), Assessment())) for p in pending]
    provenance = FetchProvenance(
        etag=response.etag,
        last_modified=response.last_modified,
        doc_sha256=hashlib.sha256(response.content).hexdigest(),
    )
    counts = store.save_items(
        source=feed.url,
        feed_id=feed.id,
        items=assessed,
        fetched_at=fetched_at,
        poll_id=poll_id,
        provenance=provenance,
        defer_search=defer_search,
    )
    store.mark_gone(feed.id, [p.dedup_key for p in pending], fetched_at)
    report.new, report.updated, report.unchanged = (
        counts[Outcome.NEW],
        counts[Outcome.UPDATED],
        counts[Outcome.UNCHANGED],
    )
    state = _success_state(response)
    state.title = parsed.title or None
    state.error = parsed.warning and f"feed has errors but was read: {parsed.warning}"
    store.record_fetch(feed.id, state, fetched_at)
    return report


# -- parsing in worker processes -------------------------------------------------------------------------------

# A feed, and the assessment and the story features (without watched entries) of each of its items, in order.
_Parsed = tuple[ParsedFeed, list[Assessment], list[StoryFeatures]]
_Answer = tuple[FetchRequest, FetchResult, "Future[_Parsed] | None"]


def _has_feed_body(response: FetchResult) -> bool:
    """Whether `_ingest` would parse this answer (not a 304, not an error)."""
    return not response.not_modified and not response.error


def _parsed(
    answers: queue.Queue[_Answer | None],
    request: FetchRequest,
    response: FetchResult,
    future: Future[_Parsed],
) -> None:
    answers.put((request, response, future))


def _parse_result(
    future: Future[_Parsed] | None, url: str
) -> tuple[ParsedFeed | None, dict[int, Assessment] | None]:
    """What a worker made of a feed, with the assessments keyed by item identity; (None, None) to parse here."""
    if future is None:
        return None, None
    try:
        parsed, assessments, _ = future.result()
    except Exception as exc:  # the worker died (BrokenProcessPool) or failed: parse in this process
        log.warning("a parser process failed on %s (%s); parsing it in the poll's process", url, exc)
        return None, None
    return parsed, {id(item): a for item, a in zip(parsed.items, assessments, strict=True)}


class _Parsers:
    """Worker processes that parse fetched feeds and match their items, started with the first feed that needs
    parsing (a poll where every feed answers 304 starts none). After a worker dies, `submit` declines and the
    poll parses in its own process."""

    def __init__(
        self, matcher: Matcher, workers: int, *, word_forms: bool = True, features: bool = True
    ) -> None:
        self._matcher = matcher
        self._workers = workers
        self._word_forms = word_forms  # stem each item's words for the store's word-form index
        self._features = features  # make each item's story features for the poll's grouping
        self._pool: ProcessPoolExecutor | None = None
        self._broken = False

    def submit(
        self, response: FetchResult, url: str, now: datetime, on_done: Callable[[Future[_Parsed]], None]
    ) -> bool:
        if self._broken:
            return False
        if self._pool is None:
            self._pool = process_pool(self._workers, _start_parser, (self._matcher,))
        try:
            future = self._pool.submit(
                _parse_and_assess,
                response.content,
                response.final_url or url,
                response.headers,
                now,
                self._word_forms,
                self._features,
            )
        except (BrokenProcessPool, RuntimeError) as exc:
            log.warning("the parser processes stopped (%s); parsing in the poll's process", exc)
            self._broken = True
            return False
        future.add_done_callback(on_done)
        return True

    def close(self) -> None:
        if self._pool is not None:
            close_pool(self._pool)


_worker_matcher: Matcher | None = None


def _start_parser(matcher: Matcher) -> None:
    global _worker_matcher
    _worker_matcher = matcher


def _parse_and_assess(
    content: bytes,
    url: str,
    headers: dict[str, str],
    fetched_at: datetime,
    word_forms: bool = True,
    features: bool = True,
) -> _Parsed:
    """In a worker: parse_feed, then the matcher, the stemmer (`word_forms`: for a store that keeps them), the
    story features (`features`: for a poll that groups) over every item (unchanged ones too: the store is not
    here), and the candidate names of the highlighted ones. Doing them here keeps them off the poll's process,
    which writes the store and groups the new articles into stories."""
    assert _worker_matcher is not None, "parser process not initialised"
    parsed = parse_feed(content, url=url, headers=headers, fetched_at=fetched_at)
    assessments = [_worker_matcher.assess(i.title, i.summary, i.content) for i in parsed.items]
    for item, assessment in zip(parsed.items, assessments, strict=True):
        if word_forms:
            item.word_forms = index_forms(item.title, item.summary, item.content, item.lang)
        if assessment.highlighted:  # the name index of emerging names holds the highlighted items
            item.names = article_names(item.title, item.summary, item.content)
    made = (
        [story_features(i.title, i.summary, i.content, lang_hint=i.lang) for i in parsed.items]
        if features
        else []
    )
    return parsed, assessments, made


def _success_state(response: FetchResult) -> FeedState:
    return FeedState(
        status=response.status,
        error=None,
        etag=response.etag,
        last_modified=response.last_modified,
        consecutive_failures=0,
    )


def _fail(
    feed: Feed,
    status: int | None,
    error: str,
    retry_after: float | None,
    store: Store,
    now: datetime,
    report: FeedReport,
) -> FeedReport:
    """Record a failed attempt: the scheduler backs off from these facts (monitor.core.polling.due)."""
    failures = feed.consecutive_failures + 1
    disabled_reason = None
    if status == 410:
        disabled_reason = "the server says the feed is gone for good (HTTP 410)"
    elif status == 404 and failures >= MAX_CONSECUTIVE_404:
        disabled_reason = f"not found (HTTP 404) {failures} times in a row"
    state = FeedState(
        status=status,
        error=error,
        consecutive_failures=failures,
        # Capped as the rule caps it: a Retry-After of years would not fit a datetime.
        retry_not_before=None
        if retry_after is None
        else iso(now + min(timedelta(seconds=retry_after), MAX_BACKOFF)),
        disabled_reason=disabled_reason,
    )
    store.record_fetch(feed.id, state, iso(now))
    report.status = "error"
    report.error = error
    report.disabled = disabled_reason is not None
    return report
