"""Feed health figures from feeds served on 127.0.0.1: failing, quiet and healthy feeds, polled at fixed times."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from werkzeug import Request, Response

from monitor.core.polling.due import due_time
from monitor.core.polling.health import REPORT_KEYS, FeedHealthRow, Health
from monitor.core.service import VigieCore
from monitor.core.support.clock import iso
from monitor.paths import AppPaths
from tests.conftest import ServedFeed, serve_feed

NOW = datetime(2025, 11, 20, 12, 0, tzinfo=UTC)
HOT = "Mehdi Kessaci"  # one mention in a title highlights with the default watchlist


def rss(items: list[tuple[str, datetime]]) -> bytes:
    entries = "".join(
        f"<item><title>{title}</title><link>https://example.org/{n}</link><guid>g-{n}-{title}</guid>"
        f"<description>Un article.</description><pubDate>{format_datetime(when)}</pubDate></item>"
        for n, (title, when) in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
        f"<link>https://example.org/</link><description>d</description>{entries}</channel></rss>"
    ).encode()


def days_ago(days: int, hour: int = 9) -> datetime:
    return (NOW - timedelta(days=days)).replace(hour=hour)


HEALTHY = [
    (f"{HOT} : l'enquête avance", days_ago(0, 8)),
    ("Météo du jour", days_ago(0, 7)),
    (f"Obsèques de {HOT}", days_ago(1)),
    ("Marché de Noël", days_ago(3, 10)),
    ("Travaux sur la rocade", days_ago(3, 11)),
    ("Fête du quartier", days_ago(3, 12)),
    (f"Qui était {HOT} ?", days_ago(20)),  # outside the two weeks: counted in the share, not per day
]
QUIET = [("Ancien article", days_ago(d)) for d in (20, 30, 40)]


@dataclass
class Flaky:
    """Answers 200 (an empty channel) until `failing` is set, then HTTP 500."""

    failing: bool = False
    calls: list[str] = field(default_factory=list)

    def __call__(self, request: Request) -> Response:
        self.calls.append(request.path)
        if self.failing:
            return Response("boom", status=500)
        return Response(rss([]), content_type="application/rss+xml")


@dataclass
class Polled:
    core: VigieCore
    ids: dict[str, int]
    times: list[datetime]


@pytest.fixture
def polled(data_dir: Path, httpserver) -> Iterator[Polled]:  # type: ignore[no-untyped-def]
    """Four feeds polled three times an hour apart, ending at NOW: a healthy one, a quiet one, one that worked
    at the first poll and fails since, and one that never answered but 500."""
    clock = [NOW - timedelta(hours=2)]
    core = VigieCore(AppPaths(data_dir), clock=lambda: clock[0])
    flaky = Flaky()
    urls = {
        "healthy": serve_feed(httpserver, "/healthy.xml", ServedFeed(rss(HEALTHY))),
        "quiet": serve_feed(httpserver, "/quiet.xml", ServedFeed(rss(QUIET))),
        "down": httpserver.url_for("/down.xml"),
        "flaky": httpserver.url_for("/flaky.xml"),
    }
    httpserver.expect_request("/down.xml").respond_with_data("no", status=500)
    httpserver.expect_request("/flaky.xml").respond_with_handler(flaky)
    ids = {name: core.add_feed(url, title=name, folder=("Searches",) if name == "quiet" else ())[0].id
           for name, url in urls.items()}  # fmt: skip
    times = []
    for step in range(3):
        clock[0] = NOW - timedelta(hours=2 - step)
        times.append(clock[0])
        core.poll()
        flaky.failing = True
    assert len(flaky.calls) == 3
    yield Polled(core, ids, times)
    core.close()


def _rows(polled: Polled) -> dict[str, FeedHealthRow]:
    by_id = {row.feed.id: row for row in polled.core.feed_health_report(NOW)}
    return {name: by_id[i] for name, i in polled.ids.items()}


def test_items_per_day_and_the_highlighted_share_are_exact(polled: Polled) -> None:
    row = _rows(polled)["healthy"]
    assert row.first_day.isoformat() == "2025-11-07"
    assert row.activity.per_day == (0,) * 10 + (3, 0, 1, 2)
    assert (row.activity.items, row.activity.highlighted, row.activity.recent) == (7, 3, 6)
    assert row.highlighted_share == pytest.approx(3 / 7)
    assert row.items_per_day == pytest.approx(6 / 14)
    assert row.health.state is Health.OK
    assert row.feed.last_success == iso(NOW)


def test_a_failing_feed_counts_its_failures_and_keeps_its_last_success(polled: Polled) -> None:
    rows = _rows(polled)
    flaky, down = rows["flaky"], rows["down"]
    assert flaky.health.state is Health.FAILING
    assert flaky.feed.consecutive_failures == 2
    assert flaky.feed.last_success == iso(polled.times[0])  # the first poll worked, the later two failed
    assert flaky.feed.last_fetched == iso(polled.times[2])
    assert "500" in (flaky.feed.last_error or "")
    assert down.feed.consecutive_failures == 3
    assert down.feed.last_success is None
    # The next retry is the scheduler's own rule, backing off after the last failure.
    stored = polled.core.store.get_feed(flaky.feed.id)
    assert stored is not None
    assert flaky.next_poll == due_time(stored, NOW)
    assert flaky.next_poll is not None and flaky.next_poll > NOW


def test_a_quiet_feed_is_told_apart_from_a_failing_one(polled: Polled) -> None:
    rows = _rows(polled)
    quiet = rows["quiet"]
    assert quiet.health.state is Health.QUIET
    assert quiet.health.words == "Quiet: nothing new for 20 days (it used to bring items)"
    assert quiet.activity.per_day == (0,) * 14
    assert (quiet.activity.items, quiet.activity.last_item) == (3, iso(days_ago(20)))
    assert quiet.feed.consecutive_failures == 0
    assert quiet.feed.folder == ("Searches",)
    # A week later the healthy feed's newest item is 7 days old: not yet quiet; a day more and it is.
    week = {r.feed.id: r for r in polled.core.feed_health_report(NOW + timedelta(days=6))}
    assert week[polled.ids["healthy"]].health.state is Health.OK
    later = {r.feed.id: r for r in polled.core.feed_health_report(NOW + timedelta(days=8))}
    assert later[polled.ids["healthy"]].health.state is Health.QUIET
    assert later[polled.ids["flaky"]].health.state is Health.FAILING


# -- the CLI ---------------------------------------------------------------------------------------------------


def _cli(polled: Polled, capsys: pytest.CaptureFixture[str], fmt: str, monkeypatch) -> str:  # type: ignore[no-untyped-def]
    from monitor import cli

    polled.core.close()
    monkeypatch.setattr(
        cli, "VigieCore", lambda paths: VigieCore(paths, clock=lambda: NOW)
    )  # the CLI's "now" is the test's
    capsys.readouterr()
    assert cli.main(["feeds", "health", "--format", fmt]) == 0
    return capsys.readouterr().out


def test_the_cli_prints_the_same_figures_as_jsonl(polled: Polled, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    expected = [row.to_dict() for row in polled.core.feed_health_report(NOW)]
    records = [json.loads(line) for line in _cli(polled, capsys, "jsonl", monkeypatch).splitlines()]
    assert records == expected
    healthy = next(r for r in records if r["title"] == "healthy")
    assert healthy["items_per_day"] == [0] * 10 + [3, 0, 1, 2]
    assert healthy["highlighted_share"] == round(3 / 7, 4)
    assert list(healthy) == list(REPORT_KEYS)
    flaky = next(r for r in records if r["title"] == "flaky")
    assert (flaky["state"], flaky["consecutive_failures"]) == ("failing", 2)
    assert flaky["last_success"] == iso(NOW - timedelta(hours=2))
    assert next(r for r in records if r["title"] == "quiet")["state"] == "quiet"


def test_the_cli_prints_the_same_figures_as_csv(polled: Polled, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    rows = list(csv.DictReader(io.StringIO(_cli(polled, capsys, "csv", monkeypatch))))
    assert [r["title"] for r in rows] == ["down", "flaky", "healthy", "quiet"]
    healthy = rows[2]
    assert healthy["items_per_day"] == "0 0 0 0 0 0 0 0 0 0 3 0 1 2"
    assert (healthy["items"], healthy["highlighted"], healthy["highlighted_share"]) == ("7", "3", "0.4286")
    assert (rows[0]["state"], rows[0]["consecutive_failures"], rows[0]["last_success"]) == (
        "failing",
        "3",
        "",
    )
    assert (rows[3]["state"], rows[3]["folder"]) == ("quiet", "Searches")
    assert {(r["enabled"], r["muted"]) for r in rows} == {("1", "0")}


def test_the_cli_prints_one_line_per_feed_as_text(polled: Polled, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    lines = _cli(polled, capsys, "text", monkeypatch).splitlines()
    assert len(lines) == 4
    healthy = lines[2]
    assert healthy.startswith(f"[{polled.ids['healthy']}] healthy <")
    assert "6 items in 14 days (0 0 0 0 0 0 0 0 0 0 3 0 1 2); highlighted 43% of 7" in healthy
    assert "Failing (2× in a row)" in lines[1] and f"last success {iso(polled.times[0])}" in lines[1]
    assert "in Searches: Quiet: nothing new for 20 days" in lines[3]


def test_the_readme_documents_every_key() -> None:
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    paragraph = readme[readme.index("`vigie feeds health` prints") :].split("\n\n")[0]
    missing = [key for key in REPORT_KEYS if not re.search(rf"\b{key}\b", paragraph)]
    assert missing == []
