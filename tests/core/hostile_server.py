"""A misbehaving HTTP server on 127.0.0.1: one path per network fault, plus a good feed (tests and scripts)."""

from __future__ import annotations

import gzip
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# A local file the XXE document points at; the test checks its content never reaches the store.
SECRET_MARK = "VIGIE-XXE-SECRET-7f3a9c"


def rss(title: str, items: list[tuple[str, str]], doctype: str = "") -> bytes:
    """A small RSS 2.0 document with (guid, title) items."""
    entries = "".join(
        f"<item><guid>{guid}</guid><title>{text}</title><link>http://example.invalid/{guid}</link>"
        f"<description>About {text}.</description><pubDate>Thu, 13 Nov 2025 18:00:00 GMT</pubDate></item>"
        for guid, text in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?>{doctype}<rss version="2.0"><channel><title>{title}</title>'
        f"<link>http://example.invalid/</link>{entries}</channel></rss>"
    ).encode()


GOOD_FEED = rss("Good feed", [(f"good-{i}", f"Good item {i}") for i in range(3)])


def billion_laughs() -> bytes:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "' + (f"&lol{i - 1};" if i > 1 else "&lol;") * 10 + '">' for i in range(1, 10)
    )
    return rss("Laughs", [("laugh-1", "&lol9;")], doctype=f"<!DOCTYPE rss [{entities}]>")


def xxe(secret_path: str) -> bytes:
    doctype = f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret_path}">]>'
    return rss("External entity", [("xxe-1", "leak [&xxe;] here")], doctype=doctype)


def gzip_bomb(decoded_size: int = 64 * 1024 * 1024) -> bytes:
    return gzip.compress(b" " * decoded_size, compresslevel=9)


@dataclass
class HostileServer:
    """Serves the fault paths below until `close()`; handlers stop early once closing."""

    secret_path: str
    stop: threading.Event = field(default_factory=threading.Event)
    hits: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._bomb = gzip_bomb()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, format: str, *args: object) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                owner.hits[path] = owner.hits.get(path, 0) + 1
                route = owner.routes().get(path)
                try:
                    if route is None:
                        self.send_error(404)
                    else:
                        route(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def close(self) -> None:
        self.stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    # -- the faults ----------------------------------------------------------------------------------------

    def routes(self) -> dict[str, Callable[[BaseHTTPRequestHandler], None]]:
        return {
            "/good.xml": lambda h: self._send(h, 200, GOOD_FEED),
            "/silent": self._silent,
            "/drip": self._drip,
            "/endless": self._endless,
            "/bomb": lambda h: self._send(h, 200, self._bomb, {"Content-Encoding": "gzip"}),
            "/loop": lambda h: self._send(h, 302, b"", {"Location": "/loop"}),
            "/404": lambda h: self._send(h, 404, b"not here", {"Content-Type": "text/plain"}),
            "/410": lambda h: self._send(h, 410, b"gone", {"Content-Type": "text/plain"}),
            "/429": lambda h: self._send(h, 429, b"slow down", {"Retry-After": "7200"}),
            "/503": lambda h: self._send(h, 503, b"later", {"Retry-After": "5400"}),
            "/500": lambda h: self._send(h, 500, b"oops", {"Content-Type": "text/plain"}),
            "/page.html": lambda h: self._send(h, 200, self._page(), {"Content-Type": "text/html"}),
            "/invalid.xml": lambda h: self._send(h, 200, b"<<this is >> not & xml at all"),
            "/laughs.xml": lambda h: self._send(h, 200, billion_laughs()),
            "/xxe.xml": lambda h: self._send(h, 200, xxe(self.secret_path)),
        }

    def _page(self) -> bytes:
        return (
            b"<!DOCTYPE html><html><head><title>A news site</title>"
            b'<link rel="alternate" type="application/rss+xml" title="News" href="/good.xml">'
            b"</head><body><p>Welcome</p></body></html>"
        )

    @staticmethod
    def _send(
        h: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str] | None = None
    ) -> None:
        h.send_response(status)
        headers = {"Content-Type": "application/rss+xml", **(headers or {})}
        for name, value in headers.items():
            h.send_header(name, value)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    def _silent(self, h: BaseHTTPRequestHandler) -> None:
        self.stop.wait(10)  # accepts the request, never answers

    def _drip(self, h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        h.end_headers()
        h.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel><title>drip</title>')
        for _ in range(200):  # one byte every 0.1 s: never a read timeout, always over the total cap
            if self.stop.wait(0.1):
                return
            h.wfile.write(b" ")
            h.wfile.flush()

    def _endless(self, h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        h.end_headers()
        h.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel><title>endless</title>')
        chunk = b"<!-- " + b"x" * 65536 + b" -->"
        while not self.stop.is_set():
            h.wfile.write(chunk)


def refused_url() -> str:
    """A 127.0.0.1 URL on a port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/feed.xml"
