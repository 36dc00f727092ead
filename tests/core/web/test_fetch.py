"""Fetcher behaviour against real HTTP servers on 127.0.0.1: limits, conditional GET, errors, politeness."""

from __future__ import annotations

import contextlib
import email.utils
import gzip
import random
import socket
import ssl
import threading
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import trustme
from pytest_httpserver import HTTPServer

import monitor
from monitor.core.web.fetch import (
    Fetcher,
    FetchRequest,
    FetchResult,
    FetchSettings,
    backoff_delay,
    parse_retry_after,
)

# Small limits keep every test fast; runtime is bounded by these, never asserted.
FAST = FetchSettings(connect_timeout=1.0, read_timeout=0.5, total_timeout=1.5, per_host_delay=0.0)
MB = 1024 * 1024


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(FAST) as f:
        yield f


def make_fetcher(**changes: object) -> Fetcher:
    values = {**FAST.__dict__, **changes}
    return Fetcher(FetchSettings(**values))  # type: ignore[arg-type]


# -- a raw TCP server for what pytest-httpserver cannot do (stall, drip, never end) --------------------------

Handler = Callable[[socket.socket, "RawServer"], None]


class RawServer:
    """Runs `handler(conn, server)` on a thread per connection; close() stops and joins everything."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.stop = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.05)
        self.port = self.listener.getsockname()[1]
        self.threads: list[threading.Thread] = []
        self.acceptor = threading.Thread(target=self._accept, daemon=True)
        self.acceptor.start()

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self.threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(0.05)
            # OSError: the client went away, which is how most of these exchanges end.
            with contextlib.suppress(OSError):
                self.handler(conn, self)

    def read_request(self, conn: socket.socket) -> str:
        data = b""
        while b"\r\n\r\n" not in data and not self.stop.is_set():
            try:
                chunk = conn.recv(4096)
            except TimeoutError:
                continue
            if not chunk:
                break
            data += chunk
        return data.decode("latin-1")

    def close(self) -> None:
        self.stop.set()
        self.acceptor.join()
        for thread in self.threads:
            thread.join()
        self.listener.close()


@pytest.fixture
def raw_server() -> Iterator[Callable[[Handler], RawServer]]:
    servers: list[RawServer] = []

    def start(handler: Handler) -> RawServer:
        server = RawServer(handler)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def never_answers(conn: socket.socket, server: RawServer) -> None:
    server.read_request(conn)
    server.stop.wait()


def slow_drip(conn: socket.socket, server: RawServer) -> None:
    server.read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nConnection: close\r\n\r\n")
    while not server.stop.wait(0.1):
        conn.sendall(b"x")


def endless_body(conn: socket.socket, server: RawServer) -> None:
    server.read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nConnection: close\r\n\r\n")
    block = b"a" * 65536
    while not server.stop.is_set():
        conn.sendall(block)


def http_response(body: bytes, status: str = "200 OK") -> bytes:
    head = f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    return head.encode() + body


# -- plain success and conditional GET -----------------------------------------------------------------------


def test_200_returns_body_headers_and_validators(fetcher: Fetcher, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        b"<rss/>",
        content_type="application/rss+xml",
        headers={"ETag": '"v1"', "Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT", "Content-Language": "fr"},
    )
    result = fetcher.fetch(FetchRequest(httpserver.url_for("/feed"), key=42))

    assert result.ok
    assert (result.status, result.content, result.error, result.error_kind) == (200, b"<rss/>", None, None)
    assert result.url == result.final_url == httpserver.url_for("/feed")
    assert result.headers["content-type"].startswith("application/rss+xml")
    assert result.headers["content-language"] == "fr"
    assert result.etag == '"v1"'
    assert result.last_modified == "Mon, 01 Jan 2024 00:00:00 GMT"
    assert not result.not_modified
    assert result.retry_after is None
    assert result.elapsed >= 0


def test_request_announces_itself_and_prefers_feeds(fetcher: Fetcher, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(b"ok")
    fetcher.fetch(FetchRequest(httpserver.url_for("/feed")))

    sent = httpserver.log[0][0].headers
    assert sent["User-Agent"] == monitor.USER_AGENT
    assert sent["Accept"].startswith("application/rss+xml, application/atom+xml")
    assert sent["Accept-Encoding"] == "gzip, deflate"
    assert "If-None-Match" not in sent
    assert "If-Modified-Since" not in sent


def test_304_sends_validators_and_reports_not_modified(fetcher: Fetcher, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(b"", status=304, headers={"ETag": '"v2"'})
    request = FetchRequest(
        httpserver.url_for("/feed"), etag='"v1"', last_modified="Mon, 01 Jan 2024 00:00:00 GMT"
    )
    result = fetcher.fetch(request)

    sent = httpserver.log[0][0].headers
    assert sent["If-None-Match"] == '"v1"'
    assert sent["If-Modified-Since"] == "Mon, 01 Jan 2024 00:00:00 GMT"
    assert result.ok and result.not_modified
    assert result.status == 304 and result.error is None and result.content == b""
    assert result.etag == '"v2"'  # the server's new one
    assert result.last_modified == "Mon, 01 Jan 2024 00:00:00 GMT"  # not repeated, so ours still holds


# -- HTTP errors and Retry-After -----------------------------------------------------------------------------


def test_429_with_retry_after_seconds(fetcher: Fetcher, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        b"slow down", status=429, headers={"Retry-After": "120"}
    )
    result = fetcher.fetch(FetchRequest(httpserver.url_for("/feed")))

    assert not result.ok
    assert (result.status, result.error_kind, result.error) == (429, "http", "HTTP 429 Too Many Requests")
    assert result.retry_after == 120.0
    assert result.content == b""


def test_429_with_retry_after_http_date(fetcher: Fetcher, httpserver: HTTPServer) -> None:
    later = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=300), usegmt=True)
    httpserver.expect_request("/feed").respond_with_data(b"", status=429, headers={"Retry-After": later})
    result = fetcher.fetch(FetchRequest(httpserver.url_for("/feed")))

    assert result.error_kind == "http"
    assert result.retry_after is not None
    assert 290 <= result.retry_after <= 301


def test_503_keeps_status_and_retry_after(fetcher: Fetcher, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(b"", status=503, headers={"Retry-After": "30"})
    result = fetcher.fetch(FetchRequest(httpserver.url_for("/feed")))

    assert (result.status, result.error_kind, result.error) == (503, "http", "HTTP 503 Service Unavailable")
    assert result.retry_after == 30.0
    assert not result.ok


@pytest.mark.parametrize(("status", "error"), [(404, "HTTP 404 Not Found"), (410, "HTTP 410 Gone")])
def test_client_errors_are_http_errors(
    fetcher: Fetcher, httpserver: HTTPServer, status: int, error: str
) -> None:
    httpserver.expect_request("/feed").respond_with_data(b"<html>gone</html>", status=status)
    result = fetcher.fetch(FetchRequest(httpserver.url_for("/feed")))

    assert (result.status, result.error_kind, result.error) == (status, "http", error)
    assert result.retry_after is None
    assert result.content == b""
    assert not result.ok


# -- redirects -----------------------------------------------------------------------------------------------


def test_redirect_chain_is_followed(fetcher: Fetcher, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a").respond_with_data(b"", status=301, headers={"Location": "/b"})
    httpserver.expect_request("/b").respond_with_data(b"", status=302, headers={"Location": "c"})
    httpserver.expect_request("/c").respond_with_data(
        b"", status=307, headers={"Location": httpserver.url_for("/feed")}
    )
    httpserver.expect_request("/feed").respond_with_data(b"<feed/>", headers={"ETag": '"x"'})
    result = fetcher.fetch(FetchRequest(httpserver.url_for("/a")))

    assert result.ok
    assert result.content == b"<feed/>"
    assert result.url == httpserver.url_for("/a")
    assert result.final_url == httpserver.url_for("/feed")
    assert result.etag == '"x"'
    assert [entry[0].path for entry in httpserver.log] == ["/a", "/b", "/c", "/feed"]


def test_redirect_loop_stops_at_max_redirects(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/loop").respond_with_data(b"", status=302, headers={"Location": "/loop"})
    with make_fetcher(max_redirects=3) as fetcher:
        result = fetcher.fetch(FetchRequest(httpserver.url_for("/loop")))

    assert result.error_kind == "redirects"
    assert result.error == "too many redirects (more than 3)"
    assert result.status == 302
    assert not result.ok
    assert len(httpserver.log) == 4


def test_redirect_to_another_scheme_is_refused(fetcher: Fetcher, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        b"", status=302, headers={"Location": "file:///etc/passwd"}
    )
    result = fetcher.fetch(FetchRequest(httpserver.url_for("/feed")))

    assert result.error_kind == "scheme"
    assert "'file'" in (result.error or "")


# -- content encodings and the size cap ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as some servers send it
    ],
    ids=["gzip", "deflate-zlib", "deflate-raw"],
)
def test_compressed_body_is_decoded(
    fetcher: Fetcher, httpserver: HTTPServer, encoding: str, compress: Callable[[bytes], bytes]
) -> None:
    body = b"".join(b"<item><title>article %d</title></item>" % i for i in range(20000))  # several chunks
    httpserver.expect_request("/feed").respond_with_data(
        compress(body), headers={"Content-Encoding": encoding}
    )
    result = fetcher.fetch(FetchRequest(httpserver.url_for("/feed")))

    assert result.ok, result.error
    assert result.content == body


def test_corrupt_gzip_is_a_decode_error(fetcher: Fetcher, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        b"not gzip at all", headers={"Content-Encoding": "gzip"}
    )
    result = fetcher.fetch(FetchRequest(httpserver.url_for("/feed")))

    assert result.error_kind == "decode"
    assert not result.ok


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """50 MB of zeros, gzip-compressed to about 50 KB."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = bytes(MB)
    return b"".join(compressor.compress(block) for _ in range(50)) + compressor.flush()


