"""Where PostgreSQL's CPU goes when a poll stores new articles (issue 19 item 8): the server backend's CPU seconds
for N new articles saved as the poll saves them (Store.save_items, one feed's 40 items a call), on a fresh
database per variant, each variant dropping or changing one piece of the per-article work.

Run from the repository root: ``.venv/bin/python bench/pg_ingest_costs.py [--articles 2000] [--only NAME ...]``.
Backend CPU is the server process's own user + system time (load-independent); wall and the client's CPU are
printed beside it.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _fixtures as fx
from _pgcpu import backend_cpu_seconds, postmaster_pid, server_cpu_seconds

from monitor.core.models import Assessment, Match, ParsedItem
from monitor.core.storage.ingest import PendingItem, content_hash, dedup_key
from monitor.core.storage.pg_schema import _V15_SQL
from monitor.core.storage.pg_schema_steps import V22_SQL, V25_SQL
from monitor.core.storage.store import Store
from tests.pg_server import throwaway_server

# Schema 22's pairs index as that step made it (text keys), in place of 25's.
_V22_PAIRS = (
    "DROP INDEX articles_search_pair_keys;\n" + V22_SQL[V22_SQL.index("CREATE FUNCTION vigie_pairs") :]
)

# Schema 25's pairs' keys as a SQL function (before step 29 ran the same query in PL/pgSQL).
_V25_PAIR_KEYS = V25_SQL[: V25_SQL.index("DROP INDEX")].replace(
    "CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"
)

_VECTOR_INDEXES = (
    "articles_search_pair_keys",
    "articles_search_simple",
    "articles_search_french",
    "articles_search_english",
)

# name -> SQL run on the fresh database before the articles are saved.
VARIANTS: dict[str, str] = {
    "as is": "",
    "v22's pairs index (text keys)": _V22_PAIRS,
    "v25's pair keys in SQL (before 29)": _V25_PAIR_KEYS,
    "no pairs index": "DROP INDEX articles_search_pair_keys",
    "no GIN on the vectors or pairs": "DROP INDEX " + ", ".join(_VECTOR_INDEXES),
    "no search trigger": "DROP TRIGGER articles_search_insert ON articles",
    "no entry-pair trigger": "DROP TRIGGER article_entry_pairs_add ON article_entries",
    "lz4 for the texts and vectors": "ALTER TABLE articles ALTER COLUMN summary SET COMPRESSION lz4,"
    " ALTER COLUMN content SET COMPRESSION lz4, ALTER COLUMN content_html SET COMPRESSION lz4;"
    " ALTER TABLE articles_search ALTER COLUMN simple SET COMPRESSION lz4, ALTER COLUMN french SET COMPRESSION lz4,"
    " ALTER COLUMN english SET COMPRESSION lz4;"
    " ALTER TABLE article_versions ALTER COLUMN summary SET COMPRESSION lz4,"
    " ALTER COLUMN content SET COMPRESSION lz4",
    "GIN pending lists 64 MB": "; ".join(
        f"ALTER INDEX {index} SET (gin_pending_list_limit = 65536)" for index in _VECTOR_INDEXES
    ),
    "pairs index without fastupdate": "ALTER INDEX articles_search_pair_keys SET (fastupdate = off)",
    # The b-tree indexes of the shared read / starred columns, which PostgreSQL never writes (each analyst's marks
    # are in article_states) and its plans cannot use through the analyst's view.
    "no read/starred b-tree indexes": "DROP INDEX articles_unread, articles_starred, articles_counts,"
    " articles_read_story",
    # Fewer distinct keys: each pair's hash cut to 16 or 20 bits (a GIN index's upkeep grows with the distinct keys
    # of each pending-list merge; the positions would still decide, with more candidates to check).
    **{
        f"pairs index of {bits}-bit keys": "DROP INDEX articles_search_pair_keys;"
        f" CREATE FUNCTION pk{bits}(v tsvector) RETURNS bigint[] LANGUAGE sql IMMUTABLE STRICT COST 1000 AS"
        f" $$ SELECT array(SELECT DISTINCT k & {(1 << bits) - 1} FROM unnest(vigie_pair_keys(v)) k) $$;"
        f" CREATE INDEX articles_search_pk ON articles_search USING gin (pk{bits}(simple))"
        for bits in (16, 20)
    },
    # Schema 15's entry-pairs trigger, one INSERT ... SELECT an entry row (before step 26: one a statement).
    "entry pairs per row (v15's trigger)": "DROP TRIGGER article_entry_pairs_add ON article_entries;\n"
    + _V15_SQL[
        _V15_SQL.index("CREATE FUNCTION article_entry_pairs_add") : _V15_SQL.index(
            "CREATE FUNCTION article_entry_pairs_remove"
        )
    ].replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"),
    # Schema 25's statistics target on the pairs' index expression (before step 26): ANALYZE computes it again.
    "pairs index statistics kept (v25)": "ALTER INDEX articles_search_pair_keys ALTER COLUMN 1 SET STATISTICS -1",
    # The search trigger of schemas 22-26: both stems' vectors for every article, whatever its language (schema 27
    # computes the French one for an article not tagged English, the English one for one not tagged French).
    "both stems' vectors (before 27)": V22_SQL[: V22_SQL.index("CREATE FUNCTION vigie_pairs")],
    "GIN fastupdate off": "; ".join(
        f"ALTER INDEX {index} SET (fastupdate = off)" for index in _VECTOR_INDEXES
    ),
}


def items(n: int, seed: int = 7) -> list[tuple[PendingItem, Assessment]]:
    """N items like bench/_feedserver.py's (a title, three paragraphs of about 350 bytes), one in three matched."""
    gen = fx.TextGenerator(seed, fx.watchlist_terms(fx.bench_watchlist()), term_rate=1 / 150)
    rng = random.Random(seed)
    base = datetime(2026, 11, 1, tzinfo=UTC)
    out = []
    for i in range(n):
        lang = "fr" if i % 5 < 3 else "en"
        text = "\n\n".join(gen.text(rng.randint(250, 450), lang) for _ in range(3))
        item = ParsedItem(
            guid=f"bench-{i}",
            link=f"http://news.invalid/{i}",
            title=gen.words(rng.randint(6, 14), lang),
            summary=text,
            content="",
            content_html=f"<p>{text}</p>",
            published=(base + timedelta(minutes=rng.randrange(43200))).isoformat(),
            lang=lang,
        )
        pending = PendingItem(item, dedup_key(item), content_hash(item.title, item.summary, item.content))
        matches = (
            tuple(Match(f"entry {k}", "keyword", "summary", 0, 4, text[:4]) for k in range(i % 4))
            if i % 3 == 0
            else ()
        )
        out.append(
            (pending, Assessment(matches=matches, score=float(len(matches)), highlighted=bool(matches)))
        )
    return out


