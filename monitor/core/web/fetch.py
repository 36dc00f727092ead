"""HTTP for feeds: timeouts, a decoded-size cap, conditional GET, Retry-After, per-host politeness."""

from __future__ import annotations

import functools
import logging
import ssl
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from types import TracebackType

import httpx

import monitor
from monitor.core.support.priority import lower_thread_priority
from monitor.core.support.urls import WEB_SCHEMES, url_problem
from monitor.core.web.body import ACCEPT_ENCODING, read_capped_body
from monitor.core.web.politeness import HostPoliteness, host_key, interleaved
from monitor.core.web.retry import backoff_delay, parse_retry_after, server_now
from monitor.core.web.wording import ERROR_KINDS, EXPECTED_FAILURES, FetchFailure, describe_failure

__all__ = [
    "ERROR_KINDS",
    "FetchRequest",
    "FetchResult",
    "FetchSettings",
    "Fetcher",
    "backoff_delay",
    "parse_retry_after",
    "tls_context",
]

logger = logging.getLogger(__name__)

# Feeds first; an HTML page still comes back so the parser can look for <link rel="alternate">.
ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8"

_RETRY_AFTER_STATUSES = (429, 503)
_REDIRECT_STATUSES = (301, 302, 303, 307, 308)


@dataclass(frozen=True)
class FetchSettings:
    """Limits and politeness for a Fetcher. Times are in seconds."""

    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    # Wall-clock cap for the whole request, redirects and slow-drip bodies included.
    total_timeout: float = 60.0
    # Cap on the decoded body, so a gzip bomb stops at the cap.
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    # Requests in flight at once in fetch_many.
    max_concurrency: int = 8
    # Politeness: at most this many requests in flight per host.
    per_host_concurrency: int = 2
    # Minimum seconds between two request starts to the same host.
    per_host_delay: float = 0.0
    user_agent: str = monitor.USER_AGENT


DEFAULT_SETTINGS = FetchSettings()


@dataclass(frozen=True)
class FetchRequest:
    """One URL to fetch, with the validators of the last successful fetch for a conditional GET.

    `key` is the caller's own id (a feed id, say), never looked at and passed back untouched.
    """

    url: str
    etag: str | None = None
    last_modified: str | None = None
    key: object = None


