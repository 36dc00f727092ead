"""Case reports: PDF read back with pypdf, ODT's content.xml, self-contained HTML; through the CLI, headless; on
both engines (a profile's SQLite file, `vigie --database URL` on PostgreSQL)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import unicodedata
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pypdf
import pytest

from monitor.cli import main
from monitor.core.evidence.report import text_sha256
from monitor.core.service import VigieCore
from monitor.paths import AppPaths
from tests.conftest import ServedFeed, serve_feed

HOSTILE = (
    "<p>Amine Kessaci a témoigné à Marseille sur le trafic de drogue.</p>"
    '<img src="http://tracker.example/pixel.png"/><script src="https://evil.example/x.js"></script>'
    '<link rel="stylesheet" href="https://cdn.example/style.css"/>'
)


def _feed() -> bytes:
    items = "".join(
        f"<item><guid>r{i}</guid><link>https://journal.example/article-{i}</link>"
        f"<title>Marseille : Amine Kessaci témoigne, épisode {i}</title>"
        f"<description><![CDATA[{HOSTILE}]]></description>"
        f"<pubDate>Mon, {10 + i:02d} Nov 2025 09:00:00 +0000</pubDate></item>"
        for i in range(4)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Le Journal</title>'
        f"<link>https://journal.example/</link><description>j</description>{items}</channel></rss>"
    ).encode()


@pytest.fixture
def case_core(data_dir: Path, database: str | None, httpserver, qapp):  # type: ignore[no-untyped-def]
    # qapp: the session's QApplication exists before the CLI would make its own QGuiApplication, which the
    # later window tests could not use (the headless path is tested in a subprocess below). `database`: each
    # test runs on SQLite and on PostgreSQL (tests/core/evidence/conftest.py), the CLI through VIGIE_DATABASE.
    core = VigieCore(AppPaths.resolve(data_dir), database=database)
    core.add_feed(serve_feed(httpserver, "/journal.xml", ServedFeed(_feed())), "Le Journal")
    core.poll()
    ids = [
        r[0] for r in core.store.conn.execute("SELECT id FROM articles WHERE source <> 'seed' ORDER BY id")
    ]
    core.add_to_case("Dossier Kessaci", ids[:3], note="Témoignages publics.", tags=["témoin"])
    case = core.case_named("Dossier Kessaci")
    core.update_case(case.id, note="Ce dossier réunit les témoignages d'Amine Kessaci.")
    first = core.case_file(case.id).items[0]
    core.update_case_item(first.id, note="Le premier témoignage, repris partout.")
    yield core
    core.close()


def _expected(core: VigieCore) -> list[str]:
    found = core.case_file(core.case_named("Dossier Kessaci").id)
    texts = [
        "Dossier Kessaci",
        "Ce dossier réunit les témoignages d'Amine Kessaci.",
        "Le Journal",
        "Timeline",
    ]
    texts += ["Le premier témoignage, repris partout.", "Highlighted excerpts", "Provenance"]
    for item in found.items:
        assert item.article is not None
        texts += [item.article.title, item.article.link or "", text_sha256(item.article)]
    texts += ["2025-11-10 09:00 UTC", "2025-11-12 09:00 UTC"]
    return texts


def _flat(text: str) -> str:
    return unicodedata.normalize("NFKC", " ".join(text.split()))


def _check_contains(text: str, expected: list[str]) -> None:
    flat, joined = _flat(text), re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    for wanted in expected:
        assert _flat(wanted) in flat or re.sub(r"\s+", "", wanted) in joined, wanted


def test_the_pdf_report_reads_back_with_every_part(
    case_core: VigieCore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "dossier.pdf"
    assert main(["cases", "export", "Dossier Kessaci", "--format", "pdf", "--output", str(target)]) == 0
    assert "wrote the PDF report" in capsys.readouterr().out
    reader = pypdf.PdfReader(target)
    assert len(reader.pages) >= 3  # title page, note and timeline, items
    assert "Dossier Kessaci" in _flat(reader.pages[0].extract_text())  # the title page
    _check_contains("\n".join(p.extract_text() for p in reader.pages), _expected(case_core))
    assert reader.metadata is not None and reader.metadata.title == "Case report: Dossier Kessaci"
    assert "/OutputIntents" in reader.trailer["/Root"]  # PDF/A-1b, as Qt writes it


def test_the_odt_report_holds_the_same_text(case_core: VigieCore, tmp_path: Path) -> None:
    target = tmp_path / "dossier.odt"
    assert main(["cases", "export", "Dossier Kessaci", "--format", "odt", "--output", str(target)]) == 0
    with zipfile.ZipFile(target) as odt:
        assert odt.read("mimetype") == b"application/vnd.oasis.opendocument.text"
        content = odt.read("content.xml").decode("utf-8")
    text = re.sub(r"<[^>]+>", " ", content).replace("&apos;", "'").replace("&amp;", "&")
    _check_contains(text, _expected(case_core))


class _Loads(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.hrefs: list[str] = []
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            if name == "href":
                self.hrefs.append(value or "")
            elif name in {"src", "srcset", "data", "background", "poster"}:
                self.sources.append(value or "")


def test_the_html_report_is_self_contained(case_core: VigieCore, tmp_path: Path) -> None:
    target = tmp_path / "dossier.html"
    assert main(["cases", "export", "Dossier Kessaci", "--format", "html", "--output", str(target)]) == 0
    page = target.read_text(encoding="utf-8")
    loads = _Loads()
    loads.feed(page)
    links = {
        i.article.link
        for i in case_core.case_file(case_core.case_named("Dossier Kessaci").id).items
        if i.article
    }
    assert loads.sources == []
    assert not loads.tags & {"img", "script", "link", "iframe", "object", "embed", "video", "audio"}
    assert {h for h in loads.hrefs if not h.startswith("#")} == links
    assert not re.search(r"url\(|@import", page)
    assert "tracker.example" not in page and "evil.example" not in page and "cdn.example" not in page
    _check_contains(re.sub(r"<[^>]+>", " ", page).replace("&#x27;", "'"), _expected(case_core))
    # The highlights are marked in the excerpts.
    assert re.search(r"<span style='background-color: #ffe08a;[^']*'>Amine Kessaci</span>", page)


def test_the_cli_writes_a_pdf_headless_in_a_fresh_process(
    case_core: VigieCore, data_dir: Path, tmp_path: Path
) -> None:
    """No display and no Qt platform chosen: the CLI makes its own offscreen QGuiApplication."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    target = tmp_path / "headless.pdf"
    case_core.close()  # the subprocess opens the profile alone
    done = subprocess.run(
        [sys.executable, "-m", "monitor", "--data-dir", str(data_dir), "cases", "export", "Dossier Kessaci",
         "--format", "pdf", "--output", str(target)],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Dossier Kessaci" in _flat(pypdf.PdfReader(target).pages[0].extract_text())


@pytest.mark.parametrize("fmt", ["pdf", "odt", "html"])
def test_an_unwritable_output_is_said_in_words(
    case_core: VigieCore, tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    missing = out / "no-such-folder" / f"report.{fmt}"
    assert main(["cases", "export", "Dossier Kessaci", "--format", fmt, "--output", str(missing)]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["cases", "export", "Dossier Kessaci", "--format", fmt, "--output", str(out)]) == 2
    assert "it is a folder" in capsys.readouterr().err
    assert list(out.iterdir()) == []  # no partial file left behind
