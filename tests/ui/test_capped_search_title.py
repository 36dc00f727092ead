"""A broad search's count stops at the store's cap: the list's header says "N+ articles", the list holds the
cap's rows and grows when the view reaches its end; a list without a search keeps its exact count."""

from __future__ import annotations

import pytest

from monitor.core.storage import queries
from monitor.ui.article_model import COL_TITLE
from monitor.ui.main_window import MainWindow
from monitor.ui.sidebar import Target
from tests.ui.test_main_window import add_feed_articles


def test_a_broad_search_says_the_cap_plus_and_grows_at_the_end(
    qtbot,  # type: ignore[no-untyped-def]
    window: MainWindow,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(queries, "SEARCH_COUNT_CAP", 4)
    add_feed_articles(window, 30, qtbot)  # 10 titles name Kessaci, 20 are the weather
    assert window.sidebar.select(Target("view", view="all"))
    assert window.filters.title.text().endswith("· 35 articles")  # no search: exact (30 + the 5 seeds)

    window.filters.search.setText("Météo")
    window.filters.flush()
    assert window.filters.title.text().endswith("· 4+ articles")
    assert window.model.rowCount() == 4 and window.model.capped

    # The view's end asks for more: another cap's worth each time, until the search's end is reached.
    while window.model.canFetchMore():
        window.model.fetchMore()
    assert window.model.rowCount() == 20 and not window.model.capped
    titles = {window.model.index(r, COL_TITLE).data() for r in range(window.model.rowCount())}
    assert titles == {f"Météo du jour {n}" for n in range(30) if n % 3}

    window.filters.search.setText("Kessaci épisode 3")  # one article: exact
    window.filters.flush()
    assert window.filters.title.text().endswith("· 1 article")
    assert not window.model.canFetchMore()
