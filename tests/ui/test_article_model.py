"""The article list model reads the store by the page and sorts and filters in SQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from monitor.core.models import ArticleQuery, Assessment, Match
from monitor.core.storage.store import Store
from monitor.ui.article_model import (
    COL_LANG,
    COL_PUBLISHED,
    COL_SCORE,
    COL_SOURCE,
    COL_STAR,
    COL_TITLE,
    COLUMNS,
    ID_ROLE,
    ROW_ROLE,
    ArticleTableModel,
)
from tests.ui.conftest import item, store_items

ROWS = 450


@pytest.fixture
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    """450 articles from two feeds, with varied scores, dates, stars and read states."""
    db = Store.open(tmp_path / "vigie.sqlite3")
    alpha, _ = db.add_feed("http://127.0.0.1/alpha.xml", "Alpha news")
    beta, _ = db.add_feed("http://127.0.0.1/beta.xml", "beta wire")
    for feed, numbers in ((alpha, range(0, ROWS, 2)), (beta, range(1, ROWS, 2))):
        items = [
            item(n, title=f"{'Zeta' if n % 3 else 'alpha'} story {n:04d}", lang=("fr", "en-GB", "es")[n % 3])
            for n in numbers
        ]
        scores = [
            Assessment(
                matches=(Match("Amine Kessaci", "person", "title", 0, 4, "Zeta"),) if n % 5 == 0 else (),
                score=float(n % 7),
                highlighted=n % 7 >= 4,
            )
            for n in numbers
        ]
        store_items(db, items, source=feed.url, feed_id=feed.id, assessments=scores)
    ids = [r.id for r in db.rows(ArticleQuery(sort="title"), 0, ROWS)]
    for article_id in ids[::9]:
        db.set_starred(article_id, True)
    db.set_read(ids[::4], True)
    yield db
    db.close()


def all_rows(model: ArticleTableModel) -> list:  # type: ignore[type-arg]
    return [model.index(r, 0).data(ROW_ROLE) for r in range(model.rowCount())]


def test_rows_are_read_by_the_page_not_all_at_once(qtmodeltester, store: Store) -> None:
    model = ArticleTableModel(store, page_size=100)
    assert model.rowCount() == ROWS
    model.index(0, COL_TITLE).data()
    assert model.page_reads == 1
    model.index(99, COL_TITLE).data()
    assert model.page_reads == 1
    model.index(ROWS - 1, COL_TITLE).data()
    assert model.page_reads == 2
    ids = [model.index(r, 0).data(ID_ROLE) for r in range(ROWS)]
    assert len(set(ids)) == ROWS
    assert model.page_reads == 5
    qtmodeltester.check(model, force_py=True)


def test_the_page_cache_stays_bounded(store: Store) -> None:
    model = ArticleTableModel(store, page_size=50, max_pages=3)
    for r in range(ROWS):
        model.index(r, 0).data()
    assert len(model._pages) == 3
    before = model.page_reads
    model.index(0, 0).data()  # evicted long ago: read again
    assert model.page_reads == before + 1


@pytest.mark.parametrize(
    ("column", "key"),
    [
        (COL_STAR, lambda r: (r.starred, r.id)),
        (COL_SCORE, lambda r: (r.score, r.id)),
        (COL_TITLE, lambda r: (r.title.casefold(), r.id)),
        (COL_SOURCE, lambda r: (r.source_label.casefold(), r.id)),
        (COL_PUBLISHED, lambda r: (r.published, r.id)),
        (COL_LANG, lambda r: (r.lang, r.id)),
    ],
)
def test_sorting_by_each_column_happens_in_the_store(store: Store, column: int, key) -> None:  # type: ignore[no-untyped-def]
    model = ArticleTableModel(store, page_size=64)
    rows = all_rows(model)
    for order, reverse in ((Qt.SortOrder.AscendingOrder, False), (Qt.SortOrder.DescendingOrder, True)):
        model.sort(column, order)
        assert model.query.sort == COLUMNS[column][0]
        assert model.query.descending is reverse
        assert [r.id for r in all_rows(model)] == [r.id for r in sorted(rows, key=key, reverse=reverse)]


def test_the_lang_column_shows_each_articles_tag(store: Store) -> None:
    model = ArticleTableModel(store)
    model.sort(COL_LANG, Qt.SortOrder.AscendingOrder)
    shown = {model.index(r, COL_LANG).data() for r in range(model.rowCount())}
    assert shown == {"EN", "FR", "other"}  # "en-GB" as the feed said it, "es" is another language
    assert model.headerData(COL_LANG, Qt.Orientation.Horizontal) == "Lang"
    assert model.index(0, COL_LANG).data(Qt.ItemDataRole.ToolTipRole) == "Language: English"


def test_filters_select_in_sql(store: Store) -> None:
    model = ArticleTableModel(store)
    cases = [
        ArticleQuery(highlighted_only=True),
        ArticleQuery(unread_only=True),
        ArticleQuery(view="starred"),
        ArticleQuery(view="feed", feed_id=store.list_feeds()[0].id),
        ArticleQuery(entry="Amine Kessaci"),
        ArticleQuery(since="2025-11-10", until="2025-11-12"),
        ArticleQuery(search="alpha"),
    ]
    for query in cases:
        model.set_query(query)
        rows = all_rows(model)
        assert 0 < len(rows) < ROWS, query
        assert len(rows) == store.count(query)
        if query.highlighted_only:
            assert all(r.highlighted for r in rows)
        if query.unread_only:
            assert not any(r.read for r in rows)
        if query.view == "starred":
            assert all(r.starred for r in rows)
        if query.since:
            assert all("2025-11-10" <= (r.published or "") < "2025-11-12" for r in rows)
        if query.search:
            assert all("alpha" in r.title for r in rows)


def test_a_search_the_store_cannot_run_is_reported_not_raised(qtbot, store: Store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from monitor.core.errors import StoreError

    model = ArticleTableModel(store)

    def broken(_query: ArticleQuery, cap: int | None = None) -> tuple[int, bool]:
        raise StoreError("search failed: boom")

    monkeypatch.setattr(store, "count_capped", broken)  # what the list counts with
    with qtbot.waitSignal(model.query_failed) as signal:
        model.set_query(ArticleQuery(search="x"))
    assert signal.args == ["search failed: boom"]
    assert model.rowCount() == 0


def test_unread_rows_are_bold_and_highlighted_rows_tinted(store: Store) -> None:
    model = ArticleTableModel(store)
    rows = all_rows(model)
    unread = next(i for i, r in enumerate(rows) if not r.read)
    read = next(i for i, r in enumerate(rows) if r.read)
    assert model.index(unread, COL_TITLE).data(Qt.ItemDataRole.FontRole).bold()
    assert model.index(read, COL_TITLE).data(Qt.ItemDataRole.FontRole) is None
    hot = next(i for i, r in enumerate(rows) if r.highlighted)
    cold = next(i for i, r in enumerate(rows) if not r.highlighted)
    assert model.index(hot, COL_TITLE).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert model.index(cold, COL_TITLE).data(Qt.ItemDataRole.BackgroundRole) is None
    assert model.index(hot, COL_SCORE).data() == f"{round(rows[hot].score, 1):g}"
    assert model.index(0, COL_SOURCE).data() in ("Alpha news", "beta wire")


def test_a_loaded_row_changes_in_place(qtbot, store: Store) -> None:
    model = ArticleTableModel(store)
    row = next(i for i, r in enumerate(all_rows(model)) if not r.read)
    article_id = model.index(row, 0).data(ID_ROLE)
    reads = model.page_reads
    with qtbot.waitSignal(model.dataChanged):
        model.update_article(article_id, read=True, starred=True)
    assert model.index(row, 0).data(ROW_ROLE).read
    assert model.index(row, COL_STAR).data() == "★"
    assert model.page_reads == reads


def test_the_published_column_formats_each_date_once_per_day(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A repaint asks for every visible cell again: the date label is formatted once, then reused."""
    import monitor.ui.style as style
    from monitor.ui.style import format_date

    calls: list[str | None] = []

    def counting_format_date(value: str | None) -> str:
        calls.append(value)
        return format_date(value)

    monkeypatch.setattr(style, "format_date", counting_format_date)
    style._short_date.cache_clear()
    model = ArticleTableModel(store, page_size=100)
    first = [model.index(r, COL_PUBLISHED).data() for r in range(20)]
    again = [model.index(r, COL_PUBLISHED).data() for r in range(20)]
    rows = [model.index(r, 0).data(ROW_ROLE) for r in range(20)]
    assert first == again == [format_date(r.published) for r in rows]
    assert len(calls) == len({r.published for r in rows})