def test_gzip_bomb_stops_at_the_decoded_cap(httpserver: HTTPServer, gzip_bomb: bytes) -> None:
    httpserver.expect_request("/feed").respond_with_data(gzip_bomb, headers={"Content-Encoding": "gzip"})
    with make_fetcher(max_bytes=MB) as fetcher:
        result = fetcher.fetch(FetchRequest(httpserver.url_for("/feed")))

    assert result.error_kind == "too_large"
    assert result.error == "response larger than 1 MB"
    assert result.status == 200
    assert result.content == b""
    assert not result.ok


def test_plain_body_over_the_cap_is_too_large(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(b"x" * (2 * MB))
    with make_fetcher(max_bytes=MB) as fetcher:
        result = fetcher.fetch(FetchRequest(httpserver.url_for("/feed")))

    assert result.error_kind == "too_large"
    assert result.error == "response larger than 1 MB"


def test_body_exactly_at_the_cap_is_accepted(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        gzip.compress(b"y" * MB), headers={"Content-Encoding": "gzip"}
    )
    with make_fetcher(max_bytes=MB) as fetcher:
        result = fetcher.fetch(FetchRequest(httpserver.url_for("/feed")))

    assert result.ok, result.error
    assert len(result.content) == MB


def test_endless_body_without_length_stops_at_the_cap(raw_server: Callable[[Handler], RawServer]) -> None:
    server = raw_server(endless_body)
    with make_fetcher(max_bytes=MB, total_timeout=5.0) as fetcher:
        result = fetcher.fetch(FetchRequest(server.url("/feed")))

    assert result.error_kind == "too_large"
    assert result.status == 200


# -- timeouts and connection failures ------------------------------------------------------------------------


def test_server_that_never_answers_times_out(raw_server: Callable[[Handler], RawServer]) -> None:
    server = raw_server(never_answers)
    with make_fetcher(read_timeout=0.3, total_timeout=5.0) as fetcher:
        result = fetcher.fetch(FetchRequest(server.url("/feed")))

    assert result.error_kind == "timeout"
    assert result.error == "timed out after 0.3 s waiting for data"
    assert result.status is None
    assert not result.ok


def test_slow_drip_body_ends_at_the_total_timeout(raw_server: Callable[[Handler], RawServer]) -> None:
    server = raw_server(slow_drip)  # a byte every 0.1 s: each read is quick, the whole is endless
    with make_fetcher(read_timeout=0.5, total_timeout=1.0) as fetcher:
        result = fetcher.fetch(FetchRequest(server.url("/feed")))

    assert result.error_kind == "timeout"
    assert result.error == "gave up after 1 s (total time limit)"
    assert result.status == 200
    assert result.content == b""


def test_total_timeout_is_measured_on_the_injected_clock(raw_server: Callable[[Handler], RawServer]) -> None:
    now = [0.0]

    def a_byte_every_second(conn: socket.socket, server: RawServer) -> None:
        server.read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
        while not server.stop.wait(0.02):
            now[0] += 1.0  # a second passes on the fetcher's clock for every byte
            conn.sendall(b"x")

    server = raw_server(a_byte_every_second)
    settings = FetchSettings(read_timeout=0.5, total_timeout=5.0)
    with Fetcher(settings, monotonic=lambda: now[0]) as fetcher:
        result = fetcher.fetch(FetchRequest(server.url("/feed")))

    assert result.error_kind == "timeout"
    assert result.error == "gave up after 5 s (total time limit)"
    assert result.elapsed >= 5.0  # fetcher-clock seconds


def test_every_fetcher_checks_certificates_with_the_shared_tls_context() -> None:
    """The TLS context is built once per process (building it stalled the window); sharing it must not
    loosen the checks: a certificate from an authority nobody trusts is refused by each fetcher."""
    authority = trustme.CA()  # a made-up authority, in no CA bundle
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    authority.issue_cert("127.0.0.1").configure_cert(server_context)
    server = HTTPServer(host="127.0.0.1", ssl_context=server_context)
    server.expect_request("/feed.xml").respond_with_data(b"<rss/>")
    server.start()
    try:
        for _ in range(2):
            with Fetcher(FAST) as fetcher:
                result = fetcher.fetch(FetchRequest(server.url_for("/feed.xml")))
            assert result.url.startswith("https://")
            assert result.content == b""
            assert result.error is not None and result.error.startswith("TLS certificate not trusted")
    finally:
        server.clear()
        server.stop()


def test_connection_refused(fetcher: Fetcher) -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    result = fetcher.fetch(FetchRequest(f"http://127.0.0.1:{port}/feed"))

    assert result.error_kind == "connection"
    assert result.error == "connection refused"
    assert result.status is None
    assert not result.ok


def test_server_closing_without_answer_is_a_connection_error(
    raw_server: Callable[[Handler], RawServer],
) -> None:
    server = raw_server(lambda conn, srv: srv.read_request(conn))
    with Fetcher(FAST) as fetcher:
        result = fetcher.fetch(FetchRequest(server.url("/feed")))

    assert result.error_kind == "connection"


# -- schemes and the never-raises contract -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "scheme"),
    [
        ("file:///etc/passwd", "'file'"),
        ("javascript:alert(1)", "'javascript'"),
        ("data:text/plain,hello", "'data'"),
        ("ftp://example.org/feed.xml", "'ftp'"),
        ("feed.xml", "absolute"),
        ("http:///feed.xml", "no host"),
    ],
)
def test_non_http_urls_are_refused_without_a_request(url: str, scheme: str) -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200)

    with Fetcher(FAST, transport=httpx.MockTransport(handler)) as fetcher:
        result = fetcher.fetch(FetchRequest(url))

    assert result.error_kind == "scheme"
    assert scheme in (result.error or "")
    assert result.status is None
    assert calls == []


