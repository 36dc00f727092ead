"""Reliability figures: the hostile feed corpus and the network faults through the real poll path.

Serves every file of ../shared/corpora/feedparser-tests over HTTP on 127.0.0.1 (with the Content-Type and other
headers named in each file's `Header:` comment lines), polls them all in one poll into a temporary profile, then
renders every stored article through the reader pane (offscreen) in both layouts, checking that nothing that
could run, load or restyle survives. Then runs each network fault once. Prints the figures.

    QT_QPA_PLATFORM=offscreen python scripts/reliability.py [--corpus DIR] [--limit N]
"""

from __future__ import annotations

import argparse
import contextlib
import mimetypes
import os
import re
import resource
import sys
import tempfile
import threading
import time
from collections import Counter
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from monitor.core.polling.due import due_time  # noqa: E402
from monitor.core.service import VigieCore  # noqa: E402
from monitor.core.support.clock import iso  # noqa: E402
from monitor.core.web.fetch import FetchSettings  # noqa: E402
from monitor.paths import AppPaths  # noqa: E402

DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "feedparser-tests"
_HEADER = re.compile(rb"^\s*Header:\s*([A-Za-z0-9-]+):\s*(.*?)\s*$", re.MULTILINE)
FORBIDDEN_TAGS = {
    "script",
    "iframe",
    "object",
    "embed",
    "form",
    "style",
    "frame",
    "frameset",
    "base",
    "meta",
    "link",
    "svg",
    "math",
    "applet",
    "input",
    "button",
    "textarea",
    "select",
    "template",
    "noscript",
    "video",
    "audio",
}
_STYLE_TRICKS = ("url(", "expression", "javascript", "position", "behavior", "@import", "-moz-binding")


# -- serving the corpus ---------------------------------------------------------------------------------------


def corpus_files(corpus: Path) -> list[Path]:
    return sorted(
        p for p in corpus.rglob("*") if p.is_file() and p.name not in ("LICENSE", "README.md", "README")
    )


def file_headers(data: bytes, path: Path) -> dict[str, str]:
    """Headers named in the file's `Header:` lines; a Content-Type from the extension otherwise."""
    headers: dict[str, str] = {}
    for name, value in _HEADER.findall(data[:4096]):
        headers[name.decode("latin-1").title()] = value.decode("latin-1")
    if "Content-Type" not in headers:
        guessed = mimetypes.guess_type(path.name)[0]
        headers["Content-Type"] = "application/xml" if path.suffix == ".xml" else (guessed or "text/plain")
    return headers


