"""The README's tables of the article export (JSONL fields, version fields, CSV columns) name exactly what
`vigie articles export` writes: a field added to the export without its line in the README, or a line for a field
that is gone, fails here."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.core.service import VigieCore
from monitor.paths import AppPaths
from tests.conftest import ServedFeed, serve_feed
from tests.core.evidence.test_revisions import FIRST, OTHER, SECOND, rss

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_table(header: str) -> set[str]:
    """The backquoted names in the first column of the README table whose first header cell is `header`."""
    lines = README.read_text(encoding="utf-8").splitlines()
    start = next(n for n, line in enumerate(lines) if re.match(rf"\|\s*{re.escape(header)}\s*\|", line))
    names: set[str] = set()
    for line in lines[start + 2 :]:  # past the header and its |---| line
        if not line.startswith("|"):
            break
        names.update(re.findall(r"`([a-z_0-9]+)`", line.split("|")[1]))
    assert names, f"the README's table {header!r} is empty"
    return names


@pytest.fixture
def profile(data_dir: Path, httpserver) -> Path:  # type: ignore[no-untyped-def]
    """A profile with seeds and a feed item revised once (two versions)."""
    served = ServedFeed(rss(FIRST, OTHER))
    core = VigieCore(AppPaths.resolve(data_dir))
    core.add_feed(serve_feed(httpserver, "/wire.xml", served), "Wire")
    core.poll()
    served.body = rss(SECOND, OTHER)
    core.poll()
    core.close()
    return data_dir


def test_the_jsonl_export_writes_the_readmes_fields(
    profile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["articles", "export", "--format", "jsonl"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(records) > 2
    fields = readme_table("JSONL field")
    for record in records:
        assert set(record) == fields, set(record) ^ fields
    revised = [r for r in records if len(r["versions"]) == 2]
    assert len(revised) == 1, "one item changed between the polls"
    version_fields = readme_table("version field")
    for record in records:
        assert record["versions"], "every article has at least its first version"
        for version in record["versions"]:
            assert set(version) == version_fields, set(version) ^ version_fields
    # The design's minimum for a version (shared/design.md section 2) is among them.
    assert {"fetched", "sha256", "title", "summary", "content"} <= version_fields
    first, second = revised[0]["versions"]
    assert (first["title"], second["title"]) == (FIRST[1], SECOND[1])


def test_the_csv_export_writes_the_readmes_columns(profile: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["articles", "export", "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    header, body = rows[0], rows[1:]
    assert len(header) == len(set(header))
    assert set(header) == readme_table("CSV column"), set(header) ^ readme_table("CSV column")
    versions = [int(row[header.index("versions")]) for row in body]
    assert sorted(versions)[-1] == 2 and min(versions) == 1