def test_unexpected_transport_failure_is_reported_not_raised() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise RuntimeError("boom")

    with Fetcher(FAST, transport=httpx.MockTransport(handler)) as fetcher:
        result = fetcher.fetch(FetchRequest("https://example.org/feed"))

    assert result.error_kind == "other"
    assert "boom" in (result.error or "")


def test_ok_property() -> None:
    assert FetchResult("u", "u", 200).ok
    assert FetchResult("u", "u", 304, not_modified=True).ok
    assert not FetchResult("u", "u", 200, error="response larger than 1 MB", error_kind="too_large").ok
    assert not FetchResult("u", "u", 500, error="HTTP 500 Internal Server Error", error_kind="http").ok
    assert not FetchResult("u", "u", None, error="connection refused", error_kind="connection").ok


# -- fetch_many: order, politeness, cancel -------------------------------------------------------------------


def test_fetch_many_returns_results_in_request_order(httpserver: HTTPServer) -> None:
    for i in range(10):
        httpserver.expect_request(f"/{i}").respond_with_data(str(i).encode())
    requests = [FetchRequest(httpserver.url_for(f"/{i}"), key=i) for i in range(10)]
    requests.insert(3, FetchRequest("file:///nope", key="bad"))
    seen: list[tuple[object, FetchResult]] = []
    lock = threading.Lock()

    def on_result(request: FetchRequest, result: FetchResult) -> None:
        with lock:
            seen.append((request.key, result))

    with make_fetcher(max_concurrency=4, per_host_concurrency=4) as fetcher:
        results = fetcher.fetch_many(requests, on_result=on_result)

    assert [r.url for r in results] == [r.url for r in requests]
    assert [r.content for r in results if r.ok] == [str(i).encode() for i in range(10)]
    assert results[3].error_kind == "scheme"
    assert sorted(str(key) for key, _ in seen) == sorted(str(r.key) for r in requests)
    by_key = dict(seen)
    assert all(by_key[request.key] is result for request, result in zip(requests, results, strict=True))


