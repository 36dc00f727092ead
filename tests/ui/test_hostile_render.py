"""The nastiest corpus feeds, fetched, stored and shown in the reader pane: nothing runs, nothing is fetched."""

from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path
from types import ModuleType

import pytest

from monitor.core.models import ArticleQuery
from monitor.core.web.fetch import FetchSettings
from monitor.paths import AppPaths

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpora" / "feedparser-tests"
_NASTY = re.compile(
    rb"&lt;script|<script|onerror|onload|javascript:|&lt;iframe|<iframe|expression\(|data:", re.I
)

TRACKER = """<?xml version="1.0"?><rss version="2.0"><channel><title>Tracker</title><item><guid>t1</guid>
<title>Pixel &lt;img src="/title-pixel.png"&gt;</title><link>/t1</link>
<description>&lt;p&gt;Text&lt;/p&gt;&lt;img src="/pixel.png" width="300" height="200"&gt;
&lt;img src="PIXELURL"&gt;&lt;link rel="stylesheet" href="/style.css"&gt;
&lt;iframe src="/frame.html"&gt;&lt;/iframe&gt;&lt;video src="/movie.mp4"&gt;&lt;/video&gt;
&lt;a href="javascript:alert(1)" onclick="alert(2)" style="position:fixed"&gt;click&lt;/a&gt;</description>
</item></channel></rss>"""


def _reliability() -> ModuleType:
    spec = importlib.util.spec_from_file_location("vigie_reliability", REPO / "scripts" / "reliability.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def nasty_corpus(tmp_path: Path) -> Path:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpora/feedparser-tests is not beside this checkout")
    chosen = [p for p in sorted((CORPUS / "wellformed" / "sanitize").glob("*")) if p.is_file()]
    chosen += [p for p in sorted(CORPUS.rglob("*.xml")) if _NASTY.search(p.read_bytes())]
    folder = tmp_path / "corpus"
    for path in dict.fromkeys(chosen):
        target = folder / path.relative_to(CORPUS)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return folder


def test_hostile_articles_render_safely_and_fetch_nothing(qtbot, nasty_corpus: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from monitor.core.service import VigieCore
    from monitor.ui.reader import ReaderView
    from monitor.ui.reader_html import article_html

    rel = _reliability()
    server = rel.CorpusServer(nasty_corpus)
    try:
        pixel = server.url(nasty_corpus / "pixel-absolute.png")
        (nasty_corpus / "tracker.xml").write_text(TRACKER.replace("PIXELURL", pixel))
        files = rel.corpus_files(nasty_corpus)
        assert len(files) > 50
        core = VigieCore(
            AppPaths(tmp_path / "profile"),
            fetch_settings=FetchSettings(
                read_timeout=5, total_timeout=10, per_host_delay=0, per_host_concurrency=8
            ),
        )
        urls = [server.url(f) for f in files]
        core.store.add_feeds([(u, "") for u in urls], 60)
        result = core.poll()
        assert len(result.reports) == len(files)
        assert not [r for r in result.reports if (r.error or "").startswith("internal error")]
        fetched = len(server.requests)
        assert fetched == len(files)  # one request per feed: the poll fetched no images or pages

        view = ReaderView(open_url=lambda _url: pytest.fail("the reader opened a link by itself"))
        qtbot.addWidget(view)
        view.resize(800, 600)
        view.show()
        articles = [a for a in core.store.articles(ArticleQuery(view="all")) if a.source != "seed"]
        assert len(articles) > 50
        hostile_sources = 0
        for article in articles:
            if _NASTY.search((article.content_html or "").encode()) or "tracker" in article.source:
                hostile_sources += 1
            for original in (False, True):
                page = article_html(article, source_label=article.source, original_layout=original)
                assert rel.forbidden_constructs(page) == [], (article.source, page)
                view.show_article(article, source_label=article.source, original_layout=original)
                view.grab()  # paint it, so any resource the layout wants is asked for now
        tracker = next(a for a in articles if "tracker" in a.source)
        view.show_article(tracker, source_label="t", original_layout=True)
        view.grab()
        assert view.requested, "the original layout asks for the tracker's image (answered locally)"
        assert len(server.requests) == fetched, (
            f"showing articles reached the server: {server.requests[fetched:]}"
        )
        assert hostile_sources >= 1
        core.close()
    finally:
        server.close()
