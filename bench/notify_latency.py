"""Team mode (issue 19): how long an alert takes from a poll's commit to two listening clients (LISTEN/NOTIFY), and
what per-analyst states cost the list on PostgreSQL.

Run from the repository root: ``.venv/bin/python bench/notify_latency.py [--polls 200] [--articles 20000]
[--keep-server DIR]``. A throwaway server (tests/pg_server.py, Unix socket, fsync off) holds the database, or with
--keep-server the kept server of DIR (bench/_pgserver.py; e.g. the 1,000,000 articles bench/team.py --keep-server
moved in: the alerts then land in a full database, and the bench's own articles are deleted after); a poller's store
commits `--polls` polls of one alert each, one every 20 ms, while two clients' AlertListeners (core/team/alerts.py:
their own LISTEN connection, the 50 ms gathering of a poll's announcements, the cursor written per delivery) receive
them on their threads. Latency: the delivery callback's clock minus the clock when the poll's write transaction
returned (committed). The same with the bare channel (AlertChannel.wait without gathering) gives the floor. Then the
list's reads (first page, counts) at `--articles`, through the analyst's view, with 10% of the articles marked by
the analyst.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from monitor.core.models import ArticleQuery, Assessment, ParsedItem  # noqa: E402
from monitor.core.storage.pg_listen import AlertChannel  # noqa: E402
from monitor.core.storage.store import Store  # noqa: E402
from monitor.core.team.alerts import AlertListener  # noqa: E402
from tests.pg_server import throwaway_server  # noqa: E402

sys.path.insert(0, str(REPO / "bench"))
from _pgserver import kept_server  # noqa: E402

SOURCE = "http://127.0.0.1/feed.xml"  # the bench's own articles


def _poll(store: Store, n: int, count: int = 1, alert: bool = True) -> None:
    items = [
        ParsedItem(
            guid=f"{n}-{k}",
            link=None,
            title=f"Alerte {n} {k}",
            summary="mot " * 20,
            content="",
            content_html="",
            published=f"2026-01-{1 + k % 28:02d}T00:00:00+00:00",
        )
        for k in range(count)
    ]
    pending = store.prepare(SOURCE, items)
    store.save_items(
        source=SOURCE,
        feed_id=None,
        items=[(p, Assessment(score=5.0, highlighted=alert)) for p in pending],
        fetched_at="2026-01-01T00:00:00+00:00",
        poll_id=n,
    )


def _figures(name: str, values: list[float]) -> None:
    values = sorted(values)
    p95 = values[max(0, int(len(values) * 0.95) - 1)]
    print(
        f"{name:<44} n={len(values):>4}  median {statistics.median(values) * 1000:6.2f} ms  "
        f"p95 {p95 * 1000:6.2f} ms  max {values[-1] * 1000:6.2f} ms"
    )


def bench_listeners(url: str, folder: Path, polls: int) -> None:
    poller = Store.open(folder / "p.sqlite3", database=url, analyst="poller")
    committed: dict[int, float] = {}
    latencies: dict[str, list[float]] = {"alice": [], "bob": []}
    stores, listeners = [], []
    arrivals: dict[str, list[tuple[int, float]]] = {"alice": [], "bob": []}
    done = threading.Event()
    lock = threading.Lock()
    for name in latencies:
        store = Store.open(folder / f"{name}.sqlite3", database=url, analyst=name)

        def received(ids: list[int], _caught_up: bool, name: str = name) -> None:
            now = time.perf_counter()
            with lock:
                arrivals[name].extend((i, now) for i in ids)
                if all(len(v) >= polls for v in arrivals.values()):
                    done.set()

        listener = AlertListener(store, received, wait_seconds=0.5)
        listener.start()
        stores.append(store)
        listeners.append(listener)
    while any(listener.last_seq is None for listener in listeners):
        time.sleep(0.05)
    for n in range(1, polls + 1):
        _poll(poller, n)
        stamp = time.perf_counter()
        (article_id,) = [
            r[0]
            for r in poller.conn.execute(
                "SELECT id FROM articles WHERE poll_id = ? AND source = ?", (n, SOURCE)
            ).fetchall()
        ]
        with lock:
            committed[article_id] = stamp
        time.sleep(0.02)
    done.wait(30)
    for listener in listeners:
        listener.stop()
    for name, got in arrivals.items():
        latencies[name] = [at - committed[i] for i, at in got if i in committed]
    for name, values in latencies.items():
        _figures(f"commit -> {name}'s AlertListener callback", values)
    # The floor: the bare channel, no gathering, no cursor.
    channel = AlertChannel(url, "carol")
    raw: list[float] = []
    for n in range(polls + 1, 2 * polls + 1):
        _poll(poller, n)
        stamp = time.perf_counter()
        got = channel.wait(2.0, gather=0.0)
        raw.append(time.perf_counter() - stamp if got else float("nan"))
    channel.close()
    _figures("commit -> bare LISTEN channel (same process)", [v for v in raw if v == v])
    for store in [poller, *stores]:
        store.close()


def bench_list(url: str, folder: Path, articles: int) -> None:
    store = Store.open(folder / "l.sqlite3", database=url, analyst="alice")
    batch = 500
    for n in range(articles // batch):
        _poll(store, 10_000 + n, batch, alert=False)
    ids = [r[0] for r in store.conn.execute("SELECT id FROM articles ORDER BY id").fetchall()]
    store.set_read(ids[::10])
    store.set_starred(ids[5], True)
    store.conn.execute("ANALYZE")
    total = store.count(ArticleQuery())
    for label, query in (
        ("all, newest first", ArticleQuery()),
        ("unread (the analyst's)", ArticleQuery(view="new")),
        ("starred (the analyst's)", ArticleQuery(view="starred")),
    ):
        times = []
        for _ in range(5):
            started = time.perf_counter()
            store.count(query)
            store.rows(query, 0, 200)
            times.append(time.perf_counter() - started)
        print(
            f"{label:<44} {total} articles: count + first page, median of 5: {statistics.median(times) * 1000:.1f} ms"
        )
    started = time.perf_counter()
    store.view_counts()
    print(f"{'sidebar view counts':<44} {(time.perf_counter() - started) * 1000:.1f} ms")
    store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--polls", type=int, default=200)
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument(
        "--table-reads",
        action="store_true",
        help="the list's reads on the articles table itself (the shared columns, as before per-analyst states): "
        "the view's cost by difference",
    )
    parser.add_argument(
        "--keep-server",
        metavar="DIR",
        type=Path,
        help="the kept server of DIR (bench/_pgserver.py) instead of a throwaway one; only the alerts' delay "
        "is measured there (not the list's reads at --articles)",
    )
    args = parser.parse_args()
    if args.table_reads:
        from monitor.core.storage import pg

        pg.per_analyst = lambda sql: sql
    server = kept_server(args.keep_server) if args.keep_server else throwaway_server()
    with server as url, tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "x.sqlite3", database=url)
        _forget_bench_articles(store)
        total = int(store.conn.execute("SELECT count(*) FROM articles").fetchone()[0])
        print(f"the database holds {total:,} articles before the alerts")
        bench_listeners(url, Path(folder), args.polls)
        if args.keep_server:
            _forget_bench_articles(store)
        else:
            bench_list(url, Path(folder), args.articles)
        store.close()
    return 0


def _forget_bench_articles(store: Store) -> None:
    """Delete the articles an earlier run of this bench stored (a kept database stays as it was moved in)."""
    store.conn.execute("DELETE FROM articles WHERE source = ?", (SOURCE,))


if __name__ == "__main__":
    raise SystemExit(main())
