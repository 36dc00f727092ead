"""The watchlist change proposed from the analyst's judgements: constructed false positives and negatives, the
effect counted exactly (against the re-score that applying it runs), apply until nothing is left, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.core.learning.proposal import propose
from monitor.core.service import VigieCore
from monitor.paths import AppPaths
from tests.conftest import ServedFeed, serve_feed
from tests.core.learning.corpus import ITEMS, WATCHLIST, add_items, rss, use_watchlist


@pytest.fixture
def core(data_dir: Path):  # type: ignore[no-untyped-def]
    vigie = VigieCore(AppPaths.resolve(data_dir))
    use_watchlist(vigie)
    yield vigie
    vigie.close()


def _highlights(core: VigieCore) -> dict[int, tuple[bool, str | None]]:
    """Every stored article's visible highlight and judgement."""
    rows = core.store.conn.execute("SELECT id, highlighted, judgement FROM articles").fetchall()
    return {int(i): (bool(h), j) for i, h, j in rows}


def test_without_judgements_or_disagreements_there_is_nothing_to_propose(core: VigieCore) -> None:
    ids = add_items(core)
    proposal = core.propose_watchlist_change()
    assert proposal.change is None and proposal.judged == 0
    assert "No article is judged yet" in proposal.headline
    core.judge(ids["marseille_murder"], "relevant")  # the watchlist agrees
    proposal = core.propose_watchlist_change()
    assert proposal.change is None and not proposal.disagreements
    assert "already agrees with all 1 judged" in proposal.headline


def test_a_false_positive_abroad_is_fixed_without_losing_the_judged_marseille_killing(
    core: VigieCore,
) -> None:
    ids = add_items(core)
    assert core.store.article(ids["mexico"]).highlighted  # type: ignore[union-attr]
    core.judge(ids["mexico"], "not-relevant")
    core.judge(ids["marseille_murder"], "relevant")
    proposal = core.propose_watchlist_change()
    assert proposal.change is not None, proposal.headline
    assert [d.id for d in proposal.disagreements] == [ids["mexico"]]
    assert [a.id for a in proposal.fixed] == [ids["mexico"]] and not proposal.broken
    assert proposal.change.kind in ("weight", "context")
    assert ids["marseille_fr"] not in {
        a.id for a in proposal.removed
    }  # a Marseille killing stays highlighted
    assert not core.apply_proposal(proposal)
    assert core.store.article(ids["marseille_fr"]).highlighted  # type: ignore[union-attr]
    again = core.propose_watchlist_change()
    assert again.change is None and "already agrees" in again.headline


def test_a_false_negative_is_fixed_by_a_name_rather_than_by_highlighting_all_of_marseille(
    core: VigieCore,
) -> None:
    ids = add_items(core)
    core.judge(ids["narchomicide"], "relevant")
    proposal = core.propose_watchlist_change()
    assert proposal.change is not None, proposal.headline
    assert [a.id for a in proposal.fixed] == [ids["narchomicide"]]
    # Raising the weight of "Marseille" would fix it too, and highlight the metro, the Mucem and the football.
    assert proposal.change.kind in ("alias", "entry")
    assert "DZ Mafia" in proposal.change.description
    plain = {ids[k] for k in ("metro", "mucem", "football", "weather")}
    assert not plain & {a.id for a in proposal.added}
    assert proposal.weighed > 1  # the weight of Marseille was weighed, and lost


