"""Full text: what fetching the pages of a full-text feed's items costs, against the same poll without it.

Run from the repository root: ``.venv/bin/python bench/fulltext.py [--feeds 20] [--items 10]``. Each feed's items
link to article pages (about 40 KB of HTML each: navigation, scripts, eight paragraphs) served on 127.0.0.1 by a
ThreadingHTTPServer in this process. Two fresh profiles poll the same feeds, one with full text off, one with it
on; the difference is the pages' cost (fetch, trafilatura, the page versions, matching again). Then the
extraction alone, per page, in one process.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor.core.polling.fulltext import extract_main_text
from monitor.core.service import VigieCore
from monitor.core.web.fetch import FetchSettings
from monitor.paths import AppPaths

PARAGRAPH = (
    "Le parquet national anticriminalité organisée a ouvert une information judiciaire visant un réseau "
    "d'importation de cocaïne par le port du Havre ; les enquêteurs de l'Office anti-stupéfiants ont procédé à "
    "des interpellations dans plusieurs villes et saisi des documents comptables, article {n}, paragraphe {p}."
)


def page(n: int) -> bytes:
    body = "".join(f"<p>{PARAGRAPH.format(n=n, p=p)}</p>" for p in range(8))
    chrome = "<nav>" + " | ".join(f"<a href='/r{i}'>Rubrique {i}</a>" for i in range(60)) + "</nav>"
    scripts = "<script>var tracking = '" + "x" * 20000 + "';</script>"
    return (
        f"<!doctype html><html><head><title>Article {n}</title>{scripts}</head><body>{chrome}"
        f"<article><h1>Article {n}</h1>{body}</article><footer>{'mentions légales ' * 200}</footer></body></html>"
    ).encode()


def feed(base: str, f: int, items: int) -> bytes:
    entries = "".join(
        f"<item><guid>f{f}-{i}</guid><title>Dépêche {f}-{i}</title><link>{base}/page/{f * 1000 + i}</link>"
        f"<description>Un réseau démantelé au Havre ({f}-{i}).</description></item>"
        for i in range(items)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>F{f}</title>{entries}</channel></rss>'.encode()


def serve(items: int) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            kind, _, number = self.path.strip("/").partition("/")
            body = page(int(number)) if kind == "page" else feed(base, int(number), items)
            self.send_response(200)
            self.send_header(
                "Content-Type", "text/html; charset=utf-8" if kind == "page" else "application/rss+xml"
            )
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, base


def timed_poll(base: str, feeds: int, full_text: bool) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as folder:
        core = VigieCore(AppPaths(Path(folder)), fetch_settings=FetchSettings(per_host_concurrency=8))
        try:
            added = [core.add_feed(f"{base}/feed/{f}", f"F{f}")[0] for f in range(feeds)]
            if full_text:
                core.set_full_text([f.id for f in added], True)
            started = time.perf_counter()
            result = core.poll()
            elapsed = time.perf_counter() - started
            pages = core.store.conn.execute(
                "SELECT count(*) FROM article_versions WHERE kind = 'page'"
            ).fetchone()[0]
            assert result.failed == 0
            return elapsed, int(pages)
        finally:
            core.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--feeds", type=int, default=20)
    parser.add_argument("--items", type=int, default=10)
    args = parser.parse_args()
    server, base = serve(args.items)
    try:
        print(f"{args.feeds} feeds x {args.items} items; pages of {len(page(0)) / 1024:.0f} KB")
        off, _ = timed_poll(base, args.feeds, False)
        on, pages = timed_poll(base, args.feeds, True)
        print(f"first poll, full text off: {off:.2f} s")
        print(
            f"first poll, full text on:  {on:.2f} s ({pages} pages kept): +{on - off:.2f} s, "
            f"{(on - off) / max(pages, 1) * 1000:.0f} ms a page"
        )
        docs = [page(n) for n in range(100)]
        started = time.perf_counter()
        for n, doc in enumerate(docs):
            assert extract_main_text(doc, f"{base}/page/{n}")
        print(f"trafilatura alone: {(time.perf_counter() - started) / len(docs) * 1000:.1f} ms a page")
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