class CorpusServer:
    """Serves files of a folder at /<relative path>; counts requests (any path)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.requests: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                owner.requests.append(self.path)
                target = (owner.root / unquote(self.path.lstrip("/").split("?")[0])).resolve()
                if owner.root.resolve() not in target.parents or not target.is_file():
                    self.send_error(404)
                    return
                data = target.read_bytes()
                self.send_response(200)
                for name, value in file_headers(data, target).items():
                    with contextlib.suppress(ValueError):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def url(self, path: Path) -> str:
        rel = path.relative_to(self.root).as_posix()
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/{quote(rel)}"

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


# -- what must not survive into the reader -----------------------------------------------------------------


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def _scheme(value: str) -> str:
    squeezed = re.sub(r"[\x00-\x20\x7f]+", "", value).lower()
    return squeezed.split(":", 1)[0] if ":" in squeezed else ""


def forbidden_constructs(html: str, *, allow_own_style: bool = True) -> list[str]:
    """What in `html` could run code, load something, submit, or restyle the page. Empty when safe.

    The reader's own markup uses plain colour and size style attributes; with `allow_own_style` those pass
    (any style holding a url, an expression, positioning, script or an import does not).
    """
    problems: list[str] = []
    lowered = html.lower()
    for raw in ("<script", "<iframe", "<object", "<embed", "<form", "<style", "<svg", "<math", "<base"):
        if raw in lowered:
            problems.append(f"raw {raw}")
    collector = _Collector()
    collector.feed(html)
    collector.close()
    for tag, attrs in collector.tags:
        if tag in FORBIDDEN_TAGS:
            problems.append(f"<{tag}>")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                problems.append(f"{tag} {name}=")
            elif name == "style":
                if not allow_own_style or any(t in value.lower() for t in _STYLE_TRICKS):
                    problems.append(f"{tag} style={value[:40]!r}")
            elif name in ("srcdoc", "formaction", "action", "background", "dynsrc", "lowsrc"):
                problems.append(f"{tag} {name}=")
            elif _scheme(value) in ("javascript", "data", "vbscript", "file"):
                problems.append(f"{tag} {name}={value[:40]!r}")
    return problems


def error_kind(error: str) -> str:
    """A short class for a stored feed error."""
    lowered = error.lower()
    if lowered.startswith("not a feed: an html page"):
        return "not a feed: HTML page"
    if lowered.startswith("not a feed: a json"):
        return "not a feed: JSON document"
    if lowered.startswith("not a feed: the document is empty"):
        return "not a feed: empty document"
    if lowered.startswith("not a feed: no rss or atom"):
        return "not a feed: no RSS/Atom elements"
    if lowered.startswith("not a feed:"):
        return "not a feed: XML syntax error"
    if lowered.startswith("http "):
        return "HTTP " + error.split()[1]
    if lowered.startswith("internal error"):
        return "internal error (bug)"
    return error.split(":")[0][:50]


# -- the corpus run ---------------------------------------------------------------------------------------


def run_corpus(corpus: Path, limit: int | None) -> dict[str, object]:
    from PySide6.QtGui import QTextDocument
    from PySide6.QtWidgets import QApplication

    from monitor.core.models import ArticleQuery
    from monitor.ui.reader import ReaderView
    from monitor.ui.reader_html import article_html

    app = QApplication.instance() or QApplication([])
    files = corpus_files(corpus)[:limit]
    server = CorpusServer(corpus)
    figures: dict[str, object] = {"files": len(files)}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="vigie-reliability-") as tmp:
        core = VigieCore(
            AppPaths(Path(tmp) / "profile"),
            fetch_settings=FetchSettings(
                read_timeout=10, total_timeout=20, per_host_delay=0, max_concurrency=8, per_host_concurrency=8
            ),
        )
        urls = {server.url(f): f for f in files}
        core.store.add_feeds([(u, "") for u in urls], 60)
        ingest: dict[str, float] = {}
        last = [time.perf_counter()]

        def progress(_done: int, _total: int, report: object) -> None:
            now = time.perf_counter()
            ingest[report.url] = now - last[0]  # type: ignore[attr-defined]
            last[0] = now

        poll_started = time.perf_counter()
        result = core.poll(on_progress=progress)
        figures["poll_seconds"] = time.perf_counter() - poll_started
        feeds = core.store.list_feeds()
        counts = dict(
            core.store.conn.execute(
                "SELECT feed_id, COUNT(*) FROM articles WHERE feed_id IS NOT NULL GROUP BY feed_id"
            ).fetchall()
        )
        ok = [f for f in feeds if counts.get(f.id, 0) > 0]
        warned = [f for f in ok if f.last_error]
        empty = [f for f in feeds if counts.get(f.id, 0) == 0]
        read_warning = "feed has errors but was read"
        failed = [f for f in empty if f.last_error and not f.last_error.startswith(read_warning)]
        empty_warned = [f for f in empty if f.last_error and f.last_error.startswith(read_warning)]
        silent = [f for f in empty if not f.last_error]
        figures.update(
            polled=len(result.reports),
            ok=len(ok),
            ok_with_warning=len(warned),
            articles=sum(counts.values()),
            errors=Counter(error_kind(f.last_error or "") for f in failed),
            no_entries_no_error=[urls[f.url].relative_to(corpus).as_posix() for f in silent],
            no_entries_warned=len(empty_warned),
        )
        slowest = max(ingest.items(), key=lambda kv: kv[1]) if ingest else ("", 0.0)
        figures["slowest"] = (
            urls[slowest[0]].relative_to(corpus).as_posix() if slowest[0] else "",
            slowest[1],
        )

        # Render every stored article in the reader pane, both layouts, and as a bare QTextDocument.
        server.requests.clear()
        view = ReaderView(open_url=lambda _url: None)
        view.resize(900, 700)
        labels = {f.url: f.title or f.url for f in feeds}
        rendered = 0
        problems: list[tuple[str, str]] = []
        render_started = time.perf_counter()
        for article in core.store.articles(ArticleQuery(view="all")):
            if article.source == "seed":
                continue
            for original in (False, True):
                page = article_html(
                    article, source_label=labels.get(article.source, ""), original_layout=original
                )
                problems += [(article.source, p) for p in forbidden_constructs(page)]
                view.show_article(
                    article, source_label=labels.get(article.source, ""), original_layout=original
                )
                doc = QTextDocument()
                doc.setHtml(page)
                doc.toPlainText()
                rendered += 1
            app.processEvents()
        figures["render_seconds"] = time.perf_counter() - render_started
        figures["rendered"] = rendered
        figures["render_problems"] = problems
        figures["requests_while_rendering"] = len(server.requests)
        figures["reader_resource_requests"] = len(view.requested)
        view.deleteLater()
        core.close()
    server.close()
    figures["total_seconds"] = time.perf_counter() - started
    return figures


# -- the network faults ---------------------------------------------------------------------------------


def run_faults() -> list[tuple[str, str, float]]:
    from tests.core.hostile_server import SECRET_MARK, HostileServer, refused_url

    fast = FetchSettings(
        connect_timeout=0.5, read_timeout=0.5, total_timeout=1.5, max_bytes=1_000_000, per_host_delay=0
    )
    rows: list[tuple[str, str, float]] = []
    with tempfile.TemporaryDirectory(prefix="vigie-faults-") as tmp:
        secret = Path(tmp) / "secret.txt"
        secret.write_text(SECRET_MARK)
        server = HostileServer(str(secret))
        scenarios = [
            ("connection refused", refused_url()),
            ("no answer (read timeout)", server.url("/silent")),
            ("slow drip (total cap)", server.url("/drip")),
            ("endless body (size cap)", server.url("/endless")),
            ("gzip bomb (64 MB decoded)", server.url("/bomb")),
            ("redirect loop", server.url("/loop")),
            ("404", server.url("/404")),
            ("410", server.url("/410")),
            ("429 Retry-After: 7200", server.url("/429")),
            ("503 Retry-After: 5400", server.url("/503")),
            ("500", server.url("/500")),
            ("HTML page instead of a feed", server.url("/page.html")),
            ("invalid XML", server.url("/invalid.xml")),
            ("billion laughs", server.url("/laughs.xml")),
            ("external entity (XXE)", server.url("/xxe.xml")),
        ]
        try:
            for index, (name, url) in enumerate(scenarios):
                core = VigieCore(AppPaths(Path(tmp) / f"p{index}"), fetch_settings=fast)
                good, _ = core.add_feed(server.url("/good.xml"))
                bad, _ = core.add_feed(url)
                started = time.perf_counter()
                core.poll()
                elapsed = time.perf_counter() - started
                bad = core.store.get_feed(bad.id)
                good = core.store.get_feed(good.id)
                stored = core.store.conn.execute(
                    "SELECT COUNT(*), COALESCE(GROUP_CONCAT(title || summary || content), '') FROM articles "
                    "WHERE feed_id = ?",
                    (bad.id,),  # type: ignore[union-attr]
                ).fetchone()
                good_items = core.store.conn.execute(
                    "SELECT COUNT(*) FROM articles WHERE feed_id = ?",
                    (good.id,),  # type: ignore[union-attr]
                ).fetchone()[0]
                assert bad is not None
                outcome = f"status {bad.last_status}, {bad.last_error or 'no error'}"
                if not bad.enabled:
                    outcome += f"; disabled ({bad.disabled_reason})"
                if (due := due_time(bad)) is not None:
                    outcome += f"; next poll {iso(due)[11:16]}"
                outcome += f"; {stored[0]} items stored; good feed {good_items}/3"
                if SECRET_MARK in stored[1]:
                    outcome += "; LEAKED THE LOCAL FILE"
                rows.append((name, outcome, elapsed))
                core.close()
        finally:
            server.close()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, help="only the first N files (a quick look)")
    parser.add_argument("--no-faults", action="store_true")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 2
    fig = run_corpus(args.corpus, args.limit)
    print("== hostile and odd feeds:", args.corpus)
    print(
        f"files:               {fig['files']} (polled {fig['polled']} in one poll, {fig['poll_seconds']:.1f} s)"
    )
    print(
        f"ok (yield articles): {fig['ok']} ({fig['ok_with_warning']} of them with a stored warning), "
        f"{fig['articles']} articles"
    )
    errors: Counter[str] = fig["errors"]  # type: ignore[assignment]
    print(f"errors:              {sum(errors.values())}")
    for kind, count in errors.most_common():
        print(f"  {count:5d}  {kind}")
    silent: list[str] = fig["no_entries_no_error"]  # type: ignore[assignment]
    print(
        f"read, no entries:    {len(silent)} valid feeds without items (feed-level test files), "
        f"{fig['no_entries_warned']} more read with a stored warning"
    )
    slow_name, slow_time = fig["slowest"]  # type: ignore[misc]
    print(f"slowest file:        {slow_name} ({slow_time:.2f} s to ingest)")
    print(
        f"rendered:            {fig['rendered']} article pages in {fig['render_seconds']:.1f} s; "
        f"forbidden constructs: {len(fig['render_problems'])}; "  # type: ignore[arg-type]
        f"requests to the server while rendering: {fig['requests_while_rendering']}; "
        f"resources the reader asked for (none fetched): {fig['reader_resource_requests']}"
    )
    for source, problem in fig["render_problems"][:20]:  # type: ignore[index]
        print(f"  ! {problem} in {source}")
    print(f"total time:          {fig['total_seconds']:.1f} s")
    if not args.no_faults:
        print("== network faults (read 0.5 s, total 1.5 s, 1 MB cap), each polled beside a good feed")
        for name, outcome, elapsed in run_faults():
            print(f"{name:28s} {elapsed:5.2f} s  {outcome}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS): {peak:.0f} MB")
    return 1 if fig["render_problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
