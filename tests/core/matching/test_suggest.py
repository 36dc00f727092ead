"""Entry suggestions from a corpus: names, kinds, boilerplate ignored, existing entries marked or filtered."""

from __future__ import annotations

import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.core.matching import suggest as suggest_module
from monitor.core.matching.matcher import Matcher
from monitor.core.matching.suggest import Suggestion, nlp_available, suggest_entries
from monitor.core.matching.watchlist import Entry, Watchlist, load_default_watchlist
from monitor.paths import seeds_dir

ARTICLE = """Minister visits Marseille after a new shooting
Interior Minister Laurent Nuñez travelled to Marseille on Friday. According to the prosecutor \
Nicolas Bessone, the victim had no link with the network. Laurent Nuñez met the mayor, Benoît Payan, \
in the town hall.
The activist founded an association called Conscience in 2020; Conscience supports families.
The national organised crime prosecution office (PNACO) will open in January. The PNACO will be led by \
Vanessa Perrée, Mme Perrée said. In Marseille the OFAST and the RAID were deployed, and in \
Aix-en-Provence too.
The Office Central de Lutte Contre la Criminalité Organisée (OCCLCO) is involved, with Marseille-Fos \
port police.
After the funeral, the DZ Mafia was named. However, nobody spoke.
Photo: John Smith / AFP
© Agence Example 2025
You may also like
Read more: Jane Doe on Harbour Politics
Leave a comment
Share your thoughts with Peter Parker in the comments below!
Subscribe to Premium Newsletter Plus
"""


def _by_name(suggestions: list[Suggestion]) -> dict[str, Suggestion]:
    return {s.name: s for s in suggestions}


def test_finds_people_organisations_and_places_with_kinds() -> None:
    found = _by_name(suggest_entries([ARTICLE], use_nlp=False))
    assert found["Laurent Nuñez"].kind_guess == "person"
    assert found["Laurent Nuñez"].count == 2
    assert found["Nicolas Bessone"].kind_guess == "person"
    assert found["Benoît Payan"].kind_guess == "person"
    assert found["Vanessa Perrée"].kind_guess == "person"
    assert found["Conscience"].kind_guess == "organisation"
    assert found["PNACO"].kind_guess == "organisation"
    assert found["OFAST"].kind_guess == "organisation"
    assert found["RAID"].kind_guess == "organisation"
    assert found["DZ Mafia"].kind_guess == "organisation"
    assert found["Marseille"].kind_guess == "place"
    assert found["Aix-en-Provence"].kind_guess == "place"
    assert "Marseille-Fos" in found


def test_acronym_takes_its_long_form_as_an_alias() -> None:
    found = _by_name(suggest_entries([ARTICLE], use_nlp=False))
    assert "Office Central de Lutte Contre la Criminalité Organisée" in found["OCCLCO"].aliases
    assert "Office Central de Lutte Contre la Criminalité Organisée" not in found  # folded into the acronym
    assert any("organised crime prosecution office" in a for a in found["PNACO"].aliases)


def test_titles_and_sentence_openers_are_not_part_of_names() -> None:
    names = set(_by_name(suggest_entries([ARTICLE], use_nlp=False)))
    assert not names & {
        "Interior Minister Laurent Nuñez",
        "Minister",
        "Interior",
        "According",
        "After",
        "However",
        "The PNACO",
        "In Marseille",
        "Mme Perrée",
        "Friday",
        "January",
    }
    assert "Perrée" in names


def test_boilerplate_yields_no_suggestion() -> None:
    names = set(_by_name(suggest_entries([ARTICLE], use_nlp=False)))
    assert not names & {
        "John Smith",
        "AFP",
        "Agence Example",
        "Jane Doe",
        "Harbour Politics",
        "Peter Parker",
        "Premium Newsletter Plus",
        "You",
        "Leave",
        "Share",
        "Subscribe",
        "Read",
    }


def test_caption_credit_after_a_bar_is_ignored() -> None:
    text = (
        "A point of sale in the Maison Blanche district, in Marseille. | Guillaume Origoni / Hans Lucas\n" * 2
    )
    names = set(_by_name(suggest_entries([text], use_nlp=False)))
    assert "Maison Blanche" in names
    assert not names & {"Guillaume Origoni", "Hans Lucas"}


