"""Backup and restore of a profile: with a poll running, of damaged or foreign files, of an older schema."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from werkzeug import Request, Response

from monitor.cli import main
from monitor.core.service import VigieCore
from monitor.core.storage import db
from monitor.core.storage.backup import BackupError
from monitor.paths import AppPaths
from tests.core.evidence.feeds import rss


@pytest.fixture
def core(data_dir: Path):  # type: ignore[no-untyped-def]
    vigie = VigieCore(AppPaths.resolve(data_dir))
    yield vigie
    vigie.close()


def _counts(core: VigieCore) -> tuple[int, int]:
    conn = core.store.conn
    return (
        conn.execute("SELECT count(*) FROM articles").fetchone()[0],
        conn.execute("SELECT count(*) FROM feeds").fetchone()[0],
    )


def _serve(httpserver, name: str, count: int, gate: threading.Event | None = None) -> str:  # type: ignore[no-untyped-def]
    body = rss(name, count)

    def respond(_request: Request) -> Response:
        if gate is not None:
            gate.wait(30)  # the poll stays in progress until the test lets it go on
        return Response(body, content_type="application/rss+xml")

    httpserver.expect_request(f"/{name}.xml").respond_with_handler(respond)
    return httpserver.url_for(f"/{name}.xml")


def test_a_backup_restores_the_profile_as_it_was(core: VigieCore, httpserver, tmp_path: Path) -> None:
    core.add_feed(_serve(httpserver, "first", 12), folder=("Presse",))
    core.poll()
    some_id = core.store.conn.execute("SELECT id FROM articles WHERE source <> 'seed' LIMIT 1").fetchone()[0]
    core.judge(some_id, "relevant")
    before = _counts(core)
    info = core.backup(tmp_path / "profile.vigie")
    assert (info.articles, info.feeds) == before
    assert (tmp_path / "profile.vigie").stat().st_mode & 0o077 == 0  # readable by the user alone
    assert not list(tmp_path.glob("*.part"))

    core.add_feed(_serve(httpserver, "second", 7))
    core.poll()
    core.judge(some_id, "not-relevant")
    core.paths.watchlist.write_text(core.paths.watchlist.read_text(encoding="utf-8") + "\n# edited\n")
    assert _counts(core) != before

    result = core.restore(tmp_path / "profile.vigie")
    assert _counts(core) == before
    assert core.store.article(some_id).judgement == "relevant"  # type: ignore[union-attr]
    assert [f.folder for f in core.store.list_feeds()] == [("Presse",)]
    assert "# edited" not in core.paths.watchlist.read_text(encoding="utf-8")
    assert result.previous.exists() and result.previous.parent == core.paths.backups
    # The live file stays in WAL mode and whole; a new connection sees the restored data.
    fresh = db.connect(core.paths.database)
    assert fresh.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert fresh.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert fresh.execute("SELECT count(*) FROM articles").fetchone()[0] == before[0]
    fresh.close()


def test_backup_and_restore_while_a_poll_runs(core: VigieCore, httpserver, tmp_path: Path) -> None:
    gate = threading.Event()
    core.add_feed(_serve(httpserver, "quick", 40))
    core.add_feed(_serve(httpserver, "held", 30, gate))
    core.poll([core.store.feed_by_url(httpserver.url_for("/quick.xml"))])  # type: ignore[list-item]
    settled = _counts(core)
    poll = threading.Thread(target=core.poll)
    poll.start()
    try:
        info = core.backup(tmp_path / "during-poll.vigie")  # the poll is held on one feed meanwhile
    finally:
        assert poll.is_alive(), "the backup ran while the poll was in progress"
        gate.set()
        poll.join(30)
    assert (info.articles, info.feeds) == settled
    with sqlite3.connect(tmp_path / "during-poll.vigie") as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    after_poll = _counts(core)
    assert after_poll[0] == settled[0] + 30

    # A restore asked for during a poll waits for it, then replaces everything the poll wrote.
    gate.clear()
    poll = threading.Thread(target=core.poll)
    poll.start()
    restore = threading.Thread(target=core.restore, args=(tmp_path / "during-poll.vigie",))
    restore.start()
    gate.set()
    poll.join(30)
    restore.join(30)
    assert _counts(core) == settled


def _damaged_copy(good: Path, target: Path) -> Path:
    data = bytearray(good.read_bytes())
    page = 4096
    for offset in range(3 * page, len(data) - page, 7 * page):  # scribble over b-tree pages past the schema
        data[offset + 8 : offset + 64] = b"\xa5" * 56
    target.write_bytes(bytes(data))
    return target


@pytest.mark.parametrize(
    "kind", ["damaged", "truncated", "text", "foreign sqlite", "newer schema", "missing"]
)
def test_a_bad_file_is_refused_and_the_profile_untouched(
    core: VigieCore, httpserver, tmp_path: Path, kind: str
) -> None:
    core.add_feed(_serve(httpserver, "kept", 25))
    core.poll()
    good = core.backup(tmp_path / "good.vigie").path
    bad = tmp_path / f"{kind}.vigie"
    if kind == "damaged":
        _damaged_copy(good, bad)
    elif kind == "truncated":
        bad.write_bytes(good.read_bytes()[: 5 * 4096 + 100])
    elif kind == "text":
        bad.write_text("feeds,articles\n1,2\n")
    elif kind == "foreign sqlite":
        with sqlite3.connect(bad) as other:
            other.execute("CREATE TABLE songs (title TEXT)")
    elif kind == "newer schema":
        bad.write_bytes(good.read_bytes())
        with sqlite3.connect(bad) as newer:
            newer.execute(f"PRAGMA user_version = {db.SCHEMA_VERSION + 1}")
    before = _counts(core)
    with pytest.raises(BackupError) as refused:
        core.restore(bad)
    assert str(bad) in str(refused.value)
    if kind == "newer schema":
        assert "newer version of Vigie" in str(refused.value)
    assert _counts(core) == before
    assert not core.paths.backups.exists() or not list(core.paths.backups.iterdir())
    assert not [p for p in core.paths.data_dir.iterdir() if p.name.startswith(".restore-")]


def test_an_older_schema_backup_is_migrated_on_restore(core: VigieCore, tmp_path: Path) -> None:
    old = tmp_path / "schema8.sqlite3"
    conn = db.connect(old)
    assert db.migrate(conn, tmp_path / "b", db.MIGRATIONS[:8]) == 8
    conn.execute(
        "INSERT INTO feeds(url, title, created) VALUES ('https://old.example/rss', 'Old', '2025-01-01')"
    )
    conn.execute("INSERT INTO meta(key, value) VALUES ('initialised', '1')")
    conn.close()
    result = core.restore(old)
    assert result.info.schema == 8 and result.info.created is None
    assert db.schema_version(core.store.conn) == db.SCHEMA_VERSION
    assert [f.url for f in core.store.list_feeds()] == ["https://old.example/rss"]
    assert old.read_bytes()[:16] == b"SQLite format 3\x00"  # the user's file is read, not migrated in place
    check = sqlite3.connect(old)
    assert check.execute("PRAGMA user_version").fetchone()[0] == 8
    check.close()


def test_the_cli_backs_up_and_restores_and_says_why_it_refuses(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "cli.vigie"
    assert main(["backup", str(target)]) == 0
    assert f"to {target}" in capsys.readouterr().out
    assert main(["restore", str(target)]) == 0
    assert "restored" in capsys.readouterr().out
    (tmp_path / "notes.txt").write_text("not a backup")
    assert main(["restore", str(tmp_path / "notes.txt")]) == 2
    assert "is not a Vigie backup" in capsys.readouterr().err
    assert main(["backup", str(data_dir / "vigie.sqlite3")]) == 2
    assert "cannot overwrite" in capsys.readouterr().err


def test_a_restore_brings_back_the_watchlist_and_settings_the_data_was_scored_with(
    core: VigieCore, tmp_path: Path
) -> None:
    from dataclasses import replace

    from monitor.core.matching.watchlist import Watchlist

    original = core.watchlist.fingerprint
    highlighted = core.store.view_counts()["highlighted_total"]
    core.save_settings(replace(core.settings, default_interval_minutes=42))
    core.backup(tmp_path / "scored.vigie")

    core.replace_watchlist(Watchlist(entries=core.watchlist.entries[:1]))  # re-scores: fewer highlights
    core.save_settings(replace(core.settings, default_interval_minutes=5))
    assert core.store.view_counts()["highlighted_total"] < highlighted

    result = core.restore(tmp_path / "scored.vigie")
    assert result.warnings == [] and result.rescored == 0  # data and watchlist agree: nothing to re-score
    assert core.watchlist.fingerprint == original
    assert core.settings.default_interval_minutes == 42
    assert core.store.view_counts()["highlighted_total"] == highlighted
    reopened = VigieCore(AppPaths.resolve(core.paths.data_dir))
    try:
        assert reopened.watchlist.fingerprint == original and not reopened.rescore_pending
    finally:
        reopened.close()
