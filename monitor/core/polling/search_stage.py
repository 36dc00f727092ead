"""A poll's search vectors on PostgreSQL, made on a connection of their own while the feeds land.

A poll stores its feeds one after the other on one connection. On PostgreSQL the search trigger (unaccent, two
`to_tsvector`, the GIN indexes and the word pairs' keys) was two thirds of that connection's work on the server,
and that connection, with the poll's thread waiting on it, is a chain no second core can help: once the parser
processes were done, it was all that ran, and a core stayed idle for the last fifth of a 500-feed first poll
(docs/BENCHMARKS.md section 49). So the poll's feeds defer their vectors (`Store.save_items(defer_search=True)`:
the trigger notes the article, schema 31), and this stage makes them on another connection as the feeds land.
The poll ends once every noted article has its vectors, so what a finished poll stored is found by a search as
before; while it runs, a new article is found a few feeds after it is listed. A poll that died leaves its notes,
taken first by the next poll's stage. On SQLite nothing is deferred and the stage does nothing.
"""

from __future__ import annotations

import logging
import threading

from monitor.core.storage.store import Store

log = logging.getLogger(__name__)

BATCH = 200  # articles made a transaction: each a short one, so a search never waits long behind it


class SearchStage:
    """Makes the search vectors a poll's feeds deferred (`defer` says whether they should), on a thread of its
    own; `finish` waits until none is left, `close` ends the thread without waiting."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.defer = not store.dialect.is_sqlite
        self._wake = threading.Event()
        self._stopping = False  # the poll is over: make what is left, then end
        self._quit = False  # the poll failed: end now
        self._failure: BaseException | None = None
        self._thread: threading.Thread | None = None
        if self.defer:
            self._thread = threading.Thread(target=self._run, name="vigie-search", daemon=True)
            self._thread.start()
            self._wake.set()  # a poll that died may have left notes

    def feed_landed(self) -> None:
        """A feed was stored: its articles' vectors are to make."""
        self._wake.set()

    def finish(self) -> None:
        """Wait until every deferred vector is made (what the thread could not make is made here: a failure to
        make them raises, and the notes stay for the next poll)."""
        if self._thread is None:
            return
        self._stopping = True
        self._wake.set()
        self._thread.join()
        self._thread = None
        if self._failure is not None:
            log.warning(
                "making search vectors on their own connection failed (%s); making them here", self._failure
            )
        while self.store.index_deferred_search(BATCH):
            pass

    def close(self) -> None:
        """End the thread without making more vectors (after a failed poll; the notes stay for the next)."""
        if self._thread is not None:
            self._quit = True
            self._wake.set()
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        try:
            while True:
                self._wake.wait()
                self._wake.clear()
                stopping = self._stopping
                while not self._quit and self.store.index_deferred_search(BATCH):
                    pass
                if stopping or self._quit:
                    return
                self.store.release_thread()  # no connection held while waiting for the next feed
        except Exception as exc:  # the poll's thread makes what is left (finish), or the next poll does
            self._failure = exc
        finally:
            self.store.release_thread()