def test_a_spelling_the_watchlist_misses_is_drawn_as_an_alias_and_weighed_against_a_new_entry(
    core: VigieCore,
) -> None:
    from monitor.core.learning.changes import candidate_changes
    from monitor.core.learning.proposal import judged_articles

    use_watchlist(core, WATCHLIST + '\n[[entry]]\nname = "Mohamed Amra"\nkind = "person"\nweight = 6.0\n')
    ids = add_items(core)
    assert not core.store.article(ids["amra"]).highlighted  # type: ignore[union-attr]
    core.judge(ids["amra"], "relevant")
    drawn = candidate_changes(core.watchlist, core._build_matcher, judged_articles(core.store, core.matcher))
    alias = [c for c in drawn if c.kind == "alias"]
    assert [c.description for c in alias] == ["add 'Mohammed Amra' as an alias of 'Mohamed Amra'"]
    proposal = core.propose_watchlist_change()
    assert proposal.change is not None and [a.id for a in proposal.fixed] == [ids["amra"]]
    # The alias (weight 6) would also highlight the trial that names him; a new entry weighted just enough for
    # the judged article changes no other highlight, so it is the one proposed.
    assert proposal.change.kind == "entry" and "'Mohammed Amra'" in proposal.change.description
    assert not proposal.added and not proposal.removed


def test_the_effect_is_exactly_what_the_re_score_of_applying_it_does(core: VigieCore) -> None:
    ids = add_items(core)
    core.judge(ids["mexico"], "not-relevant")
    core.judge(ids["narchomicide"], "relevant")
    core.judge(ids["marseille_murder"], "relevant")
    for _ in range(4):  # apply proposals until none is left, checking each against the re-score it runs
        proposal = core.propose_watchlist_change()
        if proposal.change is None:
            break
        before_disagreeing = {d.id for d in proposal.disagreements}
        before = _highlights(core)
        scores = dict(
            core.store.conn.execute("SELECT id, score >= ? FROM articles", (core.matcher.threshold,))
        )
        left = core.apply_proposal(proposal)
        after = _highlights(core)
        assert set(after) == set(before) and proposal.articles == len(after)
        turned_on = {
            i for i, (shown, judged) in after.items() if judged is None and shown and not before[i][0]
        }
        turned_off = {
            i for i, (shown, judged) in after.items() if judged is None and not shown and before[i][0]
        }
        assert {a.id for a in proposal.added} == turned_on
        assert {a.id for a in proposal.removed} == turned_off
        new_scores = dict(
            core.store.conn.execute("SELECT id, score >= ? FROM articles", (core.matcher.threshold,))
        )
        judged = {i for i, (_, j) in after.items() if j}
        flipped = {i for i in judged if scores[i] != new_scores[i]}
        assert flipped == {a.id for a in (*proposal.fixed, *proposal.broken)}
        expected_left = (before_disagreeing - {a.id for a in proposal.fixed}) | {
            a.id for a in proposal.broken
        }
        assert {d.id for d in left} == expected_left
    else:
        pytest.fail("proposals never ran out")
    assert not core.judged_disagreements()


def test_worker_processes_weigh_the_changes_alike(core: VigieCore) -> None:
    ids = add_items(core)
    core.judge(ids["mexico"], "not-relevant")
    core.judge(ids["narchomicide"], "relevant")
    here = propose(core.store, core.watchlist, core._build_matcher, workers=0)
    apart = propose(core.store, core.watchlist, core._build_matcher, workers=2)
    assert here == apart and here.change is not None


def test_applying_a_proposal_made_from_another_watchlist_is_refused(core: VigieCore) -> None:
    ids = add_items(core)
    core.judge(ids["mexico"], "not-relevant")
    proposal = core.propose_watchlist_change()
    use_watchlist(core, WATCHLIST.replace("weight = 6.0", "weight = 5.0"))
    with pytest.raises(Exception, match="the watchlist changed since this proposal was made"):
        core.apply_proposal(proposal)


