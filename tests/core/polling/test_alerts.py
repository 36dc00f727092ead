"""Alert rules: one notification per poll, near-duplicates, quiet hours over midnight, muted feeds, pauses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.core.models import Assessment, Match, ParsedItem
from monitor.core.polling.alerts import FOREVER, AlertPolicy, in_quiet_hours, similarity, title_shingles
from monitor.core.settings import Settings
from monitor.core.storage.store import Store

NOON = datetime(2025, 11, 14, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store.open(tmp_path / "vigie.sqlite3")
    yield store
    store.close()


def _publish(
    store: Store, feed_url: str, poll_id: int, items: list[tuple[str, list[str], float]]
) -> list[int]:
    """Store items of one poll as the poller would: (title, entry names, score); highlighted when entries."""
    feed, _ = store.add_feed(feed_url)
    parsed = [
        ParsedItem(
            guid=f"{feed_url}#{title}",
            link=None,
            title=title,
            summary="",
            content="",
            content_html="",
            published="2025-11-14T11:00:00+00:00",
        )
        for title, _, _ in items
    ]
    pending = store.prepare(feed.url, parsed)
    assessed = []
    for p, (_, entries, score) in zip(pending, items, strict=True):
        matches = tuple(Match(e, "person", "title", 0, len(e), e) for e in entries)
        assessed.append((p, Assessment(matches=matches, score=score, highlighted=bool(entries))))
    store.save_items(
        source=feed.url,
        feed_id=feed.id,
        items=assessed,
        fetched_at="2025-11-14T11:59:00+00:00",
        poll_id=poll_id,
    )
    return [a.id for a in store.alert_articles(poll_id)]


def _policy(store: Store, clock: Clock | None = None, **settings: object) -> AlertPolicy:
    return AlertPolicy(store, Settings(**settings), clock=clock or Clock(NOON), tz=UTC)  # type: ignore[arg-type]


def test_a_poll_with_several_new_highlighted_items_gives_one_notification(store: Store) -> None:
    ids = _publish(
        store,
        "https://a.example/rss",
        7,
        [
            ("Marseille : le frère d'Amine Kessaci tué par balles", ["Amine Kessaci", "Marseille"], 9.0),
            ("Le PNACO saisi de l'assassinat de Mehdi Kessaci", ["PNACO", "Amine Kessaci"], 7.0),
            ("Narcotrafic : un nouveau parquet national", ["PNACO"], 4.0),
            ("La météo du week-end", [], 0.0),
        ],
    )

    note = _policy(store).notification_for_poll(7)

    assert note is not None
    assert note.title == "3 new items: Amine Kessaci, PNACO, Marseille"
    assert note.body == "Marseille : le frère d'Amine Kessaci tué par balles"
    assert note.article_ids == ids and len(ids) == 3


def test_a_single_item_is_named_in_the_singular(store: Store) -> None:
    _publish(store, "https://a.example/rss", 1, [("PNACO : premier bilan", ["PNACO"], 5.0)])
    note = _policy(store).notification_for_poll(1)
    assert note is not None and note.title == "1 new item: PNACO"


def test_a_poll_without_highlighted_items_gives_none(store: Store) -> None:
    _publish(store, "https://a.example/rss", 1, [("La météo du week-end", [], 0.0)])
    assert _policy(store).notification_for_poll(1) is None


def test_the_same_story_from_another_outlet_does_not_alert_again(store: Store) -> None:
    policy = _policy(store)
    _publish(
        store,
        "https://a.example/rss",
        1,
        [("Marseille : le frère d'Amine Kessaci tué par balles", ["Amine Kessaci"], 9.0)],
    )
    assert policy.notification_for_poll(1) is not None

    _publish(
        store,
        "https://b.example/rss",
        2,
        [
            ("Marseille: le frère d’Amine Kessaci tué par balle", ["Amine Kessaci"], 9.0),  # the wire copy
            ("Darmanin annonce un parquet anticriminalité organisée", ["PNACO"], 6.0),
        ],
    )
    note = policy.notification_for_poll(2)

    assert note is not None
    assert note.title == "1 new item: PNACO"
    assert note.body == "Darmanin annonce un parquet anticriminalité organisée"


def test_near_duplicates_in_one_poll_count_once(store: Store) -> None:
    _publish(
        store,
        "https://a.example/rss",
        3,
        [
            ("Amine Kessaci : son frère Mehdi tué à Marseille", ["Amine Kessaci"], 9.0),
            ("Amine Kessaci: son frère Mehdi tué à Marseille (vidéo)", ["Amine Kessaci"], 8.0),
        ],
    )
    note = _policy(store).notification_for_poll(3)
    assert note is not None and note.title == "1 new item: Amine Kessaci" and len(note.article_ids) == 1


def test_an_alerted_story_may_alert_again_after_two_days(store: Store) -> None:
    clock = Clock(NOON)
    policy = _policy(store, clock)
    _publish(store, "https://a.example/rss", 1, [("Amine Kessaci reçu à l'Élysée", ["Amine Kessaci"], 9.0)])
    assert policy.notification_for_poll(1) is not None
    clock.now += timedelta(hours=49)
    _publish(store, "https://b.example/rss", 2, [("Amine Kessaci reçu à l'Élysée", ["Amine Kessaci"], 9.0)])
    assert policy.notification_for_poll(2) is not None


def test_title_similarity_ignores_accents_case_elisions_and_stop_words() -> None:
    a = title_shingles("Le frère d'Amine KESSACI tué à Marseille")
    b = title_shingles("Frere d’Amine Kessaci tue a Marseille")
    assert a == b == {"frere", "amine", "kessaci", "tue", "marseille"}
    assert similarity(a, title_shingles("La météo du week-end à Marseille")) < 0.6
    assert similarity(frozenset(), a) == 0.0


@pytest.mark.parametrize(
    ("hhmm", "quiet"),
    [
        ("21:59", False),
        ("22:00", True),
        ("23:30", True),
        ("00:00", True),
        ("06:59", True),
        ("07:00", False),
        ("12:00", False),
    ],
)
def test_quiet_hours_span_midnight(hhmm: str, quiet: bool) -> None:
    hour, minute = map(int, hhmm.split(":"))
    moment = datetime(2025, 11, 14, hour, minute, tzinfo=UTC)
    assert in_quiet_hours(moment, "22:00", "07:00", UTC) is quiet


def test_quiet_hours_within_a_day_and_malformed_or_empty_bounds() -> None:
    assert in_quiet_hours(datetime(2025, 11, 14, 13, 0, tzinfo=UTC), "12:30", "14:00", UTC)
    assert not in_quiet_hours(datetime(2025, 11, 14, 14, 0, tzinfo=UTC), "12:30", "14:00", UTC)
    assert not in_quiet_hours(NOON, "", "", UTC)
    assert not in_quiet_hours(NOON, "noon", "14:00", UTC)
    assert not in_quiet_hours(NOON, "12:00", "12:00", UTC)


def test_nothing_alerts_in_quiet_hours_and_the_story_can_alert_afterwards(store: Store) -> None:
    clock = Clock(datetime(2025, 11, 14, 23, 30, tzinfo=UTC))
    policy = _policy(store, clock, quiet_hours_start="22:00", quiet_hours_end="07:00")
    _publish(store, "https://a.example/rss", 1, [("Amine Kessaci reçu à l'Élysée", ["Amine Kessaci"], 9.0)])
    assert policy.notification_for_poll(1) is None

    clock.now = datetime(2025, 11, 15, 8, 0, tzinfo=UTC)
    _publish(store, "https://b.example/rss", 2, [("Amine Kessaci reçu à l'Élysée", ["Amine Kessaci"], 9.0)])
    assert policy.notification_for_poll(2) is not None


def test_items_of_a_muted_feed_do_not_alert(store: Store) -> None:
    _publish(store, "https://muted.example/rss", 1, [("PNACO : premier bilan", ["PNACO"], 5.0)])
    _publish(store, "https://loud.example/rss", 1, [("Amine Kessaci à l'Assemblée", ["Amine Kessaci"], 4.0)])
    muted = store.feed_by_url("https://muted.example/rss")
    assert muted is not None
    store.update_feed_settings(muted.id, muted=True)

    note = _policy(store).notification_for_poll(1)
    assert note is not None and note.title == "1 new item: Amine Kessaci"

    _publish(store, "https://muted.example/rss", 2, [("PNACO : second bilan", ["PNACO"], 5.0)])
    assert _policy(store).notification_for_poll(2) is None


def test_paused_alerts_stay_quiet_until_the_pause_ends(store: Store) -> None:
    clock = Clock(NOON)
    policy = _policy(store, clock)
    until = policy.pause(timedelta(hours=1))
    assert until == NOON + timedelta(hours=1) and policy.paused
    _publish(store, "https://a.example/rss", 1, [("PNACO : premier bilan", ["PNACO"], 5.0)])
    assert policy.notification_for_poll(1) is None

    clock.now += timedelta(minutes=61)
    assert not policy.paused
    _publish(store, "https://b.example/rss", 2, [("PNACO : premier bilan", ["PNACO"], 5.0)])
    assert policy.notification_for_poll(2) is not None  # held back before, so not a duplicate


def test_a_pause_until_resumed_lasts_until_resume(store: Store) -> None:
    clock = Clock(NOON)
    policy = _policy(store, clock)
    assert policy.pause(None) == FOREVER
    clock.now += timedelta(days=30)
    assert policy.paused
    assert AlertPolicy(store, Settings(), clock=clock).paused  # remembered in the store
    policy.resume()
    assert not policy.paused and policy.paused_until() is None


def test_notifications_switched_off_in_settings_give_none(store: Store) -> None:
    _publish(store, "https://a.example/rss", 1, [("PNACO : premier bilan", ["PNACO"], 5.0)])
    assert _policy(store, notifications=False).notification_for_poll(1) is None


def test_settings_are_read_at_each_poll(store: Store) -> None:
    settings = Settings(notifications=False)
    policy = AlertPolicy(store, lambda: settings, clock=Clock(NOON), tz=UTC)
    _publish(store, "https://a.example/rss", 1, [("PNACO : premier bilan", ["PNACO"], 5.0)])
    assert policy.notification_for_poll(1) is None
    settings = Settings(notifications=True)
    assert policy.notification_for_poll(1) is not None


def test_many_entries_are_cut_short(store: Store) -> None:
    _publish(store, "https://a.example/rss", 1, [("Tout le monde", ["A", "B", "C", "D"], 5.0)])
    note = _policy(store).notification_for_poll(1)
    assert note is not None and note.title == "1 new item: A, B, C, …"


def test_unread_alerts_are_those_alerted_and_still_unread_shown_or_held_back(store: Store) -> None:
    clock = Clock(datetime(2025, 11, 14, 23, 30, tzinfo=UTC))
    policy = _policy(store, clock, quiet_hours_start="22:00", quiet_hours_end="07:00")
    night = _publish(store, "https://a.example/rss", 1, [("PNACO : premier bilan", ["PNACO"], 5.0)])
    assert policy.notification_for_poll(1) is None  # quiet hours: no popup...
    assert policy.unread_alert_ids() == night  # ...but the badge counts it

    clock.now = datetime(2025, 11, 15, 9, 0, tzinfo=UTC)
    morning = _publish(
        store,
        "https://b.example/rss",
        2,
        [
            ("Amine Kessaci reçu à l'Élysée", ["Amine Kessaci"], 9.0),
            ("Amine Kessaci reçu à l’Elysée", ["Amine Kessaci"], 8.0),  # a copy: one alert
            ("La météo", [], 0.0),
        ],
    )
    assert policy.notification_for_poll(2) is not None
    assert policy.unread_alert_ids() == [morning[0], *night]

    store.set_read([morning[0]])
    assert policy.unread_alert_ids() == night
    clock.now += timedelta(days=3)
    assert policy.unread_alert_ids() == []  # forgotten after the window
