"""A local feed farm for the benches: N RSS feeds of M items on 127.0.0.x, with ETag and 304 answers.

It runs in a child process (so serving does not compete with the measured process for its GIL) and serves the
same seeded bytes every time; ``feed_bytes()`` gives the parent those bytes too, for the feedparser baseline.
"""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import os
import random
import sys
import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _fixtures as fx


def feed_bytes(n_feeds: int = 500, n_items: int = 40, seed: int = 99) -> list[bytes]:
    """RSS 2.0 documents: items with a title, an HTML description of about 1 KB, a guid, a link and a date.

    Each feed declares its <language> unless VIGIE_BENCH_UNDECLARED_LANGUAGE is set (bench/ingest.py
    --undeclared-language): then every item's language is detected."""
    declare = not os.environ.get("VIGIE_BENCH_UNDECLARED_LANGUAGE")
    wl = fx.bench_watchlist()
    gen = fx.TextGenerator(seed, fx.watchlist_terms(wl), term_rate=1 / 150)
    rng = random.Random(seed)
    base = datetime(2026, 11, 1, tzinfo=UTC)
    out = []
    for f in range(n_feeds):
        lang = "fr" if f % 5 < 3 else "en"
        items = []
        for i in range(n_items):
            title = escape(gen.words(rng.randint(6, 14), lang))
            paras = "".join(f"<p>{escape(gen.text(rng.randint(250, 450), lang))}</p>" for _ in range(3))
            when = format_datetime(base + timedelta(minutes=rng.randrange(30 * 24 * 60)))
            items.append(
                f"<item><title>{title}</title><link>http://news.invalid/{f}/{i}</link>"
                f'<guid isPermaLink="false">bench-{f}-{i}</guid><pubDate>{when}</pubDate>'
                f"<description>{escape(paras)}</description></item>"
            )
        doc = (
            f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Bench feed {f}</title>'
            f"<link>http://news.invalid/{f}</link><description>synthetic</description>"
            + (f"<language>{lang}</language>" if declare else "")
            + "".join(items)
            + "</channel></rss>"
        )
        out.append(doc.encode("utf-8"))
    return out


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    docs: ClassVar[list[bytes]] = []
    etags: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        try:
            index = int(self.path.rsplit("/", 1)[-1].split(".")[0])
            body = self.docs[index]
        except (ValueError, IndexError):
            self.send_error(404)
            return
        etag = self.etags[index]
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _serve(n_feeds: int, n_items: int, hosts: list[str], ready: mp.Queue) -> None:
    docs = feed_bytes(n_feeds, n_items)
    _Handler.docs = docs
    _Handler.etags = ['"' + hashlib.sha1(d).hexdigest()[:16] + '"' for d in docs]
    ports = []
    for host in hosts:
        server = ThreadingHTTPServer((host, 0), _Handler)
        server.daemon_threads = True
        ports.append(server.server_address[1])
        threading.Thread(target=server.serve_forever, daemon=True).start()
    ready.put(ports)
    threading.Event().wait()


class FeedFarm:
    """Start with ``with FeedFarm(...) as farm:``; ``farm.urls`` lists the feed URLs, spread over the hosts."""

    def __init__(self, n_feeds: int = 500, n_items: int = 40, n_hosts: int = 8) -> None:
        self.n_feeds = n_feeds
        self.hosts = [f"127.0.0.{i + 1}" for i in range(n_hosts)]
        ready: mp.Queue = mp.Queue()
        self.process = mp.get_context("fork").Process(
            target=_serve, args=(n_feeds, n_items, self.hosts, ready), daemon=True
        )
        self.process.start()
        ports = ready.get(timeout=120)
        self.urls = [
            f"http://{self.hosts[i % n_hosts]}:{ports[i % n_hosts]}/feed/{i}.xml" for i in range(n_feeds)
        ]

    def __enter__(self) -> FeedFarm:
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.join(5)