class ConcurrencyCounter:
    """A handler that counts requests in flight; each waits for a partner so overlap is seen when allowed."""

    def __init__(self, total: int, partner_wait: float = 2.0) -> None:
        self.total = total
        self.partner_wait = partner_wait
        self.started = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.cond = threading.Condition()

    def __call__(self, conn: socket.socket, server: RawServer) -> None:
        request_line = server.read_request(conn).split("\r\n", 1)[0]
        with self.cond:
            self.started += 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self.cond.notify_all()
            self.cond.wait_for(lambda: self.in_flight >= 2 or self.started >= self.total, self.partner_wait)
        server.stop.wait(0.05)  # linger, so a request the fetcher should have held back would overlap
        with self.cond:
            self.in_flight -= 1
        conn.sendall(http_response(request_line.split(" ")[1].encode()))


def test_fetch_many_respects_per_host_concurrency(raw_server: Callable[[Handler], RawServer]) -> None:
    counter = ConcurrencyCounter(total=8)
    server = raw_server(counter)
    requests = [FetchRequest(server.url(f"/{i}")) for i in range(8)]

    with make_fetcher(max_concurrency=8, per_host_concurrency=2) as fetcher:
        results = fetcher.fetch_many(requests)

    assert [r.content for r in results] == [f"/{i}".encode() for i in range(8)]
    assert counter.max_in_flight == 2


