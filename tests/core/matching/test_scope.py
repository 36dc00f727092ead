"""The watchlist's scope: topics and keywords count only where the story happens; people and organisations
count anywhere. Items written for these tests, in French and English (none is an eval item)."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.core.matching.matcher import Matcher
from monitor.core.matching.watchlist import (
    Entry,
    Watchlist,
    WatchlistError,
    WatchlistFile,
    dump_watchlist,
    load_default_watchlist,
    loads_watchlist,
)

ENTRIES = (
    Entry(
        "drug trafficking", "topic", aliases=("drug trafficking", "trafic de drogue", "cartel"), weight=4.0
    ),
    Entry("murder", "keyword", aliases=("murder", "meurtre", "tué", "killed"), weight=1.0),
    Entry("Amine Kessaci", "person", aliases=("Amine Kessaci",), weight=6.0),
    Entry("PNACO", "organisation", aliases=("PNACO",), weight=2.0),
    Entry(
        "Port of Antwerp",
        "place",
        aliases=("port of Antwerp", "port d'Anvers"),
        weight=1.0,
        context=("topic",),
    ),
)
SCOPED = Watchlist(ENTRIES, scope=("France", "Port of Antwerp", "Europe"))


@pytest.fixture(scope="module")
def scoped() -> Matcher:
    return Matcher(SCOPED)


@pytest.fixture(scope="module")
def shipped() -> Matcher:
    return Matcher(load_default_watchlist())


def test_drug_violence_located_abroad_does_not_count(scoped: Matcher) -> None:
    found = scoped.assess(
        "Eight killed by cartel gunmen in Culiacán",
        "The attack in the capital of Sinaloa, Mexico, is the latest in a drug trafficking feud.",
    )
    assert not found.highlighted and found.score == 0
    assert (
        "out of scope: Culiacán, Sinaloa, Mexico (not counted: drug trafficking, murder)" in found.explanation
    )


def test_the_same_story_at_home_counts(scoped: Matcher) -> None:
    found = scoped.assess("Trafic de drogue : un homme tué à Nîmes", "Le parquet a ouvert une enquête.")
    assert found.highlighted
    assert "scope" not in found.explanation


def test_an_item_that_names_no_place_is_in_scope(scoped: Matcher) -> None:
    assert scoped.assess("Drug trafficking networks hire teenagers online").highlighted


def test_a_place_of_the_scope_wins_over_places_abroad(scoped: Matcher) -> None:
    # mixed: the cocaine comes from Ecuador, the seizure is in France
    assert scoped.assess("Cartel cocaine from Guayaquil, Ecuador, seized in Le Havre").highlighted
    # a place entry named in the scope: the port of Antwerp, with a Colombian cartel
    assert scoped.assess(
        "Colombian cartel shipment found at the port of Antwerp", "Bogotá reacts."
    ).highlighted


def test_watched_people_and_organisations_count_abroad(scoped: Matcher) -> None:
    # a core figure abroad counts whatever the subject
    figure = scoped.assess(
        "Amine Kessaci à Bogotá", "Le militant rencontre des familles de victimes en Colombie."
    )
    assert figure.highlighted
    # a watched organisation brings the topic back into scope
    found = scoped.assess(
        "PNACO and Colombian prosecutors team up on drug trafficking", "Magistrates met in Bogotá, Colombia."
    )
    assert found.highlighted and {m.entry for m in found.matches} == {"PNACO", "drug trafficking"}


def test_a_continent_does_not_outweigh_a_country_named_elsewhere(scoped: Matcher) -> None:
    assert scoped.assess("Drug trafficking: Europe is the new market, police say").highlighted
    found = scoped.assess(
        "Drug trafficking in Sweden: a warning for Europe", "Police in Stockholm count the dead."
    )
    assert not found.highlighted
    assert "out of scope: Sweden, Stockholm" in found.explanation


def test_one_passing_mention_in_the_body_does_not_make_an_item_foreign(scoped: Matcher) -> None:
    found = scoped.assess(
        "Drug trafficking: a new court for organised crime",
        "",
        "The judges will sit from January. Their model is a court created years ago in Italy.",
    )
    assert found.highlighted


def test_a_watchlist_without_a_scope_watches_the_whole_world() -> None:
    unscoped = Matcher(Watchlist(ENTRIES))
    assert unscoped.scope is None
    assert unscoped.assess("Cartel gunmen kill eight in Culiacán, Mexico").highlighted


def test_the_scope_is_read_written_and_fingerprinted() -> None:
    text = dump_watchlist(SCOPED)
    assert '[scope]\nplaces = [\n    "France",' in text or '[scope]\nplaces = ["France"' in text
    assert loads_watchlist(text) == SCOPED
    unscoped = Watchlist(ENTRIES)
    assert SCOPED.fingerprint != unscoped.fingerprint
    assert "[scope]" not in dump_watchlist(unscoped)
    assert SCOPED.with_entry(Entry("cocaine", "topic")).scope == SCOPED.scope
    assert SCOPED.without("murder").scope == SCOPED.scope
    assert SCOPED.with_scope(()).fingerprint == unscoped.fingerprint


def test_a_scope_naming_an_unknown_place_is_an_error_that_names_it() -> None:
    text = dump_watchlist(SCOPED).replace('"Europe"', '"Atlantide du Nord"')
    with pytest.raises(WatchlistError, match="unknown place 'Atlantide du Nord'"):
        loads_watchlist(text, source="watchlist.toml")
    with pytest.raises(WatchlistError, match="'places' must be a list of strings"):
        loads_watchlist('version = 1\n[scope]\nplaces = "France"\n')
    with pytest.raises(WatchlistError, match="unknown field"):
        loads_watchlist('version = 1\n[scope]\ncountries = ["France"]\n')


def test_the_last_good_watchlist_stays_when_the_scope_is_wrong(tmp_path: Path) -> None:
    path = tmp_path / "watchlist.toml"
    path.write_text(dump_watchlist(SCOPED), encoding="utf-8")
    file = WatchlistFile(path)
    good = file.load()
    path.write_text(dump_watchlist(SCOPED).replace('"Europe"', '"Nowhereland"'), encoding="utf-8")
    assert not file.reload_if_changed()
    assert file.current == good
    assert file.last_error is not None and "Nowhereland" in file.last_error


# -- the shipped watchlist, on items of the kinds the issue names ------------------------------------------------


@pytest.mark.parametrize(
    ("title", "summary"),
    [
        (
            "Mexique : un maire assassiné par un cartel dans l'État de Guerrero",
            "L'élu dénonçait le trafic de drogue ; il a été abattu devant sa maison à Chilpancingo.",
        ),
        (
            "Ecuador declares a state of emergency after prison riot in Guayaquil",
            "Gang members linked to drug trafficking killed at least fifteen inmates, officials said.",
        ),
        (
            "Colombie : record de production de cocaïne",
            "Les surfaces de coca ont encore progressé, selon l'ONU, qui s'inquiète des trafiquants.",
        ),
        (
            "Sweden's government deploys the army against gang shootings",
            "Police in Uppsala and Stockholm blame drug trafficking networks for a record year of gunfire.",
        ),
        (
            "US: fentanyl traffickers charged in Chicago",
            "Federal prosecutors in Illinois say the drug trafficking ring moved millions of pills.",
        ),
    ],
)
def test_the_shipped_scope_sets_drug_violence_abroad_aside(
    shipped: Matcher, title: str, summary: str
) -> None:
    found = shipped.assess(title, summary)
    assert not found.highlighted, found.explanation
    assert "out of scope:" in found.explanation


@pytest.mark.parametrize(
    ("title", "summary", "highlighted"),
    [
        # drug violence in France
        (
            "Marseille : un narchomicide de plus dans les quartiers nord",
            "Un homme de 19 ans a été tué par balles près d'un point de deal.",
            True,
        ),
        ("Shooting near a Nîmes drug-dealing spot leaves one dead", "Police suspect a turf war.", True),
        # crime in Marseille with no drug link
        (
            "Marseille : un cambriolage dans une bijouterie du Vieux-Port",
            "Les voleurs ont pris la fuite.",
            False,
        ),
        # ministers on other subjects
        ("Gérald Darmanin défend la réforme des cours d'assises", "Le ministre répond aux avocats.", False),
        (
            "Laurent Nuñez on the Christmas markets' security",
            "The interior minister asks for vigilance.",
            False,
        ),
        # a small French town and a foreign origin
        (
            "Cocaine found in banana boxes at Rungis",
            "Police suspect a drug trafficking network from Ecuador.",
            True,
        ),
        # a core figure abroad
        (
            "Amine Kessaci reçu à Madrid par des associations espagnoles",
            "Il a raconté la mort de ses frères.",
            True,
        ),
    ],
)
def test_the_shipped_list_on_items_at_home(
    shipped: Matcher, title: str, summary: str, highlighted: bool
) -> None:
    assert shipped.assess(title, summary).highlighted is highlighted


def test_a_scoped_matcher_judges_alike_in_a_worker_process(shipped: Matcher) -> None:
    # polls and re-scores pickle the matcher to their worker processes, which build the gazetteer again
    import pickle

    copy = pickle.loads(pickle.dumps(shipped))
    for title in ("Eight killed by cartel gunmen in Culiacán", "Marseille : un narchomicide à la Castellane"):
        assert copy.assess(title, "Drug trafficking feud.") == shipped.assess(title, "Drug trafficking feud.")


def test_a_place_entry_in_the_scope_puts_its_aliases_in_scope(shipped: Matcher) -> None:
    # the shipped scope names the place entry "Gulf safe havens": a trafficker arrested in Dubai is the story
    found = shipped.assess("Un narcotrafiquant arrêté à Dubaï", "Il dirigeait un réseau de trafic de drogue.")
    assert found.highlighted
    assert "scope" not in found.explanation


def test_places_inside_a_place_entry_the_gazetteer_does_not_know_still_count() -> None:
    entries = (
        *ENTRIES,
        Entry("northern estates", "place", aliases=("northern estates of Nîmes",), weight=1.0),
    )
    matcher = Matcher(Watchlist(entries, scope=("France",)))
    found = matcher.assess(
        "Drug trafficking: resin from Spain seized", "It was bound for the northern estates of Nîmes."
    )
    assert found.highlighted, found.explanation
