"""`vigie search` into a pipe that also carries stderr: the closing count is a line of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from monitor.cli import main
from monitor.core.storage import queries
from tests.conftest import ServedFeed, serve_feed

ITEMS = 300  # enough result lines to fill several pipe buffers, so a block boundary falls mid-line


def _feed(items: int) -> bytes:
    entries = "".join(
        f"<item><title>Marseille : menaces contre le témoin numéro {i} du dossier</title>"
        f"<link>https://example.org/a/{i}</link><guid>g{i}</guid>"
        f"<pubDate>Mon, 01 Dec 2025 10:{i % 60:02d}:00 GMT</pubDate></item>"
        for i in range(items)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{entries}</channel></rss>'.encode()
    )


def test_the_count_line_is_never_glued_to_a_result(data_dir: Path, httpserver) -> None:  # type: ignore[no-untyped-def]
    url = serve_feed(httpserver, "/many.xml", ServedFeed(_feed(ITEMS)))
    assert main(["feeds", "add", url, "--no-check"]) == 0
    assert main(["poll"]) == 0

    # As a user's shell has it: stdout block-buffered into the pipe, stderr not.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    env["VIGIE_DATA_DIR"] = str(data_dir)
    done = subprocess.run(
        [sys.executable, "-m", "monitor", "search", "menac*", "--limit", str(ITEMS)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        text=True,
        timeout=120,
        check=True,
    )
    lines = done.stdout.splitlines()
    assert lines[-1] == f"{ITEMS} articles match"
    assert sum("articles match" in line for line in lines) == 1
    assert len([line for line in lines if line.startswith(("*", " "))]) == ITEMS


def test_a_broad_search_says_more_than_the_cap(data_dir: Path, httpserver, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(queries, "SEARCH_COUNT_CAP", 5)
    url = serve_feed(httpserver, "/some.xml", ServedFeed(_feed(12)))
    assert main(["feeds", "add", url, "--no-check"]) == 0
    assert main(["poll"]) == 0
    capsys.readouterr()
    assert main(["search", "menac*", "--limit", "3"]) == 0
    out, err = capsys.readouterr()
    assert err.strip() == "more than 5 articles match"
    assert len(out.splitlines()) == 3
    assert main(["search", '"numéro 7"']) == 0
    assert capsys.readouterr().err.strip() == "1 articles match"  # under the cap: exact