def test_per_host_delay_spaces_request_starts(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(b"ok")
    now = [0.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    settings = FetchSettings(read_timeout=0.5, total_timeout=1.5, per_host_concurrency=1, per_host_delay=0.25)
    with Fetcher(settings, monotonic=lambda: now[0], sleep=sleep) as fetcher:
        results = fetcher.fetch_many([FetchRequest(httpserver.url_for("/feed"))] * 3)

    assert all(r.ok for r in results)
    assert sleeps == pytest.approx([0.25, 0.25])


def test_cancel_before_start_fetches_nothing(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(b"ok")
    cancel = threading.Event()
    cancel.set()
    calls: list[FetchResult] = []

    with Fetcher(FAST) as fetcher:
        results = fetcher.fetch_many(
            [FetchRequest(httpserver.url_for("/feed"))] * 3,
            on_result=lambda _, r: calls.append(r),
            cancel=cancel,
        )

    assert [(r.error_kind, r.error) for r in results] == [("other", "cancelled")] * 3
    assert len(calls) == 3
    assert httpserver.log == []


def test_cancel_midway_stops_starting_new_requests(httpserver: HTTPServer) -> None:
    for i in range(5):
        httpserver.expect_request(f"/{i}").respond_with_data(b"ok")
    cancel = threading.Event()

    with make_fetcher(max_concurrency=1, per_host_concurrency=1) as fetcher:
        results = fetcher.fetch_many(
            [FetchRequest(httpserver.url_for(f"/{i}")) for i in range(5)],
            on_result=lambda _, __: cancel.set(),
            cancel=cancel,
        )

    assert results[0].ok
    assert all(r.error == "cancelled" and r.error_kind == "other" for r in results[1:])
    assert len(httpserver.log) == 1


def test_a_failing_callback_does_not_stop_the_batch(
    httpserver: HTTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    httpserver.expect_request("/feed").respond_with_data(b"ok")

    def on_result(request: FetchRequest, result: FetchResult) -> None:
        raise ValueError("callback bug")

    with Fetcher(FAST) as fetcher:
        results = fetcher.fetch_many([FetchRequest(httpserver.url_for("/feed"))] * 2, on_result=on_result)

    assert all(r.ok for r in results)
    assert "callback bug" in caplog.text


def test_fetch_many_of_nothing(fetcher: Fetcher) -> None:
    assert fetcher.fetch_many([]) == []


# -- backoff and Retry-After parsing -------------------------------------------------------------------------


class FixedRandom(random.Random):
    def __init__(self, value: float) -> None:
        super().__init__(0)
        self.value = value

    def random(self) -> float:
        return self.value


def test_backoff_is_zero_without_failures() -> None:
    assert backoff_delay(0) == 0.0
    assert backoff_delay(-3) == 0.0


def test_backoff_doubles_from_base() -> None:
    top = FixedRandom(1.0 - 1e-12)
    assert [round(backoff_delay(n, rng=top)) for n in range(1, 6)] == [60, 120, 240, 480, 960]
    assert [backoff_delay(n, rng=FixedRandom(0.0)) for n in range(1, 4)] == [30.0, 60.0, 120.0]


def test_backoff_is_capped_even_after_a_long_outage() -> None:
    cap = 6 * 3600
    rng = random.Random(7)
    for failures in (10, 11, 50, 1000, 10**6):
        assert cap / 2 <= backoff_delay(failures, rng=rng) <= cap
    assert backoff_delay(3, base=10, cap=25, rng=FixedRandom(0.0)) == 12.5


def test_backoff_jitter_stays_within_half_and_full_value() -> None:
    rng = random.Random(1234)
    delays = []
    for failures in range(1, 12):
        value = min(6 * 3600, 60.0 * 2 ** (failures - 1))
        for _ in range(50):
            delay = backoff_delay(failures, rng=rng)
            assert value / 2 <= delay <= value
            delays.append(delay)
    assert len(set(delays)) > len(delays) // 2  # jittered, not constant
    assert [backoff_delay(4, rng=random.Random(5)) for _ in range(2)] == [
        backoff_delay(4, rng=random.Random(5))
    ] * 2


NOW = datetime(2024, 1, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("soon", None),
        ("nan", None),
        ("120", 120.0),
        (" 0 ", 0.0),
        ("Mon, 01 Jan 2024 12:02:00 GMT", 120.0),
        ("Mon, 01 Jan 2024 11:00:00 GMT", 0.0),  # already past
        ("Monday, 01-Jan-24 12:00:30 GMT", 30.0),  # obsolete RFC 850 form
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected


def test_parse_retry_after_accepts_a_naive_now_as_utc() -> None:
    assert parse_retry_after("Mon, 01 Jan 2024 12:01:00 GMT", NOW.replace(tzinfo=None)) == 60.0