def test_existing_entries_are_filtered_or_marked() -> None:
    existing = Watchlist(
        (
            Entry("Nicolas Bessone", "person", aliases=("Nicolas Bessone", "Bessone")),
            Entry("PNACO", "organisation", aliases=("PNACO", "Pnaco")),
            Entry("Conscience (association)", "organisation", case_sensitive_aliases=("Conscience",)),
        )
    )
    fresh = _by_name(suggest_entries([ARTICLE], existing=existing, use_nlp=False))
    assert not {"Nicolas Bessone", "PNACO", "Conscience"} & set(fresh)
    assert "Laurent Nuñez" in fresh
    marked = _by_name(suggest_entries([ARTICLE], existing=existing, use_nlp=False, include_existing=True))
    assert marked["PNACO"].existing == "PNACO"
    assert marked["Conscience"].existing == "Conscience (association)"
    assert marked["Laurent Nuñez"].existing is None


def test_min_count_limit_and_order() -> None:
    result = suggest_entries([ARTICLE], use_nlp=False, min_count=2)
    assert all(s.count >= 2 for s in result)
    assert [s.count for s in result] == sorted((s.count for s in result), reverse=True)
    assert len(suggest_entries([ARTICLE], use_nlp=False, limit=3)) == 3


def test_suggestion_becomes_an_entry() -> None:
    found = _by_name(suggest_entries([ARTICLE], use_nlp=False))
    entry = found["OCCLCO"].to_entry(weight=3.0)
    assert entry.kind == "organisation" and entry.weight == 3.0
    assert entry.aliases[0] == "OCCLCO"
    assert Matcher(Watchlist((entry,))).find(
        "the Office central de lutte contre la criminalité organisée", "t"
    )


def test_without_spacy_the_heuristic_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(suggest_module, "_nlp_cache", {"nlp": None})
    assert not nlp_available()
    assert suggest_entries([ARTICLE], use_nlp=None) == suggest_entries([ARTICLE], use_nlp=False)
    with pytest.raises(RuntimeError, match="fr_core_news_sm"):
        suggest_entries([ARTICLE], use_nlp=True)


def test_missing_spacy_is_detected_without_crashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(suggest_module, "_nlp_cache", {})
    monkeypatch.setitem(sys.modules, "spacy", None)  # `import spacy` now raises ImportError, installed or not
    assert not nlp_available()
    assert suggest_entries([ARTICLE], use_nlp=None) == suggest_entries([ARTICLE], use_nlp=False)


# -- the heuristic's rules, one constructed text each ----------------------------------------------------------


def _kinds(*texts: str) -> dict[str, str]:
    return {s.name: s.kind_guess for s in suggest_entries(list(texts), use_nlp=False)}


def test_english_connectors_split_two_people_but_stay_inside_an_organisation_name() -> None:
    found = _kinds(
        "The inquiry was led by Jérôme Durain and Etienne Blanc, who questioned several witnesses.",
        "A report was published by the European Monitoring Centre for Drugs and Drug Addiction about ports.",
    )
    assert found == {
        "Jérôme Durain": "person",
        "Etienne Blanc": "person",
        "European Monitoring Centre for Drugs and Drug Addiction": "organisation",
    }


def test_a_title_case_headline_only_confirms_names_found_in_running_text() -> None:
    headline = "Marseille Drug War Escalates In Summer\n"
    assert _kinds(headline + "The police said nothing about it to anyone.") == {}
    assert set(_kinds(headline + "The mayor of Marseille said nothing about it to anyone.")) == {"Marseille"}


def test_capitalised_words_that_open_sentences_or_occur_in_lower_case_are_not_names() -> None:
    assert _kinds("Despite the rain, the march went on. Despite everything, nobody left.") == {}
    assert _kinds("Security was tight. Security guards were everywhere and security was the word.") == {}
    # Inside a sentence too, when every word of it also occurs in lower case.
    assert (
        _kinds("Guards said that the Ports were calm, and the ports stayed calm all week long after.") == {}
    )
    assert (
        _kinds("The report praised Law Enforcement for its work, as law and enforcement matter here.") == {}
    )
    assert _kinds("The report praised Law Enforcement for its work, as the rules matter here.") == {
        "Law Enforcement": "keyword"
    }


def test_a_surname_alone_takes_the_person_evidence_of_the_full_name_it_ends() -> None:
    alone = "Later that day, Kessaci left the room quietly and went home."
    assert _kinds(alone) == {"Kessaci": "keyword"}
    assert _kinds("Witnesses say that Amine Kessaci spoke on Monday.", alone) == {
        "Amine Kessaci": "person",
        "Kessaci": "person",
    }


def test_place_cues_make_places() -> None:
    found = _kinds("Trucks came through the port of Antwerp. Officials met near Rotterdam.")
    assert found == {"Antwerp": "place", "Rotterdam": "place"}


# -- named-entity recognition, when spaCy is there -----------------------------------------------------------


class _Entity:
    def __init__(self, text: str, label: str) -> None:
        self.text, self.label_ = text, label


class _Doc:
    def __init__(self, ents: list[_Entity]) -> None:
        self.ents = ents


