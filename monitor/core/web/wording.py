"""The wording of fetch failures: every way a fetch can end badly, as a kind and a sentence for a person.

The Fetcher raises :class:`FetchFailure` with the facts of what it saw itself, lets httpx raise the rest, and
turns any of them into words with :func:`describe_failure`; no sentence about a failed fetch is written
anywhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from monitor.core.web.fetch import FetchSettings

ERROR_KINDS = ("scheme", "connection", "timeout", "too_large", "redirects", "http", "decode", "other")

_KB = 1024
_MB = 1024 * 1024
# How resolvers on Linux, macOS and Windows word "no such host".
_DNS_HINTS = (
    "name or service not known",
    "nodename nor servname",
    "getaddrinfo",
    "name resolution",
    "no address associated",
)


class FetchFailure(Exception):
    """Ends a fetch for a reason the Fetcher saw itself (a key of the wording table), with the facts its
    sentence needs and the response seen so far (if any)."""

    def __init__(self, reason: str, response: httpx.Response | None = None, **facts: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.response = response
        self.facts = facts


def format_seconds(seconds: float) -> str:
    return f"{round(seconds, 2):g} s"


def format_size(size: int) -> str:
    if size >= _MB:
        return f"{round(size / _MB, 1):g} MB"
    if size >= _KB:
        return f"{round(size / _KB, 1):g} KB"
    return f"{size} bytes"


def _status_line(response: httpx.Response | None) -> str:
    if response is None:
        return "HTTP error"
    status = response.status_code
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = response.reason_phrase
    return f"HTTP {status} {phrase}".rstrip()


_Wording = Callable[[FetchFailure, "FetchSettings"], str]

# reason -> (kind, sentence): the failures the Fetcher detects itself.
_FAILURES: dict[str, tuple[str, _Wording]] = {
    # The request's own URL, in the words of the one URL policy (support/urls.py).
    "bad_url": ("scheme", lambda f, s: f.facts["problem"]),
    "redirect_scheme": ("scheme", lambda f, s: f"redirected to unsupported URL scheme '{f.facts['scheme']}'"),
    "too_many_redirects": ("redirects", lambda f, s: f"too many redirects (more than {s.max_redirects})"),
    "too_large": ("too_large", lambda f, s: f"response larger than {format_size(s.max_bytes)}"),
    "out_of_time": (
        "timeout",
        lambda f, s: f"gave up after {format_seconds(s.total_timeout)} (total time limit)",
    ),
    "http_status": ("http", lambda f, s: _status_line(f.response)),
    "undecodable": (
        "decode",
        lambda f, s: f"could not decode the {f.facts['encoding']} body ({f.facts['error']})",
    ),
    "cancelled": ("other", lambda f, s: "cancelled"),
}

# What ends a fetch in the ordinary course of the network; anything else is a bug worth a log line.
EXPECTED_FAILURES: tuple[type[Exception], ...] = (
    FetchFailure,
    httpx.TimeoutException,
    httpx.ConnectError,
    httpx.RemoteProtocolError,
    httpx.ReadError,
    httpx.WriteError,
    httpx.DecodingError,
    httpx.UnsupportedProtocol,
    httpx.InvalidURL,
)


def describe_failure(
    exc: Exception, settings: FetchSettings, *, past_deadline: Callable[[], bool] = lambda: False
) -> tuple[str, str]:
    """The kind (one of ERROR_KINDS) and the sentence for whatever ended a fetch.

    Args:
        exc: a FetchFailure, an httpx error, or anything else a fetch raised.
        settings: the limits the sentence quotes.
        past_deadline: asked only for a timeout, whether the whole request ran out of its total time.
    """
    if isinstance(exc, FetchFailure):
        kind, wording = _FAILURES[exc.reason]
        return kind, wording(exc, settings)
    if isinstance(exc, httpx.TimeoutException):
        return "timeout", _timeout_sentence(exc, settings, past_deadline())
    if isinstance(exc, httpx.ConnectError):
        return "connection", _connect_sentence(exc)
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return "connection", f"the connection broke off ({exc or type(exc).__name__})"
    if isinstance(exc, httpx.DecodingError):
        return "decode", f"could not decode the response ({exc})"
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return "other", f"invalid URL ({exc})"
    return "other", f"unexpected error: {type(exc).__name__}: {exc}"


def _timeout_sentence(exc: httpx.TimeoutException, settings: FetchSettings, past_deadline: bool) -> str:
    s = settings
    if past_deadline:
        return f"gave up after {format_seconds(s.total_timeout)} (total time limit)"
    if isinstance(exc, httpx.ConnectTimeout):
        return f"timed out after {format_seconds(s.connect_timeout)} connecting"
    if isinstance(exc, httpx.PoolTimeout):
        return "timed out waiting for a free connection"
    if isinstance(exc, httpx.WriteTimeout):
        return f"timed out after {format_seconds(s.read_timeout)} sending the request"
    return f"timed out after {format_seconds(s.read_timeout)} waiting for data"


def _connect_sentence(exc: Exception) -> str:
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