@dataclass
class FetchResult:
    """What came back for one FetchRequest. Problems are described here, never raised.

    Attributes:
        url: the requested URL.
        final_url: the URL after redirects (the requested URL when there were none or nothing was sent).
        status: the HTTP status of the last response, None when no response arrived.
        content: the decoded body of a 2xx response; empty otherwise.
        headers: response headers with lower-cased names; repeated headers joined with ", ".
        etag, last_modified: validators to send next time (on 304, the request's own when the server
            repeats none).
        not_modified: True on 304.
        retry_after: seconds to wait, from Retry-After on 429 and 503.
        error: a sentence for a person, None on success.
        error_kind: one of ERROR_KINDS, None on success.
        elapsed: seconds the fetch took (after any politeness wait), on the fetcher's clock.
    """

    url: str
    final_url: str
    status: int | None
    content: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    retry_after: float | None = None
    error: str | None = None
    error_kind: str | None = None
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        """True for a 2xx without error, or a 304 (the stored copy is still good)."""
        if self.not_modified:
            return True
        return self.error is None and self.status is not None and 200 <= self.status < 300


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The TLS settings every Fetcher shares (httpx's defaults: certifi's CA bundle, or SSL_CERT_FILE).

    Built once per process: reading the CA bundle holds the interpreter lock long enough for the window to
    stall (docs/BENCHMARKS.md), and building it for each poll did so as every poll began."""
    return httpx.create_ssl_context()


class Fetcher:
    """Fetches URLs over one shared httpx.Client (thread-safe, pooled connections, normal TLS checks).

    Args:
        settings: limits and politeness.
        transport: an httpx transport to use instead of the network (tests).
        monotonic: the clock that measures the total timeout and the per-host delay.
        sleep: how to wait out the per-host delay.
    """

    def __init__(
        self,
        settings: FetchSettings = DEFAULT_SETTINGS,
        *,
        transport: httpx.BaseTransport | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self._monotonic = monotonic
        connections = max(1, settings.max_concurrency) + 2
        self._client = httpx.Client(
            headers={
                "User-Agent": settings.user_agent,
                "Accept": ACCEPT,
                "Accept-Encoding": ACCEPT_ENCODING,
            },
            timeout=httpx.Timeout(
                settings.read_timeout, connect=settings.connect_timeout, pool=settings.total_timeout
            ),
            limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
            follow_redirects=False,  # followed here, to count hops, check schemes and keep the total deadline
            verify=tls_context(),
            transport=transport,
        )
        self._politeness = HostPoliteness(
            settings.per_host_concurrency, settings.per_host_delay, monotonic=monotonic, sleep=sleep
        )

    # -- lifecycle -------------------------------------------------------------------------------------------

    def close(self) -> None:
        """Close pooled connections. The Fetcher is unusable afterwards."""
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- public API ------------------------------------------------------------------------------------------

    def fetch(self, request: FetchRequest) -> FetchResult:
        """Fetch one URL, honouring per-host politeness. Never raises for network or HTTP problems."""
        return self._fetch_polite(request, None)

    def fetch_many(
        self,
        requests: Sequence[FetchRequest],
        on_result: Callable[[FetchRequest, FetchResult], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> list[FetchResult]:
        """Fetch many URLs on a pool of `max_concurrency` threads, politely per host.

        Args:
            requests: what to fetch.
            on_result: called from a worker thread as each request ends (cancelled ones included);
                an exception it raises is logged and ignored.
            cancel: once set, no new request starts; those not started end with error_kind "other" and
                error "cancelled". Requests in flight run to their end (bounded by the timeouts).

        Returns:
            One result per request, in request order.
        """
        requests = list(requests)
        if not requests:
            return []
        results: list[FetchResult | None] = [None] * len(requests)

        def work(index: int) -> None:
            request = requests[index]
            result = self._fetch_polite(request, cancel)
            results[index] = result
            if on_result is not None:
                try:
                    on_result(request, result)
                except Exception:
                    logger.exception("on_result callback failed for %s", request.url)

        workers = min(max(1, self.settings.max_concurrency), len(requests))
        with ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="vigie-fetch", initializer=lower_thread_priority
        ) as pool:
            futures = [pool.submit(work, index) for index in interleaved([r.url for r in requests])]
            for future in futures:
                future.result()
        return [result for result in results if result is not None]

    # -- politeness ------------------------------------------------------------------------------------------

    def _fetch_polite(self, request: FetchRequest, cancel: threading.Event | None) -> FetchResult:
        if cancel is not None and cancel.is_set():
            return self._unsent(request, FetchFailure("cancelled"))
        problem = url_problem(request.url)
        if problem is not None:
            logger.debug("not fetching %r: %s", request.url, problem)
            return self._unsent(request, FetchFailure("bad_url", problem=problem))
        host = host_key(request.url)
        with self._politeness.slot(host):
            if cancel is not None and cancel.is_set():
                return self._unsent(request, FetchFailure("cancelled"))
            self._politeness.wait_turn(host)
            if cancel is not None and cancel.is_set():
                return self._unsent(request, FetchFailure("cancelled"))
            return self._fetch_now(request)

    def _unsent(self, request: FetchRequest, failure: FetchFailure) -> FetchResult:
        """The result of a request that never went out."""
        kind, sentence = describe_failure(failure, self.settings)
        return FetchResult(
            url=request.url, final_url=request.url, status=None, error=sentence, error_kind=kind
        )

    # -- one fetch -------------------------------------------------------------------------------------------

    def _fetch_now(self, request: FetchRequest) -> FetchResult:
        start = self._monotonic()
        deadline = start + self.settings.total_timeout
        result = FetchResult(url=request.url, final_url=request.url, status=None)
        try:
            self._run(request, result, deadline)
        except Exception as exc:  # the contract is "never raises": every problem is reported in words
            if not isinstance(exc, EXPECTED_FAILURES):
                logger.warning("unexpected error fetching %s", request.url, exc_info=True)
            result.error_kind, result.error = describe_failure(
                exc, self.settings, past_deadline=lambda: self._monotonic() >= deadline - 0.01
            )
            if isinstance(exc, FetchFailure) and exc.response is not None:
                self._describe(result, exc.response)
        if result.error is not None:
            result.content = b""
        result.elapsed = max(0.0, self._monotonic() - start)
        logger.debug(
            "GET %s -> %s%s in %.2f s",
            request.url,
            result.status,
            f" ({result.error_kind}: {result.error})" if result.error else "",
            result.elapsed,
        )
        return result

    def _remaining(self, deadline: float) -> float:
        remaining = deadline - self._monotonic()
        if remaining <= 0:
            raise FetchFailure("out_of_time")
        return remaining

    def _hop_timeout(self, deadline: float) -> httpx.Timeout:
        # A single blocking read cannot outlast the total deadline.
        remaining = self._remaining(deadline)
        s = self.settings
        read = min(s.read_timeout, remaining)
        return httpx.Timeout(read, connect=min(s.connect_timeout, remaining), write=read, pool=remaining)

    def _run(self, request: FetchRequest, result: FetchResult, deadline: float) -> None:
        headers: dict[str, str] = {}
        if request.etag:
            headers["If-None-Match"] = request.etag
        if request.last_modified:
            headers["If-Modified-Since"] = request.last_modified
        url = httpx.URL(request.url.strip())
        hops = 0
        while True:
            outgoing = self._client.build_request(
                "GET", url, headers=headers, timeout=self._hop_timeout(deadline)
            )
            response = self._client.send(outgoing, stream=True)
            try:
                result.final_url = str(response.url)
                if response.status_code in _REDIRECT_STATUSES and "location" in response.headers:
                    hops += 1
                    if hops > self.settings.max_redirects:
                        raise FetchFailure("too_many_redirects", response)
                    url = response.url.join(response.headers["location"])
                    if url.scheme not in WEB_SCHEMES:
                        raise FetchFailure("redirect_scheme", response, scheme=url.scheme)
                    logger.debug("redirect %s %s -> %s", response.status_code, response.url, url)
                    continue
                self._describe(result, response)
                self._finish(result, response, deadline)
                return
            finally:
                response.close()

    @staticmethod
    def _describe(result: FetchResult, response: httpx.Response) -> None:
        """Copy status, headers and validators from `response` into `result`."""
        headers: dict[str, str] = {}
        for name, value in response.headers.multi_items():
            name = name.lower()
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        result.status = response.status_code
        result.final_url = str(response.url)
        result.headers = headers
        result.etag = headers.get("etag")
        result.last_modified = headers.get("last-modified")

    def _finish(self, result: FetchResult, response: httpx.Response, deadline: float) -> None:
        status = response.status_code
        if status == 304:
            result.not_modified = True
            # A 304 need not repeat the validators; the ones we sent are still the right ones.
            result.etag = result.etag or response.request.headers.get("if-none-match")
            result.last_modified = result.last_modified or response.request.headers.get("if-modified-since")
            return
        if not 200 <= status < 300:
            if status in _RETRY_AFTER_STATUSES:
                result.retry_after = parse_retry_after(
                    response.headers.get("retry-after"), server_now(response.headers)
                )
            raise FetchFailure("http_status", response)
        result.content = read_capped_body(
            response, self.settings.max_bytes, lambda: self._remaining(deadline)
        )