class _KnownNames:
    """Stands in for a spaCy pipeline (its `nlp(text).ents` interface) that knows a fixed set of names."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names
        self.sentences: list[str] = []

    def __call__(self, sentence: str) -> _Doc:
        self.sentences.append(sentence)
        return _Doc([_Entity(name, label) for name, label in self.names.items() if name in sentence])


def test_entities_of_the_ner_pipeline_become_candidates_with_their_kind(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A name the heuristic drops (it only opens a sentence) is kept when NER recognises it, with NER's kind."""
    text = "Kessaci a parlé hier devant la commission.\nLeave a comment below about Socayna."
    assert suggest_entries([text], use_nlp=False) == []
    pipeline = _KnownNames({"Kessaci": "PER", "Socayna": "PER"})
    monkeypatch.setattr(suggest_module, "_nlp_cache", {"nlp": pipeline})
    assert nlp_available()
    found = {s.name: s.kind_guess for s in suggest_entries([text], use_nlp=True)}
    assert found == {"Kessaci": "person"}
    # Boilerplate lines never reach the pipeline.
    assert pipeline.sentences == ["Kessaci a parlé hier devant la commission."]


def test_ner_labels_vote_for_the_kind_against_the_heuristic(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "Later that day, Orsini Hall was closed and the visitors went home."
    assert _kinds(text) == {"Orsini Hall": "keyword"}
    monkeypatch.setattr(suggest_module, "_nlp_cache", {"nlp": _KnownNames({"Orsini Hall": "LOC"})})
    found = {s.name: s.kind_guess for s in suggest_entries([text])}
    assert found == {"Orsini Hall": "place"}


def test_with_the_real_french_model_people_and_places_are_recognised() -> None:
    pytest.importorskip("spacy", reason="spaCy is an optional extra (pip install 'vigie[nlp]')")
    if not nlp_available():
        pytest.skip(f"the {suggest_module.NLP_MODEL} model is not installed")
    found = _by_name(
        suggest_entries(
            ["Le maire de Marseille, Benoît Payan, a reçu Amine Kessaci à Marseille."], use_nlp=True
        )
    )
    assert found["Benoît Payan"].kind_guess == "person"
    assert found["Marseille"].kind_guess == "place"


def test_seeds_recover_most_default_people_and_organisations() -> None:
    """Of the default list's people and organisations that the seeds mention, suggest finds at least 85%."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(seeds_dir().glob("0*.txt"))]
    assert len(texts) == 5
    watchlist = load_default_watchlist()
    matcher = Matcher(watchlist)
    mentioned = {m.entry for text in texts for m in matcher.find(text, "content")}
    targets = {e.name for e in watchlist if e.kind in ("person", "organisation") and e.name in mentioned}
    suggestions = suggest_entries(texts, existing=watchlist, use_nlp=False, include_existing=True)
    recovered = targets & {s.existing for s in suggestions}
    assert len(targets) >= 20
    assert len(recovered) / len(targets) >= 0.85, sorted(targets - recovered)
    # Seed boilerplate produces nothing.
    names = {s.name for s in suggestions}
    assert not names & {
        "You",
        "Leave",
        "Reply",
        "Subscribe",
        "Share",
        "Please",
        "European Union",
        "Wikimedia Commons",
        "Hans Lucas",
        "Guillaume Origoni",
        "Attribution",
    }


@pytest.mark.parametrize(
    "text",
    [
        # A one-letter "acronym" after a long form: add() refuses the name, the alias must not make it a candidate.
        "Le Parquet National Financier (P) a ouvert une enquête sur le trafic à Marseille.",
        "The Drug Enforcement Agency (D) said it would look into the port of Antwerp.",
        "Selon la police, Office Anti Stupéfiants (OFAST-) enquête sur le réseau.",
    ],
)
def test_odd_acronyms_in_real_coverage_never_crash(text: str) -> None:
    suggestions = suggest_entries([text, ARTICLE], use_nlp=False)
    assert all(s.name for s in suggestions)
    assert "P" not in {s.name for s in suggestions} and "D" not in {s.name for s in suggestions}


@given(
    st.lists(
        st.sampled_from(
            [
                "Le",
                "Parquet",
                "National",
                "(",
                ")",
                "P",
                "OFAST",
                "-",
                "’",
                "a",
                "dit",
                ".",
                "Amine",
                "Kessaci",
                "l’",
                "(X)",
                "de",
                "Marseille",
                ",",
                "'",
                "É",
            ]
        ),
        max_size=30,
    ).map(" ".join)
)
@settings(max_examples=300, deadline=None)
def test_suggest_never_crashes_whatever_the_text(text: str) -> None:
    for s in suggest_entries([text], use_nlp=False):
        assert s.name and s.count >= 1
