"""Scope changes proposed from the analyst's judgements: a place of the scope taken out of it, a scope added to
a watchlist without one, a place a relevant article was set aside for put in it; each effect counted exactly
against an independent re-assessment of every stored article, applied by writing the watchlist file."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.cli import main
from monitor.core.learning.changes import Change, candidate_changes
from monitor.core.learning.effect import effects
from monitor.core.learning.proposal import judged_articles
from monitor.core.matching.watchlist import load_watchlist
from monitor.core.service import VigieCore
from monitor.paths import AppPaths
from tests.core.learning.corpus import ITEMS, WATCHLIST, add_items, use_watchlist

# The constructed items, with drug violence in Belgium: a killing in Brussels and a lab bust near Liège.
BELGIAN = {
    **ITEMS,
    "brussels": (
        "Bruxelles : un meurtre sur fond de trafic de drogue à Anderlecht",
        "La police enquête sur un règlement de comptes entre deux réseaux de la capitale.",
    ),
    "liege_lab": (
        "Drug trafficking gang behind a murder in Liège, Belgian police say",
        "Officers in Belgium dismantled the network's cocaine lab on the outskirts of the city.",
    ),
    "le_havre": (
        "Le Havre : un réseau de trafic de drogue démantelé sur le port",
        "Les douaniers ont saisi deux tonnes de cocaïne dans un conteneur.",
    ),
}


def _scoped(*places: str) -> str:
    listed = ", ".join(f'"{p}"' for p in places)
    return WATCHLIST.replace("version = 1\n", f"version = 1\n\n[scope]\nplaces = [{listed}]\n")


@pytest.fixture
def core(data_dir: Path):  # type: ignore[no-untyped-def]
    vigie = VigieCore(AppPaths.resolve(data_dir))
    yield vigie
    vigie.close()


def _scope_changes(core: VigieCore) -> list[Change]:
    judged = judged_articles(core.store, core.matcher)
    return [c for c in candidate_changes(core.watchlist, core._build_matcher, judged) if c.kind == "scope"]


def _assert_effects_exact(core: VigieCore, changes: list[Change]) -> None:
    """Each change's effect (with its trigger words) equals re-assessing every stored article with it."""
    matchers = [core._build_matcher(c.watchlist) for c in changes]
    _, found = effects(core.store, core.matcher, matchers, [c.triggers for c in changes], workers=0)
    articles = core.store.conn.execute(
        "SELECT id, title, summary, content, judgement FROM articles"
    ).fetchall()
    for matcher, effect in zip(matchers, found, strict=True):
        turned_on, turned_off, judged_flipped = set(), set(), set()
        for i, title, summary, content, judgement in articles:
            before = core.matcher.assess(title, summary, content).highlighted
            after = matcher.assess(title, summary, content).highlighted
            if before == after:
                continue
            if judgement:
                judged_flipped.add(i)
            else:
                (turned_on if after else turned_off).add(i)
        assert set(effect.added) == turned_on
        assert set(effect.removed) == turned_off
        assert {*effect.fixed, *effect.broken} == judged_flipped


def test_a_false_positive_a_scope_place_let_in_takes_that_place_out_of_the_scope(core: VigieCore) -> None:
    use_watchlist(core, _scoped("France", "Belgium"))
    ids = add_items(core, tuple(BELGIAN), BELGIAN)
    assert core.store.article(ids["liege_lab"]).highlighted  # type: ignore[union-attr]
    core.judge(ids["liege_lab"], "not-relevant")
    core.judge(ids["le_havre"], "relevant")  # drug trafficking alone, in France: it must keep counting
    changes = _scope_changes(core)
    assert [c.description for c in changes] == ["take Belgium out of the scope"]
    assert changes[0].watchlist.scope == ("France",)
    _assert_effects_exact(core, changes)
    proposal = core.propose_watchlist_change()
    assert proposal.change is not None and proposal.change.kind == "scope", proposal.headline
    assert proposal.headline == "Proposed change: take Belgium out of the scope."
    assert [a.id for a in proposal.fixed] == [ids["liege_lab"]] and not proposal.broken
    # The Brussels killing, not judged, loses its highlight too; the Marseille ones keep theirs.
    assert [a.id for a in proposal.removed] == [ids["brussels"]] and not proposal.added
    assert not core.apply_proposal(proposal)
    assert core.watchlist.scope == ("France",)
    assert not core.store.article(ids["brussels"]).highlighted  # type: ignore[union-attr]
    assert core.store.article(ids["marseille_fr"]).highlighted  # type: ignore[union-attr]


