"""HTTP for feeds: timeouts, a decoded-size cap, conditional GET, Retry-After, per-host politeness."""

from __future__ import annotations

import email.utils
import functools
import logging
import random
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from types import TracebackType
from urllib.parse import urlsplit

import httpx

import monitor
from monitor.core.support.priority import lower_thread_priority
from monitor.core.support.urls import WEB_SCHEMES, url_problem

logger = logging.getLogger(__name__)

ERROR_KINDS = ("scheme", "connection", "timeout", "too_large", "redirects", "http", "decode", "other")

# Feeds first; an HTML page still comes back so the parser can look for <link rel="alternate">.
ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8"
# Only what we decode ourselves with zlib under the size cap (see _Decoder).
ACCEPT_ENCODING = "gzip, deflate"

_RETRY_AFTER_STATUSES = (429, 503)
_REDIRECT_STATUSES = (301, 302, 303, 307, 308)
_KB = 1024
# How resolvers on Linux, macOS and Windows word "no such host".
_DNS_HINTS = (
    "name or service not known",
    "nodename nor servname",
    "getaddrinfo",
    "name resolution",
    "no address associated",
)
_MB = 1024 * 1024


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


class _Failure(Exception):
    """Internal: ends a fetch with an error, keeping the response seen so far (if any)."""

    def __init__(self, kind: str, message: str, response: httpx.Response | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.response = response


class _Decoder:
    """Incremental gzip/deflate decoding that never produces more than asked for.

    httpx decodes each network chunk in full before handing it over, so one 64 KB chunk of a gzip bomb can
    become tens of megabytes; zlib's max_length keeps memory at the cap instead.
    """

    def __init__(self, encoding: str) -> None:
        self._deflate = encoding == "deflate"
        # gzip: wbits 16+; deflate: zlib-wrapped as the RFC says, raw deflate as many servers send.
        self._z = zlib.decompressobj(zlib.MAX_WBITS | 16 if not self._deflate else zlib.MAX_WBITS)
        self._first = True

    def decode(self, data: bytes, max_length: int) -> bytes:
        try:
            out = self._z.decompress(data, max_length)
        except zlib.error:
            if not (self._deflate and self._first):
                raise
            self._z = zlib.decompressobj(-zlib.MAX_WBITS)
            out = self._z.decompress(data, max_length)
        self._first = False
        return out

    def flush(self) -> bytes:
        return self._z.flush()


def _format_seconds(seconds: float) -> str:
    return f"{round(seconds, 2):g} s"


def _format_size(size: int) -> str:
    if size >= _MB:
        return f"{round(size / _MB, 1):g} MB"
    if size >= _KB:
        return f"{round(size / _KB, 1):g} KB"
    return f"{size} bytes"


def _host_key(url: str) -> str:
    """The politeness bucket of a URL: host and port."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        return ""
    return f"{(parts.hostname or '').lower()}:{port}"


def _http_error(response: httpx.Response) -> str:
    status = response.status_code
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = response.reason_phrase
    return f"HTTP {status} {phrase}".rstrip()


def _connect_error(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    lowered = text.lower()
    if "refused" in lowered:
        return "connection refused"
    if any(hint in lowered for hint in _DNS_HINTS):
        return "could not resolve the host name"
    if "certificate" in lowered:
        return f"TLS certificate not trusted ({text})"
    if "ssl" in lowered or "tls" in lowered:
        return f"TLS error ({text})"
    if "unreachable" in lowered:
        return "network unreachable"
    return f"could not connect ({text})"


def _interleaved(requests: Sequence[FetchRequest]) -> list[int]:
    """Request indices taken round-robin over hosts, so the pool is not filled by one host's queue."""
    buckets: dict[str, list[int]] = {}
    for index, request in enumerate(requests):
        buckets.setdefault(_host_key(request.url), []).append(index)
    order: list[int] = []
    queues = [iter(b) for b in buckets.values()]
    while queues:
        remaining = []
        for queue in queues:
            index = next(queue, None)
            if index is not None:
                order.append(index)
                remaining.append(queue)
        queues = remaining
    return order


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After value: delta-seconds or an HTTP-date.

    Args:
        value: the header value, or None.
        now: the present moment, to measure an HTTP-date against (naive means UTC).

    Returns:
        Seconds (0.0 for a date in the past), or None when the value is missing or unreadable.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        if seconds != seconds or seconds in (float("inf"), float("-inf")):
            return None
        return max(0.0, seconds)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def backoff_delay(
    failures: int, *, base: float = 60.0, cap: float = 6 * 3600, rng: random.Random | None = None
) -> float:
    """Seconds to wait before retrying after `failures` failures in a row.

    Exponential (base, 2*base, 4*base... capped at `cap`) with jitter kept within [50%, 100%] of that value,
    so feeds that failed together do not all come back at the same moment. 0 failures means no wait.
    """
    if failures <= 0:
        return 0.0
    # The exponent is bounded so a long outage cannot overflow a float.
    value = min(cap, base * 2.0 ** min(failures - 1, 64))
    draw = rng.random() if rng is not None else random.random()
    return value * (0.5 + 0.5 * draw)


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The TLS settings every Fetcher shares (httpx's defaults: certifi's CA bundle, or SSL_CERT_FILE).

    Built once per process: reading the CA bundle takes 30-70 ms during which no other thread of the process
    runs Python, and building it for each poll stalled the window as the poll began."""
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
        self._sleep = sleep
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
        self._lock = threading.Lock()
        self._host_slots: dict[str, threading.BoundedSemaphore] = {}
        self._host_next_start: dict[str, float] = {}

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
            futures = [pool.submit(work, index) for index in _interleaved(requests)]
            for future in futures:
                future.result()
        return [result for result in results if result is not None]

    # -- politeness ------------------------------------------------------------------------------------------

    def _host_slot(self, host: str) -> threading.BoundedSemaphore:
        with self._lock:
            slot = self._host_slots.get(host)
            if slot is None:
                slot = threading.BoundedSemaphore(max(1, self.settings.per_host_concurrency))
                self._host_slots[host] = slot
            return slot

    def _wait_turn(self, host: str) -> None:
        """Keep request starts to one host at least per_host_delay apart."""
        delay = self.settings.per_host_delay
        if delay <= 0:
            return
        with self._lock:
            now = self._monotonic()
            start = max(now, self._host_next_start.get(host, now))
            self._host_next_start[host] = start + delay
        if start > now:
            self._sleep(start - now)

    def _fetch_polite(self, request: FetchRequest, cancel: threading.Event | None) -> FetchResult:
        if cancel is not None and cancel.is_set():
            return self._cancelled(request)
        problem = url_problem(request.url)
        if problem is not None:
            logger.debug("not fetching %r: %s", request.url, problem)
            return FetchResult(
                url=request.url, final_url=request.url, status=None, error=problem, error_kind="scheme"
            )
        host = _host_key(request.url)
        with self._host_slot(host):
            if cancel is not None and cancel.is_set():
                return self._cancelled(request)
            self._wait_turn(host)
            if cancel is not None and cancel.is_set():
                return self._cancelled(request)
            return self._fetch_now(request)

    @staticmethod
    def _cancelled(request: FetchRequest) -> FetchResult:
        return FetchResult(
            url=request.url, final_url=request.url, status=None, error="cancelled", error_kind="other"
        )

    # -- one fetch -------------------------------------------------------------------------------------------

    def _fetch_now(self, request: FetchRequest) -> FetchResult:
        start = self._monotonic()
        deadline = start + self.settings.total_timeout
        result = FetchResult(url=request.url, final_url=request.url, status=None)
        try:
            self._run(request, result, deadline)
        except _Failure as failure:
            result.error, result.error_kind = failure.message, failure.kind
            if failure.response is not None:
                self._describe(result, failure.response)
        except httpx.TimeoutException as exc:
            result.error, result.error_kind = self._timeout_message(exc, deadline), "timeout"
        except httpx.ConnectError as exc:
            result.error, result.error_kind = _connect_error(exc), "connection"
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            result.error = f"the connection broke off ({exc or type(exc).__name__})"
            result.error_kind = "connection"
        except httpx.DecodingError as exc:
            result.error, result.error_kind = f"could not decode the response ({exc})", "decode"
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            result.error, result.error_kind = f"invalid URL ({exc})", "other"
        except Exception as exc:  # the contract is "never raises": anything else is reported, and logged
            logger.warning("unexpected error fetching %s", request.url, exc_info=True)
            result.error, result.error_kind = f"unexpected error: {type(exc).__name__}: {exc}", "other"
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

    def _timeout_message(self, exc: httpx.TimeoutException, deadline: float) -> str:
        s = self.settings
        if self._monotonic() >= deadline - 0.01:
            return f"gave up after {_format_seconds(s.total_timeout)} (total time limit)"
        if isinstance(exc, httpx.ConnectTimeout):
            return f"timed out after {_format_seconds(s.connect_timeout)} connecting"
        if isinstance(exc, httpx.PoolTimeout):
            return "timed out waiting for a free connection"
        if isinstance(exc, httpx.WriteTimeout):
            return f"timed out after {_format_seconds(s.read_timeout)} sending the request"
        return f"timed out after {_format_seconds(s.read_timeout)} waiting for data"

    def _remaining(self, deadline: float) -> float:
        remaining = deadline - self._monotonic()
        if remaining <= 0:
            raise _Failure(
                "timeout", f"gave up after {_format_seconds(self.settings.total_timeout)} (total time limit)"
            )
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
                        raise _Failure(
                            "redirects",
                            f"too many redirects (more than {self.settings.max_redirects})",
                            response,
                        )
                    url = response.url.join(response.headers["location"])
                    if url.scheme not in WEB_SCHEMES:
                        raise _Failure(
                            "scheme", f"redirected to unsupported URL scheme '{url.scheme}'", response
                        )
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
                    response.headers.get("retry-after"), self._server_now(response)
                )
            raise _Failure("http", _http_error(response), response)
        result.content = self._read_body(response, deadline)

    @staticmethod
    def _server_now(response: httpx.Response) -> datetime:
        """The server's idea of now (its Date header), so an HTTP-date Retry-After survives clock skew."""
        date = response.headers.get("date")
        if date:
            try:
                parsed = email.utils.parsedate_to_datetime(date)
            except (TypeError, ValueError, IndexError):
                parsed = None
            if parsed is not None:
                return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        return datetime.now(UTC)

    def _read_body(self, response: httpx.Response, deadline: float) -> bytes:
        cap = self.settings.max_bytes
        too_large = _Failure("too_large", f"response larger than {_format_size(cap)}")
        encodings = [
            e.strip().lower() for e in response.headers.get("content-encoding", "").split(",") if e.strip()
        ]
        encodings = [e for e in encodings if e != "identity"]
        decoder: _Decoder | None = None
        chunks: Iterator[bytes]
        if not encodings:
            length = response.headers.get("content-length", "")
            if length.isdigit() and int(length) > cap:
                raise too_large
            chunks = response.iter_raw()
        elif len(encodings) == 1 and encodings[0] in ("gzip", "x-gzip", "deflate"):
            decoder = _Decoder("deflate" if encodings[0] == "deflate" else "gzip")
            chunks = response.iter_raw()
        else:
            # An encoding we did not ask for: let httpx decode it (or pass it through); the cap still holds.
            chunks = response.iter_bytes()

        body = bytearray()
        try:
            for chunk in chunks:
                self._remaining(deadline)
                data = decoder.decode(chunk, cap - len(body) + 1) if decoder is not None else chunk
                body += data
                if len(body) > cap:
                    raise too_large
            if decoder is not None:
                body += decoder.flush()
                if len(body) > cap:
                    raise too_large
        except zlib.error as exc:
            raise _Failure("decode", f"could not decode the {encodings[0]} body ({exc})") from exc
        return bytes(body)
