"""Alerts pushed to every client (team mode, issue 19): a thread LISTENs on the database's alerts channel and
hands each batch of alerted article ids to a callback (the window turns them into a notification through
signals).

The notification carries article ids only. Each client remembers the last alert it delivered (`alert_log`'s
sequence number, kept per analyst in the database): when the connection comes back after a loss, or the window
opens again, it first delivers the alerts logged since, then listens. Alerts committed by this process's own
connections (its own poll, which notifies through the poll's result) are not delivered twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from monitor.core.errors import StoreError
from monitor.core.storage.pg_listen import AlertChannel
from monitor.core.storage.store import Store

log = logging.getLogger(__name__)

CATCH_UP_LIMIT = 1_000  # the alerts one catch-up delivers at most (the oldest are left)


class AlertListener:
    """The listening thread. `on_alerts(ids, caught_up)`: alerted article ids, `caught_up` True for those
    delivered by a catch-up; `on_state(connected, reason)`: the channel came up or was lost (in words)."""

    def __init__(
        self,
        store: Store,
        on_alerts: Callable[[list[int], bool], None],
        *,
        on_state: Callable[[bool, str], None] | None = None,
        retry_seconds: float = 3.0,
        wait_seconds: float = 1.0,
        skip_own: bool = True,
    ) -> None:
        if store.database is None:
            raise ValueError("alerts are pushed only on a shared PostgreSQL database")
        self.store = store
        self.on_alerts = on_alerts
        self.on_state = on_state or (lambda _up, _why: None)
        self.retry_seconds = retry_seconds
        self.wait_seconds = wait_seconds
        self.skip_own = skip_own
        self.last_seq: int | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="vigie-alerts", daemon=True)
        self._thread.start()

    def stop(self, wait: bool = True) -> None:
        self._stop.set()
        if wait and self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=self.wait_seconds + 5)

    # -- the thread --------------------------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                try:
                    channel = AlertChannel(str(self.store.database), self.store.analyst)
                except StoreError as exc:
                    self._lost(exc)
                    continue
                try:
                    self._listen(channel)
                except StoreError as exc:
                    self._lost(exc)
                finally:
                    channel.close()
        finally:
            self.store.release_thread()

    def _lost(self, exc: StoreError) -> None:
        log.warning("alerts channel: %s; trying again in %.0f s", exc, self.retry_seconds)
        self.on_state(False, str(exc))
        self._stop.wait(self.retry_seconds)

    def _listen(self, channel: AlertChannel) -> None:
        self._catch_up()  # after LISTEN: an alert committed meanwhile is in the log or announced, never lost
        self.on_state(True, "")
        while not self._stop.is_set():
            announced = channel.wait(self.wait_seconds)
            own = self.store.own_sessions() if self.skip_own else set()
            ids = [i for a in announced if a.pid not in own for i in a.article_ids]
            mine = [i for a in announced if a.pid in own for i in a.article_ids]
            if mine:
                self._advance(mine)
            if ids:
                self._deliver(ids, caught_up=False)

    def _catch_up(self) -> None:
        if self.last_seq is None:
            seen = self.store.analyst_cursor()
            # The first time this analyst listens: from now on (the past is in the list, not in alerts).
            self.last_seq = seen if seen is not None else self.store.last_alert_seq()
        missed = self.store.alerts_after(self.last_seq, CATCH_UP_LIMIT)
        if missed:
            log.info("alerts: %d logged since the last one seen", len(missed))
            self.last_seq = missed[-1][0]
            self.store.set_analyst_cursor(self.last_seq)
            self._hand_over(list(dict.fromkeys(i for _seq, i in missed)), True)

    def _advance(self, article_ids: Sequence[int]) -> None:
        seq = self.store.last_alert_seq(article_ids)
        if self.last_seq is None or seq > self.last_seq:
            self.last_seq = seq
            self.store.set_analyst_cursor(seq)

    def _deliver(self, article_ids: list[int], *, caught_up: bool) -> None:
        seq = self.store.last_alert_seq(article_ids)
        if self.last_seq is not None and seq <= self.last_seq:
            return  # delivered by the catch-up already
        self.last_seq = seq
        self.store.set_analyst_cursor(seq)
        self._hand_over(list(dict.fromkeys(article_ids)), caught_up)

    def _hand_over(self, article_ids: list[int], caught_up: bool) -> None:
        try:
            self.on_alerts(article_ids, caught_up)
        except Exception:  # the receiver's bug must not stop the listening
            log.exception("delivering pushed alerts %s failed", article_ids[:10])
