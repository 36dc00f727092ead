"""What a poll stored, as sorted text lines that two runs can be compared by (diff): each article's text, scores,
matches and language, its watchlist entries, its name rows, its word forms, and the corpus's lower-case words.

Columns that depend on when or in what order the poll ran (ids, fetch and poll times, stories) are left out;
articles are named by their dedup key. ``python bench/_store_dump.py --eval DIR OUT`` polls an evaluation set
(``../shared/eval/dev``) as ``python -m monitor.evaluate`` does and writes what it stored to OUT;
``bench/ingest.py --dump OUT`` writes the first poll's.
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _fixtures as fx  # noqa: F401 - puts the repository on sys.path

from monitor.core.service import VigieCore
from monitor.evaluate import serve
from monitor.paths import AppPaths

_PORT = re.compile(r"(//127\.0\.0\.\d+):\d+")
_ESTIMATED = "CASE WHEN published_estimated THEN 'estimated' ELSE {} END"
_LEFT_OUT = {"id", "feed_id", "fetched", "first_seen", "last_updated", "poll_id", "story", "thread"}


def dump_store(conn: sqlite3.Connection, path: Path) -> int:
    """Write the store's articles and what was computed from them to `path`; the number of lines."""
    columns = [r[1] for r in conn.execute("PRAGMA table_info(articles)") if r[1] not in _LEFT_OUT]
    # An undated item is dated when it was fetched: that date says nothing of what was computed.
    columns = [_ESTIMATED.format(c) if c == "published" else c for c in columns]
    lines = [
        "article\t" + "\t".join(map(repr, row))
        for row in conn.execute(f"SELECT {', '.join(columns)} FROM articles WHERE source <> 'seed'")
    ]
    queries = {
        "entry": f"SELECT a.dedup_key, e.entry, {_ESTIMATED.format('e.published')} FROM article_entries e"
        " JOIN articles a ON a.id = e.article_id",
        "name": "SELECT a.dedup_key, n.key, n.forms, n.mentions, n.running, n.not_initial, n.person, n.organisation,"
        " n.place, n.aliases FROM article_names n JOIN articles a ON a.id = n.article_id",
        "named": "SELECT a.dedup_key FROM names_indexed n JOIN articles a ON a.id = n.article_id",
        "stems": "SELECT a.dedup_key, s.fr, s.en FROM articles_stems s JOIN articles a ON a.id = s.rowid",
        "lower": "SELECT word FROM name_lower_words",
    }
    for kind, sql in queries.items():
        lines.extend(f"{kind}\t" + "\t".join(map(repr, row)) for row in conn.execute(sql))
    lines = sorted(_PORT.sub(r"\1", line) for line in lines)  # the feeds' servers listen on any free port
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def dump_evaluation_poll(dev: Path, out: Path) -> int:
    """Poll the feeds of an evaluation set as monitor.evaluate does, into a new profile, and dump the store."""
    server, base = serve(dev / "feeds")
    try:
        with tempfile.TemporaryDirectory(prefix="vigie-dump-") as tmp:
            core = VigieCore(AppPaths(Path(tmp)))
            try:
                for feed in sorted((dev / "feeds").glob("*.xml")):
                    core.add_feed(f"{base}/{feed.name}")
                core.poll()
                return dump_store(core.store.conn, out)
            finally:
                core.close()
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--eval", type=Path, required=True, help="an evaluation set: items.jsonl and feeds/")
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    print(f"{dump_evaluation_poll(args.eval, args.out):,} lines in {args.out}")


if __name__ == "__main__":
    main()
