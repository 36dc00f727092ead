"""End to end through the `vigie` command: import, poll, export, search, with feeds served on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.cli import main
from tests.conftest import DEV_ITEMS, ServedFeed, serve_feed, write_opml


def _export(capsys: pytest.CaptureFixture[str], *extra: str) -> list[dict]:
    capsys.readouterr()  # what earlier commands printed
    assert main(["articles", "export", "--format", "jsonl", *extra]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_dev_feeds_are_stored_once_each_with_the_seeds(
    data_dir: Path, dev_feeds: dict[str, str], httpserver, capsys, tmp_path: Path
) -> None:
    opml = write_opml(tmp_path / "dev.opml", dev_feeds)
    assert main(["feeds", "import", str(opml)]) == 0
    assert "imported 5 feeds" in capsys.readouterr().out

    assert main(["poll"]) == 0
    out = capsys.readouterr().out
    assert "total: 5 feeds polled: 60 new, 0 updated, 0 failed" in out

    records = _export(capsys)
    expected = {json.loads(line)["link"] for line in DEV_ITEMS.read_text(encoding="utf-8").splitlines()}
    links = [r["link"] for r in records if r["source"] != "seed"]
    assert sorted(links) == sorted(expected)
    assert sum(r["source"] == "seed" for r in records) == 5
    for record in records:
        for match in record["matches"]:
            assert record[match["field"]][match["start"] : match["end"]] == match["text"]

    httpserver.clear_log()
    assert main(["poll"]) == 0
    assert "0 new, 0 updated" in capsys.readouterr().out
    requests = [req for req, _ in httpserver.log]
    assert len(requests) == 5
    assert all(req.headers.get("If-None-Match") for req in requests)
    assert all(req.headers.get("If-Modified-Since") for req in requests)
    assert len(_export(capsys)) == 65


def test_latin1_feed_is_decoded(data_dir: Path, dev_feeds: dict[str, str], capsys) -> None:
    assert main(["feeds", "add", dev_feeds["provence-matin-latin1.xml"]]) == 0
    assert main(["poll"]) == 0
    records = [r for r in _export(capsys) if r["source"] != "seed"]
    assert len(records) == 10
    text = " ".join(r["title"] + r["summary"] for r in records)
    assert "é" in text and "Ã" not in text
    undated = [r for r in records if r["published_estimated"]]
    assert len(undated) == 3


RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Test</title><link>http://example.org/</link>
<item><guid>a-1</guid><title>{title}</title><link>http://example.org/a?utm_source=x</link>
<description>{body}</description><pubDate>Thu, 13 Nov 2025 17:40:00 GMT</pubDate></item>
</channel></rss>"""


def test_changed_item_is_updated_in_place_and_keeps_first_seen(data_dir: Path, httpserver, capsys) -> None:
    feed = ServedFeed(RSS.format(title="Règlement de comptes", body="Un premier texte.").encode())
    url = serve_feed(httpserver, "/feed.xml", feed)
    assert main(["feeds", "add", url]) == 0
    assert main(["poll"]) == 0
    first = [r for r in _export(capsys) if r["source"] == url]

    feed.body = RSS.format(title="Règlement de comptes", body="Un texte corrigé: narcotrafic.").encode()
    assert main(["poll"]) == 0
    assert "0 new, 1 updated" in capsys.readouterr().out
    second = [r for r in _export(capsys) if r["source"] == url]
    assert len(first) == len(second) == 1
    assert second[0]["id"] == first[0]["id"]
    assert second[0]["first_seen"] == first[0]["first_seen"]
    assert "corrigé" in second[0]["summary"]

    assert main(["search", "corrige"]) == 0  # accent-insensitive, and the index follows the update
    assert "Règlement de comptes" in capsys.readouterr().out
    assert main(["search", "premier"]) == 0
    assert "Règlement" not in capsys.readouterr().out


def test_opml_round_trip_and_broken_file(data_dir: Path, tmp_path: Path, capsys) -> None:
    source = write_opml(tmp_path / "in.opml", {"A": "https://a.example/rss", "B": "https://b.example/atom"})
    assert main(["feeds", "import", str(source)]) == 0
    out_file = tmp_path / "out.opml"
    assert main(["feeds", "export", str(out_file)]) == 0

    other = tmp_path / "other"
    assert main(["--data-dir", str(other), "feeds", "import", str(out_file)]) == 0
    capsys.readouterr()
    assert main(["--data-dir", str(other), "feeds", "list"]) == 0
    listed = capsys.readouterr().out
    assert "https://a.example/rss" in listed and "https://b.example/atom" in listed

    broken = tmp_path / "broken.opml"
    broken.write_text('<opml><body><outline xmlUrl="https://c.example/rss"></body>', encoding="utf-8")
    assert main(["--data-dir", str(other), "feeds", "import", str(broken)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("vigie: error:") and "Traceback" not in err
    assert main(["--data-dir", str(other), "feeds", "list"]) == 0
    assert "c.example" not in capsys.readouterr().out


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "javascript:alert(1)", "data:text/xml,<rss/>", "ftp://x/y"]
)
def test_feeds_add_refuses_other_schemes(data_dir: Path, url: str, capsys) -> None:
    assert main(["feeds", "add", url, "--no-check"]) == 2
    assert "only http and https" in capsys.readouterr().err


def test_feeds_add_finds_the_feed_of_a_web_page(data_dir: Path, httpserver, capsys) -> None:
    feed_url = serve_feed(httpserver, "/rss", ServedFeed(RSS.format(title="T", body="B").encode()))
    page = f'<html><head><link rel="alternate" type="application/rss+xml" href="{feed_url}"></head></html>'
    httpserver.expect_request("/page").respond_with_data(page, content_type="text/html")
    assert main(["feeds", "add", httpserver.url_for("/page")]) == 0
    out = capsys.readouterr().out
    assert f"found the feed {feed_url}" in out
    assert main(["feeds", "list"]) == 0
    assert feed_url in capsys.readouterr().out


def test_poll_reports_a_failing_feed_and_goes_on(data_dir: Path, httpserver, capsys) -> None:
    good = serve_feed(httpserver, "/good", ServedFeed(RSS.format(title="T", body="B").encode()))
    httpserver.expect_request("/busy").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "7200"}
    )
    assert main(["feeds", "add", good, "--no-check"]) == 0
    assert main(["feeds", "add", httpserver.url_for("/busy"), "--no-check"]) == 0
    assert main(["poll"]) == 0
    out = capsys.readouterr().out
    assert "1 new" in out and "error: HTTP 429" in out and "1 failed" in out
    assert main(["feeds", "list"]) == 0
    listed = capsys.readouterr().out
    assert "error: HTTP 429" in listed


def test_unopenable_data_folder_is_a_clear_error(tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["--data-dir", str(blocker / "sub"), "feeds", "list"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("vigie: error:") and "Traceback" not in err