def run(url: str, name: str, sql: str, batch: list[tuple[PendingItem, Assessment]]) -> tuple[float, ...]:
    """(backend CPU s, wall s, client CPU s, the whole server's CPU s) to save the batch on a fresh database with
    the variant's SQL, and the backend's CPU s for one ANALYZE of articles_search after."""
    import psycopg

    db = "v" + str(abs(hash(name)) % 10**8)
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {db}")
        admin.execute(f"CREATE DATABASE {db}")
    path, _, query = url.partition("?")
    target = path.rsplit("/", 1)[0] + "/" + db + (f"?{query}" if query else "")
    store = Store.open(Path(tempfile.mkdtemp()) / "unused.sqlite3", database=target)
    if sql:
        store.conn.execute(sql)
    store.add_feeds([("http://news.invalid/feed", "")], 60)
    feed_id = int(store.conn.execute("SELECT id FROM feeds").fetchone()[0])
    postmaster = postmaster_pid(store.conn)
    whole0 = server_cpu_seconds(postmaster)
    server0, wall0, client0 = backend_cpu_seconds(store.conn), time.perf_counter(), _client()
    for start in range(0, len(batch), 40):
        store.save_items(
            source="http://news.invalid/feed",
            feed_id=feed_id,
            items=batch[start : start + 40],
            fetched_at="2026-12-06T22:00:00+00:00",
            poll_id=1,
        )
    # Every GIN index's pending list merged now, so that each variant pays for all of its index work.
    store.conn.execute(
        "SELECT sum(gin_clean_pending_list(c.oid)) FROM pg_class c JOIN pg_am m ON m.oid = c.relam"
        " WHERE m.amname = 'gin' AND c.relnamespace = 'public'::regnamespace"
    ).fetchone()
    took = time.perf_counter() - wall0
    figures = (
        backend_cpu_seconds(store.conn) - server0,
        took,
        _client() - client0,
        server_cpu_seconds(postmaster) - whole0,
    )
    # What one ANALYZE of the search table costs now (autovacuum runs one about each minute while a first poll
    # fills an empty store: the table grows by more than a tenth between two of its rounds).
    analyzed = backend_cpu_seconds(store.conn)
    store.conn.execute("ANALYZE articles_search")
    figures += (backend_cpu_seconds(store.conn) - analyzed,)
    store.close()
    return figures


def _client() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument(
        "--only", nargs="*", choices=list(VARIANTS), help="variants to run, in order (default: all)"
    )
    args = parser.parse_args()
    batch = items(args.articles)
    print(f"machine: {fx.machine()}; {args.articles:,} new articles, saved 40 a call")
    with throwaway_server() as url:
        # The variants named, in the order named (twice the same name runs it twice), else all of them.
        for name in args.only or list(VARIANTS):
            server, wall, client, whole, analyze = run(url, name, VARIANTS[name], batch)
            print(
                f"{name:34} server CPU {server:6.2f} s ({server * 1000 / args.articles:5.2f} ms/article),"
                f" wall {wall:6.2f} s, client CPU {client:6.2f} s, whole server's CPU {whole:6.2f} s;"
                f" then ANALYZE articles_search {analyze:5.2f} s"
            )
    print(f"({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)")


if __name__ == "__main__":
    main()
