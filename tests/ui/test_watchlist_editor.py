"""The watchlist editor: editing, saving and re-scoring, and the test pane, which matches off the GUI thread."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator

import pytest

from monitor.core.matching.matcher import Matcher
from monitor.core.matching.watchlist import Entry
from monitor.core.models import ArticleQuery
from monitor.core.service import VigieCore
from monitor.ui.bridge import Bridge
from monitor.ui.main_window import MainWindow
from monitor.ui.sidebar import Target
from monitor.ui.tasks import TaskRunner
from monitor.ui.watchlist_editor import WatchlistEditor
from tests.ui.conftest import item, open_row, settle, store_items

WAIT_MS = 10_000


def editor_for(window: MainWindow) -> WatchlistEditor:
    editor = window.show_watchlist_editor()
    assert isinstance(editor, WatchlistEditor)
    return editor


@pytest.fixture
def threaded_bridge(qapp, core: VigieCore) -> Iterator[Bridge]:  # type: ignore[no-untyped-def]
    """A bridge over the real task runner, as the app has it: tasks run on worker threads."""
    runner = TaskRunner()
    yield Bridge(core, runner)
    runner.shutdown(wait=True)


def threads_running(monkeypatch: pytest.MonkeyPatch, owner: type, name: str) -> list[threading.Thread]:
    """Record the thread of every call to `owner.name` (which still does its work)."""
    seen: list[threading.Thread] = []
    real = getattr(owner, name)

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(threading.current_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, spy)
    return seen


def test_saving_the_watchlist_rescores_and_the_list_follows(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    store = window.core.store
    feed, _ = store.add_feed("http://127.0.0.1:9/feed.xml", "Feed")
    store_items(
        store,
        [item(1, title="Le préfet Zorglub visite le port", summary="Zorglub parle.")],
        source=feed.url,
        feed_id=feed.id,
    )
    window.reload_list()
    window.sidebar.select(Target("view", view="highlighted"))
    before = window.model.rowCount()
    editor = editor_for(window)
    editor.add_entry()
    editor.form.name.setText("Zorglub")
    editor.form.kind.setCurrentIndex(editor.form.kind.findData("person"))
    editor.form.weight.setValue(6)
    editor.form.aliases.setPlainText("Zorglub")
    assert editor.dirty
    with qtbot.waitSignal(window.bridge.rescore_finished, timeout=WAIT_MS):
        assert editor.save()
    settle(qtbot, window)
    article = store.article(store.rows(ArticleQuery(search="Zorglub"))[0].id)
    assert article.highlighted
    assert {m.entry for m in article.matches} == {"Zorglub"}
    assert [m.field for m in article.matches] == ["title", "summary"]
    assert window.core.watchlist.get("Zorglub") is not None
    assert "Zorglub" in window.core.paths.watchlist.read_text(encoding="utf-8")
    # The list re-read the store: the article is now among the highlighted, and the sidebar lists the entry.
    assert window.model.rowCount() == before + 1
    assert window.sidebar.item_for(Target("entry", entry="Zorglub")).text(1) == "1"
    assert not editor.dirty and "re-scored" in editor.error.text()
    # The test pane testing again (as it does after a save) leaves the message under the list alone.
    with qtbot.waitSignal(editor.test_pane.tested, timeout=WAIT_MS):
        editor.run_test()
    assert "re-scored" in editor.error.text()


def test_the_test_area_matches_live_with_the_edited_list(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    editor = editor_for(window)
    pane = editor.test_pane
    pane.test_input.setPlainText("Le narcotrafic gangrène le quartier, dit Amine Kessaci.")
    with qtbot.waitSignal(pane.tested, timeout=WAIT_MS):
        editor.run_test()
    found = editor.last_assessment
    assert found is not None and found.highlighted
    assert {"Amine Kessaci"} <= {m.entry for m in found.matches}
    assert "Amine Kessaci" in pane.test_result.toPlainText()
    # An alias added in the editor (not saved) matches at once.
    pane.test_input.setPlainText("Le quartier de la Tartempion est calme.")
    with qtbot.waitSignal(pane.tested, timeout=WAIT_MS):
        editor.run_test()
    assert editor.last_assessment is not None and not editor.last_assessment.matches
    editor.add_entry("Tartempion", "place")
    editor.form.aliases.setPlainText("Tartempion")
    with qtbot.waitSignal(pane.tested, timeout=WAIT_MS):
        editor.run_test()
    assert [m.text for m in editor.last_assessment.matches] == ["Tartempion"]
    assert window.core.watchlist.get("Tartempion") is None  # nothing saved yet


def test_the_test_area_can_use_the_selected_article(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    open_row(qtbot, window, 0)
    editor = editor_for(window)
    with qtbot.waitSignal(editor.test_pane.tested, timeout=WAIT_MS):
        editor.test_selected_article()
    assert editor.last_assessment is not None
    assert window.reader.article is not None
    assert window.reader.article.title.split()[0] in editor.test_pane.test_result.toPlainText()


def test_an_invalid_list_cannot_be_saved(window: MainWindow) -> None:
    editor = editor_for(window)
    first = editor.entries[0]
    editor.add_entry()
    editor.form.name.setText(first.name)  # a duplicate name
    assert not editor.save_button.isEnabled()
    assert "duplicate" in editor.error.text()
    assert not editor.save()
    editor.remove_entry()
    assert editor.save_button.isEnabled()


def test_renaming_an_entry_keeps_the_contexts_that_name_it(window: MainWindow) -> None:
    editor = editor_for(window)
    editor.entries = [
        Entry("Alpha", "topic", aliases=("alpha",)),
        Entry("Beta", "person", aliases=("beta",), context=("Alpha",)),
    ]
    editor.scope.set_places(())  # a list of its own: the shipped scope names place entries it does not have
    editor._fill_list()
    editor.select("Alpha")
    editor.form.name.setText("Alpha prime")
    assert editor.entries[1] == dataclasses.replace(editor.entries[1], context=("Alpha prime",))
    assert editor.draft() is not None


def test_the_entry_filter_hides_entries_that_do_not_match(window: MainWindow) -> None:
    editor = editor_for(window)
    editor.entries = [
        Entry("Alpha", "topic", aliases=("narcotrafic",)),
        Entry("Beta", "person", aliases=("beta",)),
    ]
    editor._fill_list()
    entries = editor.entry_list
    entries.filter.setText("NARCO")
    assert [entries.list.item(row).isHidden() for row in range(2)] == [False, True]
    entries.filter.clear()
    assert not any(entries.list.item(row).isHidden() for row in range(2))


def test_the_test_pane_compiles_and_matches_on_a_worker_thread(
    qtbot, core: VigieCore, threaded_bridge: Bridge, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    editor = WatchlistEditor(core, threaded_bridge)
    qtbot.addWidget(editor)
    compiled = threads_running(monkeypatch, Matcher, "__init__")
    assessed = threads_running(monkeypatch, Matcher, "assess")
    editor.test_pane.test_input.setPlainText("Le narcotrafic gangrène le quartier, dit Amine Kessaci.")
    with qtbot.waitSignal(editor.test_pane.tested, timeout=WAIT_MS) as shown:
        editor.run_test()
    assert shown.args[0] is not None and "Amine Kessaci" in {m.entry for m in shown.args[0].matches}
    assert "Amine Kessaci" in editor.test_pane.test_result.toPlainText()
    assert compiled and assessed
    gui = threading.main_thread()
    assert all(thread is not gui for thread in compiled + assessed)


def test_a_result_for_a_text_that_changed_since_is_dropped(
    qtbot, core: VigieCore, threaded_bridge: Bridge, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """The first test is held on its worker until the second has shown; it must not overwrite the second."""
    editor = WatchlistEditor(core, threaded_bridge)
    qtbot.addWidget(editor)
    pane = editor.test_pane
    release = threading.Event()
    real_assess = Matcher.assess

    def held_when_first(self: Matcher, title: str, summary: str = "", content: str = "") -> object:
        if "premier" in content:
            assert release.wait(WAIT_MS / 1000), "the test never released the first text"
        return real_assess(self, title, summary, content)

    monkeypatch.setattr(Matcher, "assess", held_when_first)
    try:
        pane.test_input.setPlainText("Amine Kessaci, premier texte.")
        editor.run_test()
        pane.test_input.setPlainText("Le narcotrafic, second texte.")
        with qtbot.waitSignal(pane.tested, timeout=WAIT_MS):
            editor.run_test()
    finally:
        release.set()
    qtbot.waitUntil(lambda: threaded_bridge.runner.pending() == 0, timeout=WAIT_MS)
    shown = pane.test_result.toPlainText()
    assert "second texte" in shown and "premier" not in shown
    assert editor.last_assessment is not None
    assert "Amine Kessaci" not in {m.entry for m in editor.last_assessment.matches}
