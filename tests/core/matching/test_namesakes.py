"""Namesakes: a bare surname or first name is the watched figure only with the full name or the story around
it; someone else who shares it is not, and the explanation says why. Items written for these tests."""

from __future__ import annotations

import pytest

from monitor.core.matching.matcher import Matcher
from monitor.core.matching.namesakes import Namesakes
from monitor.core.matching.watchlist import Entry, Watchlist, load_default_watchlist

ENTRIES = (
    Entry("Nicolas Bessone", "person", aliases=("Nicolas Bessone", "Bessone"), weight=5.0),
    Entry("Mohamed Amra", "person", aliases=("Mohamed Amra", "Amra"), weight=5.0),
    Entry("Socayna", "person", aliases=("Socayna",), weight=5.0),
    Entry("drug trafficking", "topic", aliases=("drug trafficking", "trafic de drogue"), weight=4.0),
    Entry("murder", "keyword", aliases=("murder", "meurtre"), weight=1.0),
)


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(Watchlist(ENTRIES))


def test_bare_names_come_from_the_aliases_not_from_a_list() -> None:
    names = Namesakes(ENTRIES)
    assert names.bare == {"Nicolas Bessone": {"bessone"}, "Mohamed Amra": {"amra"}}
    assert "Socayna" not in names.bare  # a single name with no longer form is the person
    shipped = Namesakes(load_default_watchlist().entries)
    assert "kessaci" in shipped.bare["Kessaci (surname)"]
    assert "le pen" in shipped.bare["Marine Le Pen"]


def test_the_bare_name_counts_after_the_full_name(matcher: Matcher) -> None:
    found = matcher.assess("Nicolas Bessone fait le point", "Bessone a répondu aux questions des élus.")
    assert found.highlighted
    assert [m.text for m in found.matches] == ["Nicolas Bessone", "Bessone"]


def test_the_bare_name_counts_with_the_storys_context(matcher: Matcher) -> None:
    found = matcher.assess("Amra's lawyers ask for more time", "The murder trial is due in the spring.")
    assert found.highlighted
    assert "Mohamed Amra" in {m.entry for m in found.matches}


def test_the_bare_name_alone_does_not_count_and_says_why(matcher: Matcher) -> None:
    found = matcher.assess(
        "Le procureur Bessone inaugure le nouveau tribunal", "Une cérémonie a eu lieu lundi."
    )
    assert not found.highlighted and found.score == 0
    assert (
        "'Bessone' alone is not Nicolas Bessone without the full name (Nicolas Bessone) or the story's context"
        in found.explanation
    )


@pytest.mark.parametrize(
    ("title", "other"),
    [
        ("Cyclisme : Paolo Bessone remporte l'étape au sprint", "Paolo Bessone"),
        ("Handball: Amra Hodžić scores ten goals in the final of the cup", "Amra Hodžić"),
        ("Le rappeur Kamel Amra sort un album sur le trafic de drogue", "Kamel Amra"),
    ],
)
def test_someone_else_who_shares_the_name_is_not_the_figure(matcher: Matcher, title: str, other: str) -> None:
    found = matcher.assess(title)
    assert not any(m.entry in ("Nicolas Bessone", "Mohamed Amra") for m in found.matches)
    assert f"'{other}' is someone else" in found.explanation


def test_a_title_or_a_cue_before_the_name_is_not_another_first_name(matcher: Matcher) -> None:
    for text in (
        "Marseille prosecutor Bessone said the murder was a warning.",
        "Selon le procureur Bessone, ce meurtre est un avertissement.",
    ):
        found = matcher.assess("", text)
        assert "Nicolas Bessone" in {m.entry for m in found.matches}, found.explanation


def test_title_case_headlines_say_nothing_about_first_names(matcher: Matcher) -> None:
    found = matcher.assess("Prosecutor Bessone Opens Murder Inquiry Into Gang Killing")
    assert "someone else" not in found.explanation
    assert "Nicolas Bessone" in {m.entry for m in found.matches}


def test_the_shipped_list_keeps_lina_kessaci_apart() -> None:
    found = Matcher(load_default_watchlist()).assess(
        "Lina Kessaci, chercheuse lilloise, primée",
        "Elle a été assassinée... par les critiques, sourit-elle.",
    )
    assert not found.highlighted
    assert "'Lina Kessaci' is someone else, not Kessaci (surname)" in found.explanation
