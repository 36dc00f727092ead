"""Alerts pushed to every client by LISTEN/NOTIFY (issue 19), on the real server: two listeners receive the ids a
poll's commit announces; a client whose channel was lost catches up with the alerts logged since the last one it
delivered; a client does not receive its own poll's alerts twice; another analyst's not-relevant judgement does
not hide the alert from me, mine does."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from monitor.core.models import Assessment, ParsedItem
from monitor.core.storage.store import Store
from monitor.core.team.alerts import AlertListener
from tests.pg_server import empty_database

WAIT = 10.0


class Client:
    """A store and its listener, collecting what it receives."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.received: queue.Queue[tuple[list[int], bool]] = queue.Queue()
        self.up = threading.Event()
        self.down = threading.Event()
        self.listener = AlertListener(
            store,
            lambda ids, caught_up: self.received.put((ids, caught_up)),
            on_state=self._state,
            retry_seconds=0.2,
            wait_seconds=0.2,
        )

    def _state(self, connected: bool, _why: str) -> None:
        (self.up if connected else self.down).set()
        (self.down if connected else self.up).clear()

    def start(self) -> Client:
        self.listener.start()
        assert self.up.wait(WAIT)
        return self

    def next(self) -> tuple[list[int], bool]:
        return self.received.get(timeout=WAIT)


@pytest.fixture
def url(tmp_path: Path, postgres_server: str) -> str:
    Store.open(tmp_path / "unused.sqlite3", database=postgres_server).close()
    return empty_database(postgres_server)


@pytest.fixture
def stores(tmp_path: Path, url: str) -> Iterator[dict[str, Store]]:
    opened = {
        name: Store.open(tmp_path / f"{name}.sqlite3", database=url, analyst=name)
        for name in ("poller", "alice", "bob")
    }
    yield opened
    for store in opened.values():
        store.close()


def poll(store: Store, titles: list[str], *, alert: bool = True) -> list[int]:
    items = [
        ParsedItem(guid=t, link=None, title=t, summary="", content="", content_html="", published=None)
        for t in titles
    ]
    pending = store.prepare("http://127.0.0.1/feed.xml", items)
    store.save_items(
        source="http://127.0.0.1/feed.xml",
        feed_id=None,
        items=[(p, Assessment(score=5.0, highlighted=alert)) for p in pending],
        fetched_at="2026-01-01T00:00:00+00:00",
        poll_id=store.next_poll_id(),
    )
    found = store.conn.execute(
        f"SELECT id FROM articles WHERE title IN ({','.join('?' * len(titles))}) ORDER BY id", titles
    )
    return [r[0] for r in found]


def test_two_clients_receive_a_polls_alerts(stores: dict[str, Store]) -> None:
    alice, bob = Client(stores["alice"]).start(), Client(stores["bob"]).start()
    try:
        ids = poll(stores["poller"], ["Une", "Deux", "Trois"])
        for client in (alice, bob):
            got, caught_up = client.next()
            while len(got) < 3:  # a slow commit may split the announcement
                got += client.next()[0]
            assert sorted(got) == ids and not caught_up
        poll(stores["poller"], ["Quatre"], alert=False)  # not an alert: nothing announced
        poll(stores["poller"], ["Cinq"])
        assert [stores["alice"].article(i).title for i in alice.next()[0]] == ["Cinq"]
        assert [stores["bob"].article(i).title for i in bob.next()[0]] == ["Cinq"]
    finally:
        alice.listener.stop()
        bob.listener.stop()


def test_a_client_catches_up_after_a_lost_channel_and_after_a_restart(
    stores: dict[str, Store], url: str
) -> None:
    import psycopg

    alice = Client(stores["alice"]).start()
    first = poll(stores["poller"], ["Avant"])
    assert alice.next() == (first, False)
    dbname = urlsplit(url).path.lstrip("/")
    with psycopg.connect(url.replace(f"/{dbname}?", "/postgres?"), autocommit=True) as admin:
        # The channel goes; alerts committed while it is down are not lost.
        admin.execute(f"ALTER DATABASE {dbname} ALLOW_CONNECTIONS false")
        try:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                "AND pid <> pg_backend_pid() AND query ILIKE 'LISTEN%%'",
                [dbname],
            )
            assert alice.down.wait(WAIT)
            missed = poll(stores["poller"], ["Pendant 1", "Pendant 2"])  # its pooled session was kept
        finally:
            admin.execute(f"ALTER DATABASE {dbname} ALLOW_CONNECTIONS true")
    got, caught_up = alice.next()
    assert sorted(got) == missed and caught_up
    alice.listener.stop()
    # The window closed; an alert while it is away; a new listener (the window again) catches up from the
    # analyst's cursor kept in the database.
    later = poll(stores["poller"], ["Absent"])
    again = Client(stores["alice"]).start()
    try:
        assert again.next() == (later, True)
    finally:
        again.listener.stop()


def test_own_polls_are_not_pushed_back_and_judgements_stay_personal(stores: dict[str, Store]) -> None:
    alice = Client(stores["alice"]).start()
    try:
        mine = poll(stores["alice"], ["Le mien"])  # alice's own poll: her window notified from its result
        theirs = poll(stores["poller"], ["Le leur"])
        assert alice.next() == (theirs, False)
        assert alice.received.empty() and alice.listener.last_seq == stores["alice"].last_alert_seq(theirs)
        assert mine[0] < theirs[0]
        stores["bob"].set_judgement(theirs[0], "not-relevant", scored_highlight=True)
        assert [a.id for a in stores["alice"].alerted_articles(theirs)] == theirs
        assert stores["bob"].alerted_articles(theirs) == []
    finally:
        alice.listener.stop()
