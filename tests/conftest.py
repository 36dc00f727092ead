"""Fixtures shared by every test layer: private data folders, ../shared, and local feed servers."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug import Request, Response

# Qt tests run offscreen unless a system test sets up a real X server itself.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DEV_FEEDS = SHARED / "eval" / "dev" / "feeds"
DEV_ITEMS = SHARED / "eval" / "dev" / "items.jsonl"


@pytest.fixture(autouse=True)
def _private_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may read or write the real user's profile, settings or autostart folder."""
    home = tmp_path_factory.mktemp("xdg")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared (the dev set and corpora) is not beside this checkout")
    return SHARED


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh profile folder; VIGIE_DATA_DIR points at it so nothing touches the real one."""
    folder = tmp_path / "profile"
    monkeypatch.setenv("VIGIE_DATA_DIR", str(folder))
    return folder


@dataclass
class ServedFeed:
    """A feed document served with ETag/Last-Modified validators; `body` can be changed between polls."""

    body: bytes
    content_type: str = "application/rss+xml"
    last_modified: str = "Thu, 13 Nov 2025 18:00:00 GMT"

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:16] + '"'

    def handler(self) -> Callable[[Request], Response]:
        def respond(request: Request) -> Response:
            headers = {"ETag": self.etag, "Last-Modified": self.last_modified}
            if request.headers.get("If-None-Match") == self.etag:
                return Response(status=304, headers=headers)
            return Response(self.body, status=200, headers=headers, content_type=self.content_type)

        return respond


def serve_feed(httpserver, path: str, feed: ServedFeed) -> str:  # type: ignore[no-untyped-def]
    httpserver.expect_request(path).respond_with_handler(feed.handler())
    return httpserver.url_for(path)


@pytest.fixture
def dev_feeds(httpserver, shared_dir: Path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The five dev feeds of ../shared/eval/dev served on 127.0.0.1; returns file name -> URL."""
    urls = {}
    for path in sorted(DEV_FEEDS.glob("*.xml")):
        kind = "application/atom+xml" if "atom" in path.name else "application/rss+xml"
        urls[path.name] = serve_feed(httpserver, f"/feeds/{path.name}", ServedFeed(path.read_bytes(), kind))
    return urls


def write_opml(path: Path, urls: dict[str, str]) -> Path:
    outlines = "\n".join(
        f'    <outline type="rss" text="{name}" xmlUrl="{url}"/>' for name, url in urls.items()
    )
    path.write_text(
        f'<?xml version="1.0"?>\n<opml version="2.0"><head><title>dev</title></head><body>\n'
        f'  <outline text="Dev">\n{outlines}\n  </outline>\n</body></opml>\n',
        encoding="utf-8",
    )
    return path


# The throwaway PostgreSQL server (tests/pg_server.py), for the store's tests on both engines.
from tests.pg_server import database, engine, open_store, postgres_server  # noqa: E402, F401
