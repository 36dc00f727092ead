"""`vigie stories list` and the story fields of `vigie articles export`, through the CLI on a polled profile, on
both engines (a local profile, and `--database` on the session's PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.cli import main
from tests.conftest import ServedFeed, serve_feed
from tests.core.stories import reports as r

STORY_FIELDS = {"story", "thread", "title", "first_seen", "last_updated", "reports", "outlets", "languages",
                "score", "highlighted", "related_seed", "articles"}  # fmt: skip


@pytest.fixture
def on(database: str | None) -> list[str]:
    """The global options that put the CLI on the test's engine."""
    return ["--database", database] if database else []


@pytest.fixture
def polled(data_dir: Path, httpserver, capsys, on: list[str]) -> Path:  # type: ignore[no-untyped-def]
    for name, items in {
        "wire": [r.ORIGINAL, r.TRANSLATION, r.WEEK_LATER],
        "daily": [r.REPRINT, r.UPDATE],
    }.items():
        url = serve_feed(httpserver, f"/{name}.xml", ServedFeed(r.rss(items, f"https://{name}.example.org")))
        assert main([*on, "feeds", "add", url]) == 0
    assert main([*on, "poll"]) == 0
    capsys.readouterr()
    return data_dir


def _jsonl(capsys, argv: list[str]) -> list[dict]:  # type: ignore[no-untyped-def]
    assert main(argv) == 0  # argv with the engine's options
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_stories_list_gives_one_object_per_story_with_the_contract_fields(
    polled: Path, capsys, on: list[str]
) -> None:  # type: ignore[no-untyped-def]
    stories = _jsonl(capsys, [*on, "stories", "list", "--format", "jsonl", "--since", "2026-02-01"])
    assert stories and all(set(s) == STORY_FIELDS for s in stories)
    event = next(s for s in stories if s["title"] == r.ORIGINAL[3])
    assert event["reports"] == 4 and event["outlets"] == 2 and event["languages"] == ["en", "fr"]
    assert event["first_seen"] == r.ORIGINAL[2] and event["last_updated"] == r.UPDATE[2]
    assert event["story"] in event["articles"] and event["thread"] == event["story"]
    later = next(s for s in stories if s["title"] == r.WEEK_LATER[3])
    assert later["reports"] == 1 and later["story"] != event["story"]
    assert stories.index(later) < stories.index(event)  # most recently updated first


def test_since_and_highlighted_only_narrow_the_list(polled: Path, capsys, on: list[str]) -> None:  # type: ignore[no-untyped-def]
    recent = _jsonl(
        capsys, [*on, "stories", "list", "--format", "jsonl", "--since", "2026-02-15T00:00:00+01:00"]
    )
    ours = {report[3] for report in [*r.EVENT, r.WEEK_LATER]}
    assert [s["title"] for s in recent if s["title"] in ours] == [r.WEEK_LATER[3]]
    every = _jsonl(capsys, [*on, "stories", "list", "--format", "jsonl"])
    shown = _jsonl(capsys, [*on, "stories", "list", "--format", "jsonl", "--highlighted-only"])
    assert shown and all(s["highlighted"] for s in shown) and len(shown) < len(every)


def test_the_text_list_has_one_line_per_story(polled: Path, capsys, on: list[str]) -> None:  # type: ignore[no-untyped-def]
    assert main([*on, "stories", "list", "--since", "2026-02-01"]) == 0
    lines = capsys.readouterr().out.splitlines()
    ours = [line for line in lines if r.ORIGINAL[3] in line or r.WEEK_LATER[3] in line]
    assert len(ours) == 2 and "4 reports   2 outlets" in ours[1] and r.ORIGINAL[3] in ours[1]


def test_a_bad_since_is_an_error_in_words(polled: Path, capsys, on: list[str]) -> None:  # type: ignore[no-untyped-def]
    assert main([*on, "stories", "list", "--since", "last week"]) == 2
    assert "ISO date" in capsys.readouterr().err


def test_every_exported_article_has_its_story_and_thread_seeds_included(
    polled: Path, capsys, on: list[str]
) -> None:  # type: ignore[no-untyped-def]
    articles = _jsonl(capsys, [*on, "articles", "export"])
    assert any(a["source"] == "seed" for a in articles)
    assert all(isinstance(a["story"], int) and isinstance(a["thread"], int) for a in articles)
    by_link = {a["link"]: a for a in articles}
    reprint, original = (
        by_link["https://daily.example.org/reprint"],
        by_link["https://wire.example.org/original"],
    )
    assert reprint["story"] == original["story"] in {reprint["id"], original["id"]}
    assert main([*on, "articles", "export", "--format", "csv"]) == 0
    header = capsys.readouterr().out.splitlines()[0].split(",")
    assert header[-3:-1] == ["story", "thread"]


KESSACI: r.Report = (
    "kessaci", "fr", "2026-06-20T09:00:00+00:00",
    "Amine Kessaci reçoit un prix pour son combat contre le narcotrafic à Marseille",
    "Le militant marseillais Amine Kessaci, dont le frère Mehdi Kessaci a été assassiné en novembre, a reçu "
    "samedi un prix récompensant son engagement contre le trafic de drogue dans les quartiers nord.",
)  # fmt: skip


def test_a_story_links_to_the_seed_it_is_closest_to(
    data_dir: Path, httpserver, capsys, on: list[str], database: str | None
) -> None:  # type: ignore[no-untyped-def]
    url = serve_feed(
        httpserver, "/k.xml", ServedFeed(r.rss([KESSACI, r.WEEK_LATER], "https://k.example.org"))
    )
    assert main([*on, "feeds", "add", url]) == 0 and main([*on, "poll"]) == 0
    capsys.readouterr()
    stories = {s["title"]: s for s in _jsonl(capsys, [*on, "stories", "list", "--format", "jsonl"])}
    seeds = {a["id"]: a for a in _jsonl(capsys, [*on, "articles", "export"]) if a["source"] == "seed"}
    related = stories[KESSACI[3]]["related_seed"]
    assert related in seeds and "Kessaci" in seeds[related]["title"] + seeds[related]["content"]
    assert stories[r.WEEK_LATER[3]]["related_seed"] is None  # a Lyon killing is close to no seed
    assert all(
        stories[seeds[i]["title"]]["related_seed"] is None for i in seeds if seeds[i]["title"] in stories
    )
    from monitor.core.service import VigieCore
    from monitor.paths import AppPaths

    core = VigieCore(AppPaths.resolve(data_dir), database=database)
    try:
        timeline = core.story_timeline(stories[KESSACI[3]]["story"])
    finally:
        core.close()
    assert timeline is not None and timeline.related is not None and timeline.related.article_id == related
    assert "kessaci" in {term.casefold() for term in timeline.related.shared}
