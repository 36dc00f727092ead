"""The list's query plans: each fast plan lists the same rows in the same order as the plain one, and the counts
it remembers follow every write."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import pytest

from monitor.core.models import ArticleQuery, Assessment, Match, ParsedItem
from monitor.core.storage.ingest import apply_scores, score_row
from monitor.core.storage.store import Store

ENTRY = "Trafic"


def _corpus(store: Store) -> None:
    """Four feeds (two whose titles differ only in case, one untitled; two with an article saved under a former
    address) and the seeds; titles, dates and scores out of order; most articles say 'drogue', every third names
    the entry, every fourth is starred."""
    feeds = [
        store.add_feed("https://b.example/rss", "beta")[0],
        store.add_feed("https://a.example/rss", "Alpha")[0],
        store.add_feed("https://c.example/rss", "")[0],
        store.add_feed("https://d.example/rss", "alpha")[0],
    ]
    for n in range(80):
        feed = feeds[n % 4]
        named = n % 3 == 0
        item = ParsedItem(
            guid=f"g{n}",
            link=None,
            title=f"{'zyxw'[n % 4]} titre {(n * 7) % 80:02d}",
            summary="",
            content="trafic de drogue" if n % 5 else "autre chose",
            content_html="",
            published=f"2025-11-{1 + (n * 11) % 28:02d}T12:00:00+00:00",
        )
        matches = (Match(ENTRY, "keyword", "content", 0, 6, "trafic"),) if named else ()
        pending = store.prepare(feed.url, [item])
        store.save_items(
            source=feed.url,
            feed_id=feed.id,
            items=[(p, Assessment(matches=matches, score=float(n % 4))) for p in pending],
            fetched_at="2025-11-30T00:00:00+00:00",
            poll_id=1,
        )
    for feed, old_url in ((feeds[0], "https://old.b.example/rss"), (feeds[2], "https://old.c.example/rss")):
        # Articles saved under a feed's former address: a titled feed still shows its title, an untitled one
        # the address each article came from.
        moved = store.prepare(old_url, [replace(item, guid=f"moved-{feed.id}", title="moved drogue")])
        store.save_items(
            source=old_url,
            feed_id=feed.id,
            items=[(p, Assessment()) for p in moved],
            fetched_at="2025-11-30",
            poll_id=1,
        )
    seed = store.prepare("seed", [replace(item, guid="s1", title="seed drogue", content="drogue")])
    store.save_items(
        source="seed",
        feed_id=None,
        items=[(p, Assessment()) for p in seed],
        fetched_at="2025-11-30",
        poll_id=1,
    )
    for article_id in range(1, 84, 4):
        store.set_starred(article_id, True)


def _pages(store: Store, query: ArticleQuery, size: int = 7) -> list[int]:
    return [r.id for page in range(14) for r in store.rows(query, page * size, size)]


QUERIES = {
    "search": ArticleQuery(search="drogue"),
    "search in a feed": ArticleQuery(search="drogue", view="feed", feed_id=2),
    "entry": ArticleQuery(entry=ENTRY),
    "starred": ArticleQuery(view="starred"),
    "starred unread with an entry": ArticleQuery(view="starred", entry=ENTRY, unread_only=True),
}


@pytest.mark.parametrize("sort", ["starred", "score", "title", "source", "published", "revisions"])
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("name", list(QUERIES))
def test_walking_a_sort_index_lists_the_same_pages_as_sorting_the_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, sort: str, descending: bool
) -> None:
    store = Store.open(tmp_path / "v.sqlite3")
    _corpus(store)
    query = replace(QUERIES[name], sort=sort, descending=descending)
    monkeypatch.setattr("monitor.core.storage.queries.BROAD_SEARCH_HITS", 10**9)
    monkeypatch.setattr("monitor.core.storage.queries.BROAD_SET_SIZE", 10**9)
    sorted_set = _pages(store, query)
    monkeypatch.setattr("monitor.core.storage.queries.BROAD_SEARCH_HITS", 0)
    monkeypatch.setattr("monitor.core.storage.queries.BROAD_SET_SIZE", 0)
    monkeypatch.setattr("monitor.core.storage.queries.HITS_PER_SEEK", 10**9)
    walked = _pages(store, query)
    monkeypatch.setattr("monitor.core.storage.queries.HITS_PER_SEEK", 0)
    probed = _pages(store, query)
    assert walked == sorted_set
    assert probed == sorted_set
    assert len(sorted_set) == len(set(sorted_set)) == store.count(query) > 0


@pytest.mark.parametrize("search", ["drog*", "drogue tra*", "drogue -tit*"])
def test_a_prefix_search_walks_with_its_list_of_hits_never_one_seek_per_article(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, search: str
) -> None:
    """A seek for a prefix* merges the lists of every word it starts (seconds at 1,000,000 articles for "trafi*"):
    even where the cost model would seek for a word, a prefix is tested against its list of hits."""
    store = Store.open(tmp_path / "v.sqlite3")
    _corpus(store)
    query = ArticleQuery(search=search)
    expected = _pages(store, query)
    monkeypatch.setattr("monitor.core.storage.queries.BROAD_SEARCH_HITS", 0)
    monkeypatch.setattr("monitor.core.storage.queries.HITS_PER_SEEK", 0)
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    walked = _pages(store, query)
    store.conn.set_trace_callback(None)
    pages = [sql for sql in statements if "LIMIT" in sql and "INDEXED BY" in sql]
    assert walked == expected and expected
    assert pages and not any("rowid = a.id" in sql for sql in pages)
    # A word alone is still probed: the hook does see the seeks.
    word = _pages(store, ArticleQuery(search="drogue"))
    statements.clear()
    store.conn.set_trace_callback(statements.append)
    assert _pages(store, ArticleQuery(search="drogue")) == word
    store.conn.set_trace_callback(None)
    assert any("rowid = a.id" in sql for sql in statements)


@pytest.mark.parametrize("descending", [False, True])
def test_sorting_all_articles_by_source_skips_labels_by_count_in_the_label_order(
    tmp_path: Path, descending: bool
) -> None:
    """The unfiltered list sorted by source (read label by label) equals the general plan, which sorts every row
    by its label COLLATE NOCASE, then id; "Alpha" and "alpha" are one label, their articles in id order."""
    store = Store.open(tmp_path / "v.sqlite3")
    _corpus(store)
    query = ArticleQuery(sort="source", descending=descending)
    general = replace(query, since="2000-01-01")  # a condition sends it down the general plan
    for size in (7, 13, 200):
        labelled = [r.id for page in range(90 // size + 1) for r in store.rows(query, page * size, size)]
        assert labelled == [r.id for r in store.rows(general, 0, 200)]
        assert len(labelled) == 83
    rows = store.rows(query, 0, 200)
    assert "https://old.c.example/rss" in {r.source_label for r in rows}
    alphas = [r.id for r in rows if r.source_label.lower() == "alpha"]
    assert {r.source_label for r in rows if r.source_label.lower() == "alpha"} == {"Alpha", "alpha"}
    assert alphas == sorted(alphas, reverse=descending)


def test_remembered_counts_follow_writes_from_this_and_other_connections(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "v.sqlite3")
    _corpus(store)
    starred = ArticleQuery(view="starred")
    entry = ArticleQuery(entry=ENTRY)
    search = ArticleQuery(search="drogue")
    before = (store.count(ArticleQuery()), store.count(starred), store.count(entry), store.count(search))
    store.set_starred(2, True)  # this thread's connection
    assert store.count(starred) == before[1] + 1
    assert (store.count(ArticleQuery()), store.count(entry), store.count(search)) == (
        before[0],
        before[2],
        before[3],
    )  # remembered again, after this connection's write

    def elsewhere() -> None:  # another thread: another connection
        feed = store.add_feed("https://e.example/rss", "e")[0]
        item = ParsedItem(
            guid="late",
            link=None,
            title="late",
            summary="",
            content="drogue",
            content_html="",
            published=None,
        )
        pending = store.prepare(feed.url, [item])
        match = Match(ENTRY, "keyword", "content", 0, 6, "drogue")
        store.save_items(
            source=feed.url,
            feed_id=feed.id,
            items=[(p, Assessment(matches=(match,))) for p in pending],
            fetched_at="2025-11-30T00:00:00+00:00",
            poll_id=2,
        )

    worker = threading.Thread(target=elsewhere)
    worker.start()
    worker.join()
    assert store.count(ArticleQuery()) == before[0] + 1
    assert store.count(entry) == before[2] + 1
    assert store.count(search) == before[3] + 1
    assert "late" in [r.title for r in store.rows(search, 0, 200)]


def test_the_timeline_index_keeps_each_entrys_article_date(tmp_path: Path) -> None:
    """article_entries carries its article's date through ingest, a changed date and a re-score (schema 13),
    and the timeline's counts are read from its index alone."""
    store = Store.open(tmp_path / "v.sqlite3")
    try:
        _corpus(store)
        conn = store.conn
        stale = conn.execute(
            """SELECT count(*) FROM article_entries e JOIN articles a ON a.id = e.article_id
               WHERE e.published IS NOT coalesce(a.published, a.first_seen)"""
        ).fetchone()[0]
        assert stale == 0
        article_id = conn.execute("SELECT article_id FROM article_entries LIMIT 1").fetchone()[0]
        conn.execute(
            "UPDATE articles SET published = '2030-01-01T00:00:00+00:00' WHERE id = ?", (article_id,)
        )
        dates = {
            r[0]
            for r in conn.execute("SELECT published FROM article_entries WHERE article_id = ?", (article_id,))
        }
        assert dates == {"2030-01-01T00:00:00+00:00"}
        apply_scores(
            conn, [score_row(article_id, Assessment((Match("Other", "keyword", "title", 0, 1, "x"),)))]
        )
        row = conn.execute(
            "SELECT entry, published FROM article_entries WHERE article_id = ?", (article_id,)
        ).fetchall()
        assert [tuple(r) for r in row] == [("Other", "2030-01-01T00:00:00+00:00")]
        plan = " ".join(
            r[3]
            for r in conn.execute(
                "EXPLAIN QUERY PLAN SELECT substr(published, 1, 10), count(*) FROM article_entries "
                "WHERE entry = ? AND published >= ? GROUP BY 1",
                (ENTRY, "2025-01-01"),
            )
        )
        assert "COVERING INDEX article_entries_timeline" in plan
    finally:
        store.close()
