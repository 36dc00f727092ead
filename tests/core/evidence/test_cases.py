"""Cases: pinned through the CLI and the core, kept whatever happens to their feed or a deletion, surviving
re-scoring and restarts, in time order. Each test runs on both engines (the profile's SQLite file, and the
throwaway PostgreSQL server of tests/pg_server.py: `vigie --database URL cases ...`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.core.errors import UserError
from monitor.core.service import VigieCore
from monitor.paths import AppPaths
from tests.conftest import ServedFeed, serve_feed
from tests.core.evidence.feeds import rss


@pytest.fixture
def core(data_dir: Path, database: str | None, httpserver):  # type: ignore[no-untyped-def]
    vigie = VigieCore(AppPaths.resolve(data_dir), database=database)
    vigie.add_feed(serve_feed(httpserver, "/press.xml", ServedFeed(rss("press", 10))), "La Presse")
    vigie.poll()
    yield vigie
    vigie.close()


def _feed_ids(core: VigieCore) -> list[int]:
    return [
        r[0] for r in core.store.conn.execute("SELECT id FROM articles WHERE source <> 'seed' ORDER BY id")
    ]


def test_the_cli_lists_and_adds_and_creates_a_case(
    core: VigieCore, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = _feed_ids(core)
    assert (
        main(["cases", "add", "Port de Marseille", str(ids[0]), str(ids[1]), "--note", "Deux articles"]) == 0
    )
    assert "created the case 'Port de Marseille': 2 added" in capsys.readouterr().out
    assert main(["cases", "add", "port de marseille", str(ids[1]), str(ids[2]), "--tag", "port"]) == 0
    assert "1 added, 1 already in it (3 items)" in capsys.readouterr().out
    assert main(["cases", "list"]) == 0
    assert capsys.readouterr().out.startswith("Port de Marseille\t3 items")
    assert main(["cases", "add", "Other", str(ids[0]), "999999"]) == 2
    assert "no article with id 999999" in capsys.readouterr().err
    assert [c.name for c in core.cases()] == ["Port de Marseille"]  # nothing pinned, no case made
    assert main(["cases", "export", "Nowhere", "--format", "html", "--output", "x.html"]) == 2
    assert "no case called 'Nowhere'" in capsys.readouterr().err


def test_ids_are_those_of_the_export(core: VigieCore, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["articles", "export"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    chosen = next(r for r in records if r["source"] != "seed")
    pinned = core.add_to_case("Export ids", [chosen["id"]])
    item = core.case_file(pinned.case.id).items[0]
    assert item.article is not None and item.article.link == chosen["link"]


def test_items_are_in_time_order_with_notes_and_tags(core: VigieCore) -> None:
    ids = _feed_ids(core)
    core.add_to_case(
        "Timeline", list(reversed(ids[:5])), note="first batch", tags=["port", " Port ", "arrest"]
    )
    found = core.case_file(core.case_named("timeline").id)
    published = [i.article.published for i in found.items]  # type: ignore[union-attr]
    assert published == sorted(published)
    assert all(i.tags == ("arrest", "port") and i.note == "first batch" for i in found.items)
    core.update_case_item(found.items[0].id, note="the earliest", tags=["first"])
    core.update_case(found.case.id, note="What we know so far.")
    again = core.case_file(found.case.id)
    assert (again.items[0].note, again.items[0].tags, again.case.note) == (
        "the earliest", ("first",), "What we know so far.",
    )  # fmt: skip
    with pytest.raises(UserError):
        core.update_case_item(10**9, note="x")


def test_pinned_articles_outlive_their_feed_and_any_deletion(core: VigieCore) -> None:
    ids = _feed_ids(core)
    pinned, loose = ids[:3], ids[3:]
    core.add_to_case("Kept", pinned, note="evidence")
    feed = core.store.list_feeds()[0]
    core.store.remove_feed(feed.id)  # the only path that deleted articles until now: the cascade
    assert _feed_ids(core) == pinned
    items = core.case_file(core.case_named("Kept").id).items
    assert [i.article_id for i in items] == pinned
    assert all(i.outlet == "La Presse" and i.article and i.article.feed_id is None for i in items)
    # A retention rule, or any clean-up, deleting by date or wholesale skips the pinned articles.
    core.store.conn.execute("DELETE FROM articles WHERE source <> 'seed'")
    assert _feed_ids(core) == pinned
    assert all(a not in _feed_ids(core) for a in loose)
    # Out of every case, an article can go.
    core.remove_case_item(items[0].id)
    core.store.conn.execute("DELETE FROM articles WHERE id = ?", (pinned[0],))
    assert _feed_ids(core) == pinned[1:]


def test_cases_survive_rescoring_and_a_restart(data_dir: Path, database: str | None, core: VigieCore) -> None:
    ids = _feed_ids(core)
    core.add_to_case("Survives", ids[:4], note="kept through it all", tags=["t"])
    core.update_case(core.case_named("Survives").id, note="The case note.")
    before = core.case_file(core.case_named("Survives").id)
    core.rescore()
    core.replace_watchlist(core.watchlist)
    core.close()
    reopened = VigieCore(AppPaths.resolve(data_dir), database=database)
    try:
        after = reopened.case_file(reopened.case_named("Survives").id)
        assert after.case.note == "The case note."
        assert [(i.article_id, i.note, i.tags, i.pinned_hash) for i in after.items] == [
            (i.article_id, i.note, i.tags, i.pinned_hash) for i in before.items
        ]
        assert reopened.cases_of_article(ids[0]) == ["Survives"]
    finally:
        reopened.close()


def test_a_case_needs_a_name_and_at_least_one_article(core: VigieCore) -> None:
    with pytest.raises(UserError, match="needs a name"):
        core.add_to_case("   ", _feed_ids(core)[:1])
    with pytest.raises(UserError, match="at least one"):
        core.add_to_case("Empty", [])


def test_a_case_cannot_take_another_cases_name(core: VigieCore) -> None:
    ids = _feed_ids(core)
    first = core.add_to_case("Port", ids[:1]).case
    second = core.add_to_case("Docks", ids[1:2]).case
    with pytest.raises(UserError, match="already a case called 'PORT'"):
        core.update_case(second.id, name="PORT")
    assert core.update_case(first.id, name="port").name == "port"  # its own name, in other letters
    assert [c.name for c in core.cases()] == ["Docks", "port"]
