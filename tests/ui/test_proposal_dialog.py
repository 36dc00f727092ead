"""Watchlist ▸ Propose a watchlist change…: computed on the runner with progress, lists that open articles,
Apply, then the judged articles that still disagree; nothing of it on the GUI thread."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from monitor.core.service import VigieCore
from monitor.ui.proposal_dialog import ProposalDialog
from tests.core.learning.corpus import add_items, use_watchlist
from tests.ui.conftest import GuiThreadGuard, Wiring, settle


@pytest.fixture
def core(guarded_core: VigieCore, guard: GuiThreadGuard) -> VigieCore:
    guard.armed = False
    use_watchlist(guarded_core)
    guard.wrap(guarded_core, "propose_watchlist_change", "propose_watchlist_change")
    guard.wrap(guarded_core, "apply_proposal", "apply_proposal")
    guard.armed = True
    return guarded_core


def test_propose_open_apply_and_what_still_disagrees(  # type: ignore[no-untyped-def]
    qtbot, wired: Wiring, guard: GuiThreadGuard, monkeypatch
) -> None:
    window = wired.window
    guard.armed = False
    ids = add_items(window.core)
    window.core.judge(ids["mexico"], "not-relevant")
    window.core.judge(ids["narchomicide"], "relevant")
    saved = window.core.paths.watchlist.read_text(encoding="utf-8")
    guard.armed = True
    window.reload_list()
    settle(qtbot, window)
    progress: list[tuple[int, int]] = []
    work_progress = window.status.work_progress
    monkeypatch.setattr(
        window.status,
        "work_progress",
        lambda what, d, t: (progress.append((d, t)), work_progress(what, d, t)),
    )

    window.act_propose.trigger()
    dialog = window.findChild(ProposalDialog)
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.proposal is not None, timeout=20000)
    proposal = dialog.proposal
    assert proposal is not None and proposal.change is not None
    assert dialog.headline.text() == proposal.headline and dialog.apply_button.isEnabled()
    assert progress and progress[-1][0] == progress[-1][1] == proposal.articles
    assert not window.status.progress.isVisible()
    tabs = [dialog.lists.tabText(i) for i in range(dialog.lists.count())]
    assert tabs[0].startswith("Highlights added (") and tabs[2] == "Judged: fixed (1)"
    fixed_id = proposal.fixed[0].id
    assert dialog.fixed.item(0).data(Qt.ItemDataRole.UserRole) == fixed_id

    dialog.lists.setCurrentWidget(dialog.fixed)
    dialog.fixed.setCurrentRow(0)
    dialog.fixed.setFocus()
    with qtbot.waitSignal(
        window.articles.article_shown, check_params_cb=lambda shown: shown == fixed_id, timeout=10000
    ):
        qtbot.keyClick(dialog.fixed, Qt.Key.Key_Return)
    assert (
        dialog.proposal is proposal and dialog.apply_button.isEnabled()
    )  # Enter opened it, and applied nothing

    dialog.apply_button.click()
    qtbot.waitUntil(lambda: dialog.headline.text().startswith("Applied: "), timeout=20000)
    settle(qtbot, window)
    other = ({ids["mexico"], ids["narchomicide"]} - {fixed_id}).pop()
    assert "1 judged articles still disagree" in dialog.headline.text()
    assert dialog.lists.count() == 1 and dialog.lists.tabText(0) == "Judged articles that still disagree (1)"
    assert dialog.disagreeing.item(0).data(Qt.ItemDataRole.UserRole) == other
    assert dialog.again_button.isEnabled() and not dialog.apply_button.isEnabled()

    dialog.again_button.click()  # the next change, for the article left
    qtbot.waitUntil(lambda: dialog.proposal is not None, timeout=20000)
    assert dialog.proposal.change is not None and [a.id for a in dialog.proposal.fixed] == [other]
    dialog.apply_button.click()
    qtbot.waitUntil(lambda: "now agrees with every judged article" in dialog.headline.text(), timeout=20000)
    settle(qtbot, window)
    assert guard.calls == []
    guard.armed = False
    assert window.core.paths.watchlist.read_text(encoding="utf-8") != saved
    assert window.core.judged_disagreements() == ()


def test_with_nothing_judged_the_dialog_says_so_and_offers_nothing_to_apply(  # type: ignore[no-untyped-def]
    qtbot, wired: Wiring, guard: GuiThreadGuard
) -> None:
    window = wired.window
    window.act_propose.trigger()
    dialog = window.findChild(ProposalDialog)
    qtbot.waitUntil(lambda: dialog.proposal is not None, timeout=20000)
    assert dialog.headline.text().startswith("No article is judged yet")
    assert not dialog.apply_button.isEnabled()
    assert dialog.lists.tabText(0) == "Judged articles it disagrees with (0)"
    settle(qtbot, window)
    assert guard.calls == []
