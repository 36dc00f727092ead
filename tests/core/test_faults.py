"""Network faults from a misbehaving server on 127.0.0.1, driven through the real poll path.

Each fault must end with the right state stored on its feed (status, error in words, failures, disabled or
not), and a good feed polled in the same poll must still get its items.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.core.models import Feed
from monitor.core.polling.due import due_time
from monitor.core.service import VigieCore
from monitor.core.web.fetch import FetchSettings
from monitor.paths import AppPaths
from tests.core.hostile_server import SECRET_MARK, HostileServer, refused_url

FAST = FetchSettings(
    connect_timeout=0.5, read_timeout=0.5, total_timeout=1.5, max_bytes=1_000_000, per_host_delay=0
)


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET_MARK)
    return path


@pytest.fixture
def server(secret_file: Path) -> Iterator[HostileServer]:
    srv = HostileServer(str(secret_file))
    yield srv
    srv.close()


@pytest.fixture
def core(tmp_path: Path) -> Iterator[VigieCore]:
    c = VigieCore(AppPaths(tmp_path / "profile"), fetch_settings=FAST)
    yield c
    c.close()


def _feed(core: VigieCore, url: str) -> Feed:
    feed = core.store.feed_by_url(url)
    assert feed is not None
    return feed


def _titles(core: VigieCore, feed: Feed) -> list[str]:
    rows = core.store.conn.execute("SELECT title FROM articles WHERE feed_id = ? ORDER BY title", (feed.id,))
    return [r[0] for r in rows]


def _poll_with_good(core: VigieCore, server: HostileServer, bad_url: str) -> tuple[Feed, Feed]:
    good, _ = core.add_feed(server.url("/good.xml"))
    bad, _ = core.add_feed(bad_url)
    result = core.poll()
    assert len(result.reports) == 2
    good = _feed(core, good.url)
    assert good.last_error is None
    assert good.last_status == 200
    assert _titles(core, good) == ["Good item 0", "Good item 1", "Good item 2"]
    return _feed(core, bad.url), good


@dataclass(frozen=True)
class Fault:
    path: str
    status: int | None
    error_words: tuple[str, ...]  # every one must appear (case-insensitive) in last_error


FAULTS = {
    "no answer (read timeout)": Fault("/silent", None, ("timed out", "waiting for data")),
    "slow drip (total cap)": Fault("/drip", 200, ("total time limit",)),
    "endless body (size cap)": Fault("/endless", 200, ("larger than",)),
    "gzip bomb (decoded size cap)": Fault("/bomb", 200, ("larger than",)),
    "redirect loop": Fault("/loop", 302, ("too many redirects",)),
    "500": Fault("/500", 500, ("http 500", "internal server error")),
    "invalid XML": Fault("/invalid.xml", 200, ("not a feed",)),
}


@pytest.mark.parametrize("fault", FAULTS.values(), ids=FAULTS.keys())
def test_fault_is_stored_in_words_and_the_good_feed_still_gets_its_items(
    core: VigieCore, server: HostileServer, fault: Fault
) -> None:
    bad, _ = _poll_with_good(core, server, server.url(fault.path))
    assert bad.last_status == fault.status
    assert bad.last_error, "a failed fetch leaves its error on the feed"
    for words in fault.error_words:
        assert words in bad.last_error.lower()
    assert bad.consecutive_failures == 1
    assert bad.enabled and bad.disabled_reason is None
    assert _titles(core, bad) == []


def test_connection_refused(core: VigieCore, server: HostileServer) -> None:
    bad, _ = _poll_with_good(core, server, refused_url())
    assert bad.last_status is None
    assert bad.last_error == "connection refused"
    assert bad.consecutive_failures == 1
    assert bad.enabled


def test_404_three_times_in_a_row_disables_the_feed(core: VigieCore, server: HostileServer) -> None:
    good, _ = core.add_feed(server.url("/good.xml"))
    bad, _ = core.add_feed(server.url("/404"))
    for attempt in (1, 2, 3):
        core.poll()
        bad = _feed(core, bad.url)
        assert bad.last_status == 404
        assert "404" in (bad.last_error or "")
        assert bad.consecutive_failures == attempt
        assert bad.enabled is (attempt < 3)
    assert "404" in (bad.disabled_reason or "")
    assert server.hits["/404"] == 3
    core.poll()  # a disabled feed is left alone
    assert server.hits["/404"] == 3
    assert _titles(core, _feed(core, good.url)) == ["Good item 0", "Good item 1", "Good item 2"]


def test_410_disables_at_once(core: VigieCore, server: HostileServer) -> None:
    bad, _ = _poll_with_good(core, server, server.url("/410"))
    assert bad.last_status == 410
    assert not bad.enabled
    assert "410" in (bad.disabled_reason or "")
    assert bad.consecutive_failures == 1


@pytest.mark.parametrize(("path", "status", "seconds"), [("/429", 429, 7200), ("/503", 503, 5400)])
def test_retry_after_pushes_the_next_poll_back(
    core: VigieCore, server: HostileServer, path: str, status: int, seconds: int
) -> None:
    before = datetime.now(UTC).replace(microsecond=0)  # the attempt is stored to the second
    bad, _ = _poll_with_good(core, server, server.url(path))
    assert bad.last_status == status
    assert str(status) in (bad.last_error or "")
    due = due_time(bad)
    assert due is not None and due >= before + timedelta(seconds=seconds)
    assert bad.enabled


def test_html_page_names_the_feed_it_links_to(core: VigieCore, server: HostileServer) -> None:
    bad, _ = _poll_with_good(core, server, server.url("/page.html"))
    assert bad.last_status == 200
    assert "html page" in (bad.last_error or "").lower()
    assert server.url("/good.xml") in (bad.last_error or "")
    assert bad.consecutive_failures == 1


def test_billion_laughs_is_not_expanded(core: VigieCore, server: HostileServer) -> None:
    bad, _ = _poll_with_good(core, server, server.url("/laughs.xml"))
    stored = " ".join(_titles(core, bad))
    assert "lollol" not in stored  # the entities were never expanded
    total = core.store.conn.execute(
        "SELECT COALESCE(MAX(LENGTH(title) + LENGTH(summary) + LENGTH(content)), 0) FROM articles WHERE feed_id = ?",
        (bad.id,),
    ).fetchone()[0]
    assert total < 10_000
    # Either refused outright or read with its fault on record; never silently accepted.
    assert "amplification" in (bad.last_error or "") or "not a feed" in (bad.last_error or "")


def test_external_entity_does_not_read_local_files(
    core: VigieCore, server: HostileServer, secret_file: Path
) -> None:
    bad, _ = _poll_with_good(core, server, server.url("/xxe.xml"))
    dump = "\n".join(
        str(v)
        for row in core.store.conn.execute(
            "SELECT title, summary, content, content_html FROM articles WHERE feed_id = ?", (bad.id,)
        )
        for v in row
    )
    assert SECRET_MARK not in dump
    assert SECRET_MARK not in (bad.last_error or "")
    fts = core.store.conn.execute(
        "SELECT COUNT(*) FROM articles_fts WHERE articles_fts MATCH ?", (f'"{SECRET_MARK}"',)
    ).fetchone()[0]
    assert fts == 0
    assert secret_file.read_text() == SECRET_MARK  # the check is meaningful: the secret is really there


def test_profile_files_are_readable_by_the_user_alone(core: VigieCore) -> None:
    paths = core.paths
    core.settings.save(paths.settings)
    assert stat.S_IMODE(paths.data_dir.stat().st_mode) == 0o700
    for path in (paths.database, paths.watchlist, paths.settings):
        assert path.exists(), path
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, f"{path.name} is readable by others"