def test_a_false_negative_set_aside_as_out_of_scope_puts_its_place_in_the_scope(core: VigieCore) -> None:
    use_watchlist(core, _scoped("France"))
    ids = add_items(core, tuple(BELGIAN), BELGIAN)
    article = core.store.article(ids["brussels"])
    assert article is not None and not article.highlighted
    core.judge(ids["brussels"], "relevant")
    changes = _scope_changes(core)
    described = [c.description for c in changes]
    assert "add Belgium to the scope" in described and "add Bruxelles to the scope" in described
    _assert_effects_exact(core, changes)
    by_description = {c.description: c for c in changes}
    assert by_description["add Belgium to the scope"].watchlist.scope == ("France", "Belgium")
    proposal = core.propose_watchlist_change()
    assert proposal.change is not None and [a.id for a in proposal.fixed] == [ids["brussels"]]
    # Belgium would also highlight the Liège lab bust; the city alone changes no other highlight.
    assert proposal.change.description == "add Bruxelles to the scope"
    assert not proposal.added and not proposal.removed


def test_a_watchlist_without_a_scope_is_offered_one_from_the_countries_judged_relevant(
    core: VigieCore,
) -> None:
    use_watchlist(core)
    ids = add_items(core, tuple(BELGIAN), BELGIAN)
    for key in ("mexico", "ecuador", "liege_lab"):
        core.judge(ids[key], "not-relevant")
    core.judge(ids["marseille_murder"], "relevant")
    changes = _scope_changes(core)
    assert changes and changes[0].watchlist.scope == ("France",)
    assert changes[0].description == "add a scope: France (topics and keywords count only there)"
    _assert_effects_exact(core, changes)
    proposal = core.propose_watchlist_change()
    # Nothing but a scope fixes all three judged articles abroad without losing a Marseille killing.
    assert proposal.change is not None and proposal.change.kind == "scope", proposal.headline
    assert {a.id for a in proposal.fixed} == {ids["mexico"], ids["ecuador"], ids["liege_lab"]}
    assert [a.id for a in proposal.removed] == [ids["brussels"]] and not proposal.broken


def test_no_scope_change_is_drawn_without_topics_or_keywords(core: VigieCore) -> None:
    use_watchlist(core, '[[entry]]\nname = "Amine Kessaci"\nkind = "person"\nweight = 6.0\n')
    ids = add_items(core, tuple(BELGIAN), BELGIAN)
    core.judge(ids["marseille_murder"], "relevant")
    assert not _scope_changes(core)


def test_the_cli_shows_the_scope_change_and_applies_it_to_the_watchlist_file(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    vigie = VigieCore(AppPaths.resolve(data_dir))
    use_watchlist(vigie, _scoped("France"))
    ids = add_items(vigie, ("brussels", "marseille_fr"), BELGIAN)
    vigie.judge(ids["brussels"], "relevant")
    vigie.close()
    assert main(["watchlist", "propose"]) == 0
    out = capsys.readouterr().out
    # Without the Liège lab bust, the country and the city change the same highlights: the weightiest is shown.
    assert out.startswith("Proposed change: add Belgium to the scope.")
    assert f"[{ids['brussels']}] {BELGIAN['brussels'][0]}" in out
    assert main(["watchlist", "propose", "--apply"]) == 0
    assert "0 judged articles still disagree" in capsys.readouterr().out
    assert load_watchlist(data_dir / "watchlist.toml").scope == ("France", "Belgium")