def test_the_cli_proposes_applies_and_then_has_nothing_left(  # type: ignore[no-untyped-def]
    data_dir: Path, tmp_path: Path, httpserver, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["watchlist", "propose"]) == 0
    assert "No article is judged yet" in capsys.readouterr().out
    listed = tmp_path / "constructed.toml"
    listed.write_text(WATCHLIST, encoding="utf-8")
    assert main(["watchlist", "import", str(listed)]) == 0
    url = serve_feed(httpserver, "/constructed.xml", ServedFeed(rss()))
    assert main(["feeds", "add", url]) == 0
    assert main(["poll"]) == 0
    capsys.readouterr()
    assert main(["articles", "export"]) == 0
    ids = {
        r["link"].rsplit("/", 1)[1]: r["id"]
        for r in map(json.loads, capsys.readouterr().out.splitlines())
        if r["source"] != "seed"
    }
    assert set(ids) == set(ITEMS)
    assert main(["articles", "judge", str(ids["mexico"]), "not-relevant"]) == 0
    capsys.readouterr()
    assert main(["watchlist", "propose"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Proposed change: ")
    assert "It fixes 1 of the 1 judged articles" in out
    assert f"[{ids['mexico']}] {ITEMS['mexico'][0]}" in out
    assert "Apply it with `vigie watchlist propose --apply`." in out
    saved = (data_dir / "watchlist.toml").read_text(encoding="utf-8")
    assert main(["watchlist", "propose", "--apply"]) == 0
    out = capsys.readouterr().out
    assert (
        "Applied: the watchlist is saved and every article re-scored. 0 judged articles still disagree."
        in out
    )
    assert (data_dir / "watchlist.toml").read_text(encoding="utf-8") != saved
    assert main(["watchlist", "propose"]) == 0
    assert "already agrees with all 1 judged articles: nothing to propose" in capsys.readouterr().out


def test_the_cli_refuses_a_broken_profile_in_words(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "vigie.sqlite3").write_bytes(b"this is not a database" * 100)
    assert main(["watchlist", "propose"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("vigie: error: cannot open the Vigie data folder") and err.count("\n") == 1


def test_weighing_only_the_changes_that_fix_the_most_picks_what_weighing_them_all_would(
    core: VigieCore,
) -> None:
    from monitor.core.learning.changes import candidate_changes
    from monitor.core.learning.effect import effects
    from monitor.core.learning.proposal import _best, judged_articles

    ids = add_items(core)
    for key, judgement in (("mexico", "not-relevant"), ("ecuador", "relevant"), ("narchomicide", "relevant")):
        core.judge(ids[key], judgement)
    judged = judged_articles(core.store, core.matcher)
    every = candidate_changes(core.watchlist, core._build_matcher, judged)
    _, found = effects(
        core.store,
        core.matcher,
        [core._build_matcher(c.watchlist) for c in every],
        [c.triggers for c in every],
    )
    best = _best(every, found)
    proposal = core.propose_watchlist_change()
    assert best is not None and proposal.change is not None
    assert proposal.change.watchlist == every[best].watchlist
    assert proposal.weighed == len(every)
    assert {a.id for a in proposal.added} == set(found[best].added)
    assert {a.id for a in proposal.removed} == set(found[best].removed)


def test_the_trigger_words_skip_only_articles_that_no_change_affects(core: VigieCore) -> None:
    """Each drawn change's effect, with its trigger words, equals re-assessing every article with it."""
    from monitor.core.learning.changes import candidate_changes
    from monitor.core.learning.effect import effects
    from monitor.core.learning.proposal import judged_articles

    use_watchlist(core, WATCHLIST + '\n[[entry]]\nname = "Mohamed Amra"\nkind = "person"\nweight = 6.0\n')
    ids = add_items(core)
    for key, judgement in (("mexico", "not-relevant"), ("amra", "relevant"), ("narchomicide", "relevant")):
        core.judge(ids[key], judgement)
    drawn = candidate_changes(core.watchlist, core._build_matcher, judged_articles(core.store, core.matcher))
    matchers = [core._build_matcher(c.watchlist) for c in drawn]
    _, found = effects(core.store, core.matcher, matchers, [c.triggers for c in drawn])
    articles = core.store.conn.execute("SELECT id, title, summary, content FROM articles").fetchall()
    assert len(drawn) >= 5
    for matcher, effect in zip(matchers, found, strict=True):
        flipped = {
            i
            for i, title, summary, content in articles
            if matcher.assess(title, summary, content).highlighted
            != core.matcher.assess(title, summary, content).highlighted
        }
        assert flipped == {*effect.added, *effect.removed, *effect.fixed, *effect.broken}
