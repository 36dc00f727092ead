"""The timeline through `vigie timeline`: its counts are the export's matches counted by period."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from monitor.cli import main
from tests.conftest import write_opml


def _out(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    capsys.readouterr()
    assert main(list(argv)) == 0
    return capsys.readouterr().out


def _period(published: str, by: str) -> str:
    if by == "hour":
        return published[:13] + ":00:00+00:00"
    day = published[:10]
    if by == "week":
        monday = date.fromisoformat(day) - timedelta(days=date.fromisoformat(day).weekday())
        day = monday.isoformat()
    return day + "T00:00:00+00:00"


@pytest.fixture
def polled(
    data_dir: Path, database: str | None, dev_feeds: dict[str, str], tmp_path: Path, capsys
) -> list[dict]:
    """The dev feeds polled into the store of the test's engine (SQLite, or PostgreSQL through VIGIE_DATABASE)."""
    assert main(["feeds", "import", str(write_opml(tmp_path / "dev.opml", dev_feeds))]) == 0
    assert main(["poll"]) == 0
    return [json.loads(line) for line in _out(capsys, "articles", "export").splitlines()]


@pytest.mark.parametrize("by", ["hour", "day", "week"])
def test_timeline_counts_are_the_exports_matches_by_period(polled: list[dict], by: str, capsys) -> None:
    expected: Counter[tuple[str, str]] = Counter()
    for record in polled:
        when = record["published"] or record["first_seen"]
        for entry in {m["entry"] for m in record["matches"]}:
            expected[(entry, _period(when, by))] += 1
    entries = sorted({entry for entry, _ in expected})
    assert len(entries) >= 5  # the dev feeds name several entries: the comparison says something
    rows = [
        json.loads(line)
        for line in _out(capsys, "timeline", *entries, "--by", by, "--format", "jsonl").splitlines()
    ]
    got = Counter({(r["entry"], r["period_start"]): r["count"] for r in rows})
    assert got == expected
    # Rows come by entry in the order asked, then by date.
    keys = [(entries.index(r["entry"]), r["period_start"]) for r in rows]
    assert keys == sorted(keys)


def test_since_before_the_oldest_article_counts_every_article_naming_the_entry(
    polled: list[dict], capsys
) -> None:
    naming = Counter(e for r in polled for e in {m["entry"] for m in r["matches"]})
    entry, total = naming.most_common(1)[0]
    text = _out(capsys, "timeline", entry, "--since", "1990-01-01", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == ["entry", "period_start", "count"]
    assert sum(int(r["count"]) for r in rows) == total
    dates = sorted(
        (r["published"] or r["first_seen"]) for r in polled if entry in {m["entry"] for m in r["matches"]}
    )
    cut = dates[len(dates) // 2][:10]
    text = _out(capsys, "timeline", entry, "--since", cut, "--format", "text")
    counted = sum(int(line.split("\t")[2]) for line in text.splitlines())
    assert counted == sum(d >= cut for d in dates) < total


def test_an_unknown_entry_is_an_error_naming_close_entries(
    data_dir: Path, database: str | None, capsys
) -> None:
    assert main(["timeline", "Bessonne"]) == 2
    err = capsys.readouterr().err
    assert "no watchlist entry 'Bessonne'" in err and "'Nicolas Bessone'" in err
    assert main(["timeline", "Nicolas Bessone", "--since", "yesterday"]) == 2
    assert "not an ISO date" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["timeline", "Nicolas Bessone", "--by", "month"])
    with pytest.raises(SystemExit):
        main(["timeline", "Nicolas Bessone", "--count", "words"])


@pytest.mark.parametrize("engine", ["sqlite"])  # stories are not grouped on PostgreSQL yet (docs/TEAM.md)
@pytest.mark.parametrize("by", ["day", "week"])
def test_counting_stories_gives_the_distinct_stories_of_the_exports_matches(
    polled: list[dict], by: str, capsys
) -> None:
    expected: dict[tuple[str, str], set[int]] = {}
    for record in polled:
        when = record["published"] or record["first_seen"]
        for entry in {m["entry"] for m in record["matches"]}:
            if record["story"] is not None:
                expected.setdefault((entry, _period(when, by)), set()).add(record["story"])
    entries = sorted({entry for entry, _ in expected})
    assert any(len(s) < n for s, n in _stories_and_articles(polled, expected))  # stories group some articles
    rows = [
        json.loads(line)
        for line in _out(
            capsys, "timeline", *entries, "--by", by, "--count", "stories", "--format", "jsonl"
        ).splitlines()
    ]
    got = {(r["entry"], r["period_start"]): r["count"] for r in rows}
    assert got == {key: len(stories) for key, stories in expected.items()}


def _stories_and_articles(
    polled: list[dict], expected: dict[tuple[str, str], set[int]]
) -> list[tuple[set, int]]:
    """For each entry: the stories of the articles naming it, and how many articles those are."""
    out = []
    for entry in {e for e, _ in expected}:
        naming = [r for r in polled if entry in {m["entry"] for m in r["matches"]} and r["story"] is not None]
        out.append(({r["story"] for r in naming}, len(naming)))
    return out
