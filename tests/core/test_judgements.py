"""The analyst's judgements: stored, overriding the highlight both ways, kept through re-scoring, exported."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.core.models import ParsedItem
from monitor.core.service import VigieCore
from monitor.core.storage import db
from monitor.core.storage.store import Store
from monitor.paths import AppPaths


@pytest.fixture
def core(data_dir: Path):  # type: ignore[no-untyped-def]
    vigie = VigieCore(AppPaths.resolve(data_dir))
    if vigie.store.count_all() == 0:
        vigie.load_seeds()
    feed, _ = vigie.store.add_feed("https://plain.example/rss")
    item = ParsedItem(
        guid="p1", link="https://plain.example/1", title="Christmas market opens", summary="Stalls and mulled wine.",
        content="", content_html="", published="2025-11-20T10:00:00+00:00",
    )  # fmt: skip
    pending = vigie.store.prepare(feed.url, [item])
    assessed = [(p, vigie.matcher.assess(item.title, item.summary, item.content)) for p in pending]
    vigie.store.save_items(
        source=feed.url, feed_id=feed.id, items=assessed, fetched_at="2025-11-20T12:00:00+00:00", poll_id=1
    )
    yield vigie
    vigie.close()


def _one(core: VigieCore, highlighted: bool) -> int:
    row = core.store.conn.execute(
        "SELECT id FROM articles WHERE highlighted = ? ORDER BY id LIMIT 1", (int(highlighted),)
    ).fetchone()
    assert row, "the seeds have highlighted and plain items"
    return int(row[0])


def test_a_judgement_overrides_the_highlight_both_ways_and_none_gives_it_back(core: VigieCore) -> None:
    plain, shown = _one(core, False), _one(core, True)
    assert core.judge(plain, "relevant").highlighted
    assert not core.judge(shown, "not-relevant").highlighted
    assert core.store.article(plain).judgement == "relevant"  # type: ignore[union-attr]
    counts = core.store.view_counts()
    assert core.judge(plain, None).highlighted is False
    assert core.judge(shown, None).highlighted is True
    assert core.store.article(shown).judgement is None  # type: ignore[union-attr]
    assert core.store.view_counts()["highlighted_total"] == counts["highlighted_total"]


def test_a_not_relevant_judgement_withdraws_a_pending_alert(core: VigieCore) -> None:
    shown = _one(core, True)
    core.store.conn.execute("UPDATE articles SET alert = 1 WHERE id = ?", (shown,))
    core.judge(shown, "not-relevant")
    assert core.store.article(shown).alert is False  # type: ignore[union-attr]


def test_judgements_survive_a_rescore_and_a_watchlist_replace(core: VigieCore) -> None:
    plain, shown = _one(core, False), _one(core, True)
    core.judge(plain, "relevant")
    core.judge(shown, "not-relevant")
    core.rescore()
    core.replace_watchlist(core.watchlist)
    core.finish_pending_rescore()
    assert core.store.article(plain).highlighted is True  # type: ignore[union-attr]
    assert core.store.article(shown).highlighted is False  # type: ignore[union-attr]
    assert core.reader_article(plain).explanation.startswith("You judged this relevant")  # type: ignore[union-attr]


def test_judgements_are_exported_in_both_formats(core: VigieCore) -> None:
    plain = _one(core, False)
    core.judge(plain, "relevant")
    out = io.StringIO()
    total = core.export_articles(out, "jsonl")
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(records) == total and all("judgement" in r for r in records)
    assert {r["id"]: r["judgement"] for r in records if r["judgement"]} == {plain: "relevant"}
    out = io.StringIO()
    core.export_articles(out, "csv")
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert {int(r["id"]): r["judgement"] for r in rows if r["judgement"]} == {plain: "relevant"}


def test_the_cli_judges_withdraws_and_refuses_an_unknown_id(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["articles", "export"]) == 0
    first = json.loads(capsys.readouterr().out.splitlines()[0])
    assert main(["articles", "judge", str(first["id"]), "not-relevant"]) == 0
    assert "not highlighted" in capsys.readouterr().out
    assert main(["articles", "export"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[0])["judgement"] == "not-relevant"
    assert main(["articles", "judge", str(first["id"]), "none"]) == 0
    capsys.readouterr()
    assert main(["articles", "export"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[0])["judgement"] is None
    assert main(["articles", "judge", "999999", "relevant"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no article with id 999999" in err


def test_a_version_8_database_migrates_with_no_judgements(tmp_path: Path) -> None:
    path = tmp_path / "v.sqlite3"
    conn = db.connect(path)
    assert db.migrate(conn, tmp_path / "backups", db.MIGRATIONS[:8]) == 8
    conn.close()
    store = Store.open(path, tmp_path / "backups")
    try:
        assert db.schema_version(store.conn) == db.SCHEMA_VERSION
        columns = [r[1] for r in store.conn.execute("PRAGMA table_info(articles)")]
        assert "judgement" in columns
        assert len(list((tmp_path / "backups").glob("vigie-schema8-*.sqlite3"))) == 1
    finally:
        store.close()


def test_a_judgement_survives_the_item_being_updated_by_its_feed(core: VigieCore) -> None:
    feed = core.store.feed_by_url("https://plain.example/rss")
    assert feed is not None
    plain = _one(core, False)
    core.judge(plain, "relevant")
    item = ParsedItem(
        guid="p1", link="https://plain.example/1", title="Christmas market opens late", summary="Rain.",
        content="", content_html="", published="2025-11-20T10:00:00+00:00",
    )  # fmt: skip
    pending = core.store.prepare(feed.url, [item])
    assessed = [(p, core.matcher.assess(item.title, item.summary, item.content)) for p in pending]
    assert not assessed[0][1].highlighted
    core.store.save_items(
        source=feed.url, feed_id=feed.id, items=assessed, fetched_at="2025-11-21T12:00:00+00:00", poll_id=2
    )
    article = core.store.article(plain)
    assert article is not None and article.title.endswith("late")
    assert article.highlighted and article.judgement == "relevant"
