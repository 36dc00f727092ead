"""Feed health has one rule: the sidebar, the feeds dialog, the status bar and `vigie feeds list` share it."""

from __future__ import annotations

from monitor.core.models import Feed
from monitor.core.polling.health import Health, failing_count, feed_health


def _feed(**values: object) -> Feed:
    return Feed(id=1, url="https://example.org/feed.xml", **values)  # type: ignore[arg-type]


def test_each_state_and_its_words() -> None:
    assert feed_health(_feed()).state is Health.NEVER
    ok = feed_health(_feed(last_fetched="2025-11-13T18:00:00+00:00"))
    assert (ok.state, ok.words, ok.label) == (Health.OK, "OK", "OK")
    failing = feed_health(
        _feed(last_fetched="2025-11-13T18:00:00+00:00", consecutive_failures=3, last_error="HTTP 503")
    )
    assert failing.state is Health.FAILING
    assert failing.words == "Failing (3× in a row): HTTP 503"
    gone = feed_health(_feed(enabled=False, disabled_reason="HTTP 410", consecutive_failures=1))
    assert (gone.state, gone.words) == (Health.DISABLED, "Disabled: HTTP 410")


def test_a_recovered_feed_is_ok_and_keeps_its_warning() -> None:
    health = feed_health(_feed(last_fetched="2025-11-13T18:00:00+00:00", last_error="moved (HTTP 301)"))
    assert health.state is Health.OK
    assert health.words == "OK — moved (HTTP 301)"


def test_the_failing_count_leaves_out_disabled_and_healthy_feeds() -> None:
    fetched = "2025-11-13T18:00:00+00:00"
    feeds = [
        _feed(last_fetched=fetched, consecutive_failures=2, last_error="timeout"),
        _feed(last_fetched=fetched, consecutive_failures=5, enabled=False, disabled_reason="HTTP 410"),
        _feed(last_fetched=fetched),
        _feed(),
    ]
    assert failing_count(feeds) == 1


def test_the_cli_says_the_same_health(data_dir, capsys) -> None:  # type: ignore[no-untyped-def]
    from monitor.cli import main
    from monitor.core.storage.feed_records import FeedState
    from monitor.core.storage.store import Store
    from monitor.paths import AppPaths

    assert main(["feeds", "add", "--no-check", "https://example.org/a.xml"]) == 0
    assert main(["feeds", "add", "--no-check", "https://example.org/b.xml"]) == 0
    capsys.readouterr()
    paths = AppPaths(data_dir)
    store = Store.open(paths.database)
    try:
        state = FeedState(status=503, error="HTTP 503", consecutive_failures=1)
        store.record_fetch(1, state, "2025-11-13T18:00:00+00:00")
    finally:
        store.close()
    assert main(["feeds", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "; error: HTTP 503;" in lines[0]
    assert "; never polled;" in lines[1]
