"""A local server of many generated feeds, for large-ingest tests (crash safety)."""

from __future__ import annotations

import contextlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def feed_xml(feed: int, items: int, generation: int) -> bytes:
    parts = [
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Bulk feed {feed}</title>'
        "<link>http://example.invalid/</link>"
    ]
    for i in range(items):
        guid = f"g{generation}-f{feed}-i{i}"
        parts.append(
            f"<item><guid>{guid}</guid><title>Article {guid} sur le narcotrafic à Marseille</title>"
            f"<link>http://example.invalid/{guid}</link>"
            f"<description>&lt;p&gt;Résumé {guid}: la police et la justice face au trafic de drogue, "
            f"un texte assez long pour peser dans l'index plein texte. {'Lorem ipsum dolor sit amet. ' * 8}"
            f"&lt;/p&gt;</description><pubDate>Thu, 13 Nov 2025 {i % 24:02d}:00:00 GMT</pubDate></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode()


class BulkServer:
    """Serves /feed/N.xml for N in range(feeds); `generation` changes every guid at once.

    Each feed has a port of its own: the fetcher's per-host politeness delay counts host and port, so the
    feeds are fetched as fast as the poller can take them.
    """

    def __init__(self, feeds: int, items: int) -> None:
        self.feeds = feeds
        self.items = items
        self.generation = 0
        self._cache: dict[tuple[int, int], bytes] = {}
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                try:
                    number = int(self.path.removeprefix("/feed/").removesuffix(".xml"))
                except ValueError:
                    number = -1
                if not 0 <= number < owner.feeds:
                    self.send_error(404)
                    return
                body = owner.body(number)
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

        self._servers: list[ThreadingHTTPServer] = []
        for _ in range(feeds):
            httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
            httpd.daemon_threads = True
            threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
            self._servers.append(httpd)

    def body(self, number: int) -> bytes:
        key = (self.generation, number)
        if key not in self._cache:
            self._cache[key] = feed_xml(number, self.items, self.generation)
        return self._cache[key]

    def url(self, number: int) -> str:
        return f"http://127.0.0.1:{self._servers[number].server_address[1]}/feed/{number}.xml"

    def opml(self) -> bytes:
        outlines = "".join(
            f'<outline type="rss" text="Bulk {n}" xmlUrl="{self.url(n)}"/>' for n in range(self.feeds)
        )
        return f'<?xml version="1.0"?><opml version="2.0"><body>{outlines}</body></opml>'.encode()

    def close(self) -> None:
        for httpd in self._servers:
            httpd.shutdown()
            httpd.server_close()
