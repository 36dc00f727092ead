"""The one web-address policy: http and https with a host, everything else refused in words."""

from __future__ import annotations

import pytest

from monitor.core.support.urls import absolute_web_url, is_web_url, url_problem


@pytest.mark.parametrize("url", ["http://example.org/feed", "HTTPS://Example.org", " https://a.b/c?d=1 "])
def test_http_and_https_with_a_host_are_web_urls(url: str) -> None:
    assert url_problem(url) is None
    assert is_web_url(url)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("file:///etc/passwd", "unsupported URL scheme 'file'"),
        ("javascript:alert(1)", "unsupported URL scheme 'javascript'"),
        ("data:text/html,hi", "unsupported URL scheme 'data'"),
        ("/relative/path", "not an absolute http(s) URL"),
        ("http://", "no host in URL"),
        ("http://[::1", "not a valid URL"),
        ("http://host:port/", "not a valid URL"),
    ],
)
def test_anything_else_is_refused_saying_why(url: str, words: str) -> None:
    assert words in (url_problem(url) or "")
    assert not is_web_url(url)


def test_empty_and_none_are_not_web_urls() -> None:
    assert not is_web_url("")
    assert not is_web_url(None)


def test_relative_links_are_resolved_against_a_web_base_only() -> None:
    assert absolute_web_url("/a", "https://site.fr/x/y") == "https://site.fr/a"
    assert absolute_web_url("b", None) is None
    assert absolute_web_url("javascript:x()", "https://site.fr/") is None
    assert absolute_web_url("https://other.org/", "https://site.fr/") == "https://other.org/"
    assert absolute_web_url("   ", "https://site.fr/") is None
