"""The wording of fetch failures: one table gives each failure its kind and sentence."""

from __future__ import annotations

import httpx
import pytest

from monitor.core.web import wording
from monitor.core.web.fetch import FetchSettings
from monitor.core.web.wording import ERROR_KINDS, FetchFailure, describe_failure

SETTINGS = FetchSettings(connect_timeout=3, read_timeout=7.5, total_timeout=30, max_bytes=2 * 1024 * 1024)


def test_every_failure_the_fetcher_raises_has_a_kind_of_error_kinds() -> None:
    for kind, _ in wording._FAILURES.values():
        assert kind in ERROR_KINDS


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (
            FetchFailure("bad_url", problem="unsupported URL scheme 'ftp'"),
            ("scheme", "unsupported URL scheme 'ftp'"),
        ),
        (
            FetchFailure("redirect_scheme", scheme="file"),
            ("scheme", "redirected to unsupported URL scheme 'file'"),
        ),
        (FetchFailure("too_many_redirects"), ("redirects", "too many redirects (more than 5)")),
        (FetchFailure("too_large"), ("too_large", "response larger than 2 MB")),
        (FetchFailure("out_of_time"), ("timeout", "gave up after 30 s (total time limit)")),
        (
            FetchFailure("undecodable", encoding="gzip", error="bad"),
            ("decode", "could not decode the gzip body (bad)"),
        ),
        (FetchFailure("cancelled"), ("other", "cancelled")),
        (FetchFailure("http_status", httpx.Response(404)), ("http", "HTTP 404 Not Found")),
        (FetchFailure("http_status", httpx.Response(599)), ("http", "HTTP 599")),
    ],
)
def test_failures_seen_by_the_fetcher_in_words(failure: FetchFailure, expected: tuple[str, str]) -> None:
    assert describe_failure(failure, SETTINGS) == expected


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (httpx.ConnectError("[Errno 111] Connection refused"), ("connection", "connection refused")),
        (
            httpx.ConnectError("[Errno -2] Name or service not known"),
            ("connection", "could not resolve the host name"),
        ),
        (httpx.ConnectTimeout("t"), ("timeout", "timed out after 3 s connecting")),
        (httpx.ReadTimeout("t"), ("timeout", "timed out after 7.5 s waiting for data")),
        (httpx.PoolTimeout("t"), ("timeout", "timed out waiting for a free connection")),
        (httpx.RemoteProtocolError("peer closed"), ("connection", "the connection broke off (peer closed)")),
        (httpx.DecodingError("bad brotli"), ("decode", "could not decode the response (bad brotli)")),
        (httpx.UnsupportedProtocol("no scheme"), ("other", "invalid URL (no scheme)")),
        (KeyError("x"), ("other", "unexpected error: KeyError: 'x'")),
    ],
)
def test_errors_raised_on_the_way_in_words(error: Exception, expected: tuple[str, str]) -> None:
    asked: list[bool] = []

    def past_deadline() -> bool:
        asked.append(True)
        return False

    assert describe_failure(error, SETTINGS, past_deadline=past_deadline) == expected
    # The clock is read only to word a timeout (a fake clock in a test counts its reads).
    assert bool(asked) == isinstance(error, httpx.TimeoutException)


def test_a_timeout_at_the_total_deadline_says_so() -> None:
    assert describe_failure(httpx.ReadTimeout("t"), SETTINGS, past_deadline=lambda: True) == (
        "timeout",
        "gave up after 30 s (total time limit)",
    )
