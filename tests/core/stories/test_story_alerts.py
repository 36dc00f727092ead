"""One alert per story: later reports stay quiet, a report that names a new watched entry gives one update, and
the notification counts the story's reports and outlets. Real polls of feeds served on 127.0.0.1, on both
engines."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.core.matching.watchlist import load_watchlist
from monitor.core.service import VigieCore
from monitor.paths import AppPaths
from tests.conftest import ServedFeed, serve_feed
from tests.core.stories import reports as r

WATCHLIST = """
version = 1

[[entry]]
name = "Karim Benhaddou"
kind = "person"
aliases = ["Karim Benhaddou"]
weight = 6.0

[[entry]]
name = "Thierry Dran"
kind = "person"
aliases = ["Thierry Dran"]
weight = 6.0
"""


@pytest.fixture
def core(data_dir: Path, tmp_path: Path, database: str | None):  # type: ignore[no-untyped-def]
    vigie = VigieCore(AppPaths.resolve(data_dir), database=database)
    path = tmp_path / "watchlist.toml"
    path.write_text(WATCHLIST, encoding="utf-8")
    vigie.replace_watchlist(load_watchlist(path))
    yield vigie
    vigie.close()


class Feeds:
    """Feeds whose items change between polls."""

    def __init__(self, httpserver, core: VigieCore) -> None:  # type: ignore[no-untyped-def]
        self.served: dict[str, ServedFeed] = {}
        self.httpserver = httpserver
        self.core = core

    def publish(self, name: str, items: list[r.Report]) -> None:
        body = r.rss(items, f"https://{name}.example.org")
        if name in self.served:
            self.served[name].body = body
        else:
            self.served[name] = ServedFeed(body)
            self.core.add_feed(serve_feed(self.httpserver, f"/{name}.xml", self.served[name]))

    def poll(self):  # type: ignore[no-untyped-def]
        result = self.core.poll()
        return self.core.alerts.notification_for(result)


def test_a_story_alerts_once_and_later_reports_stay_quiet(core: VigieCore, httpserver) -> None:  # type: ignore[no-untyped-def]
    feeds = Feeds(httpserver, core)
    feeds.publish("wire", [r.ORIGINAL])
    first = feeds.poll()
    assert first is not None and first.title == "1 new item: Karim Benhaddou"
    feeds.publish("daily", [r.REPRINT, r.REWRITE])
    feeds.publish("wire", [r.ORIGINAL, r.TRANSLATION])
    assert feeds.poll() is None  # three more reports of the same story, no new entry


def test_a_report_naming_a_new_watched_entry_gives_one_update(core: VigieCore, httpserver) -> None:  # type: ignore[no-untyped-def]
    feeds = Feeds(httpserver, core)
    feeds.publish("wire", [r.ORIGINAL])
    feeds.publish("daily", [r.REPRINT])
    assert feeds.poll() is not None
    feeds.publish("radio", [r.UPDATE])  # names the prosecutor Thierry Dran
    update = feeds.poll()
    assert update is not None and update.title == "1 update: Thierry Dran"
    assert update.body == f"{r.UPDATE[3]} (3 reports, 3 outlets)"
    feeds.publish(
        "radio", [r.UPDATE, (*r.REWRITE[:4], r.REWRITE[4] + " Le procureur Thierry Dran s'exprimera.")]
    )
    assert feeds.poll() is None  # the story already had that entry


def test_reports_of_one_story_in_one_poll_make_one_alert_with_counts(core: VigieCore, httpserver) -> None:  # type: ignore[no-untyped-def]
    feeds = Feeds(httpserver, core)
    feeds.publish("wire", [r.ORIGINAL, r.TRANSLATION])
    feeds.publish("daily", [r.REPRINT])
    note = feeds.poll()
    assert note is not None and len(note.article_ids) == 1
    assert note.title == "1 new item: Karim Benhaddou" and note.body.endswith("(3 reports, 2 outlets)")
