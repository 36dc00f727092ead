"""The matcher: each matching rule on its own, context and scoring, offsets, the default list's behaviour."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.core.matching.folding import fold_key
from monitor.core.matching.matcher import DEFAULT_HIGHLIGHT_THRESHOLD, TITLE_BOOST, Matcher
from monitor.core.matching.watchlist import Entry, Watchlist, load_default_watchlist
from monitor.core.models import Match


def _wl(*entries: Entry) -> Watchlist:
    return Watchlist(tuple(entries))


def _texts(matches: list[Match]) -> list[str]:
    return [m.text for m in matches]


def _entries(matches: list[Match]) -> list[str]:
    return [m.entry for m in matches]


@pytest.fixture(scope="module")
def default() -> Matcher:
    return Matcher(load_default_watchlist())


# -- single rules --------------------------------------------------------------------------------------------


def test_accents_and_case_are_ignored() -> None:
    m = Matcher(_wl(Entry("Laurent Nuñez", "person", aliases=("Nuñez",)), Entry("Benoît", "person")))
    assert _texts(m.find("NUNEZ et Nunez, nuñez; BENOIT et Benoît", "title")) == [
        "NUNEZ",
        "Nunez",
        "nuñez",
        "BENOIT",
        "Benoît",
    ]


def test_whole_words_only() -> None:
    m = Matcher(_wl(Entry("Amra", "person"), Entry("OM", "organisation", aliases=("om",))))
    assert m.find("Camra amras Amra2 amra", "title") == [Match("Amra", "person", "title", 18, 22, "amra")]
    assert _texts(m.find("Tom, om! OMG", "title")) == ["om"]


def test_case_sensitive_aliases_need_the_exact_case() -> None:
    m = Matcher(
        _wl(
            Entry("RAID", "organisation", case_sensitive_aliases=("RAID",)),
            Entry("Conscience", "organisation", case_sensitive_aliases=("Conscience",)),
        )
    )
    assert _texts(m.find("Le RAID et un raid; la Raid", "summary")) == ["RAID"]
    assert _texts(m.find("fondée avec Conscience, pas la conscience", "summary")) == ["Conscience"]


def test_case_sensitive_aliases_still_ignore_accents() -> None:
    m = Matcher(_wl(Entry("Élysée", "place", case_sensitive_aliases=("Élysée",))))
    assert _texts(m.find("à l'Elysee puis à l'élysée", "summary")) == ["Elysee"]


def test_capitalised_word_is_ignored_where_capitals_say_nothing() -> None:
    m = Matcher(_wl(Entry("Conscience", "organisation", case_sensitive_aliases=("Conscience",))))
    assert m.find("Conscience des machines : un colloque", "title") == []
    assert m.find("Un débat. « Conscience » et IA", "summary") == []
    assert m.find("A Crisis Of Conscience For The Left", "title") == []
    assert _texts(m.find("L'association Conscience appelle à marcher", "title")) == ["Conscience"]


def test_french_elisions_and_english_possessives() -> None:
    m = Matcher(
        _wl(Entry("Amine Kessaci", "person", aliases=("Amine", "Kessaci")), Entry("OFDT", "organisation"))
    )
    found = m.find("d'Amine, l’OFDT, qu'Amine, Kessaci's and Kessaci’s book", "summary")
    assert _texts(found) == ["Amine", "OFDT", "Amine", "Kessaci", "Kessaci"]


def test_hyphen_and_space_variants() -> None:
    m = Matcher(
        _wl(Entry("Aix-en-Provence", "place"), Entry("narcotrafic", "topic", aliases=("narco-trafic",)))
    )
    assert _texts(m.find("Aix en Provence, Aix-en-Provence, AIX–EN–PROVENCE", "title")) == [
        "Aix en Provence",
        "Aix-en-Provence",
        "AIX–EN–PROVENCE",
    ]
    assert _texts(m.find("narco-trafic, narco trafic, narcotrafic", "title")) == [
        "narco-trafic",
        "narco trafic",
        "narcotrafic",
    ]


def test_prefixes_match_the_whole_word_from_its_start() -> None:
    m = Matcher(_wl(Entry("narcotrafic", "topic", prefixes=("narcotrafiquant",))))
    assert _texts(m.find("Narcotrafiquants et narcotrafiquant, pas antinarcotrafiquant", "summary")) == [
        "Narcotrafiquants",
        "narcotrafiquant",
    ]


def test_overlapping_hits_resolve_to_the_longest() -> None:
    m = Matcher(
        _wl(
            Entry("Marseille", "place"),
            Entry("Marseille-Fos", "place", aliases=("Marseille-Fos", "Fos")),
            Entry("Fos-sur-Mer", "place"),
        )
    )
    found = m.find("Marseille-Fos et Fos-sur-Mer, puis Marseille", "title")
    assert [(x.entry, x.text) for x in found] == [
        ("Marseille-Fos", "Marseille-Fos"),
        ("Fos-sur-Mer", "Fos-sur-Mer"),
        ("Marseille", "Marseille"),
    ]
    spans = [(x.start, x.end) for x in found]
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))


def test_offsets_are_exact_with_emoji_combining_accents_and_typographic_apostrophes() -> None:
    m = Matcher(
        _wl(
            Entry("Benoît Payan", "person", aliases=("Benoît Payan",)),
            Entry("Amine Kessaci", "person", aliases=("Amine Kessaci",)),
            Entry("Nuñez", "person"),
        )
    )
    title = "🚨🇫🇷 Beno\u0302it Payan et Nun\u0303ez face à l’affaire d’Amine Kessaci’s 😀"
    found = m.find(title, "title")
    assert _texts(found) == ["Beno\u0302it Payan", "Nun\u0303ez", "Amine Kessaci"]
    for x in found:
        assert title[x.start : x.end] == x.text


def test_find_reports_field_and_kind() -> None:
    m = Matcher(_wl(Entry("PNACO", "organisation", aliases=("PNACO", "Pnaco"))))
    assert m.find("Le Pnaco saisi", "summary") == [Match("PNACO", "organisation", "summary", 3, 8, "Pnaco")]


def test_empty_watchlist_and_text() -> None:
    assert Matcher(_wl()).find("anything", "title") == []
    assert Matcher(_wl(Entry("x", "topic"))).assess("", "", "").matches == ()


# -- context and scoring -------------------------------------------------------------------------------------

CONTEXT_WL = _wl(
    Entry("narcotrafic", "topic", prefixes=("narcotrafi",), weight=4.0),
    Entry("Emmanuel Macron", "person", aliases=("Macron",), weight=1.5, context=("topic",)),
    Entry("Marseille", "place", weight=1.0, context=("topic", "keyword")),
    Entry(
        "gang killings", "keyword", aliases=("règlement de comptes",), weight=3.0, context=("topic", "place")
    ),
    Entry("Yoda clan", "organisation", aliases=("Yoda",), weight=4.0, context=("DZ Mafia",)),
    Entry("DZ Mafia", "organisation", weight=5.0),
)


def test_context_unsatisfied_drops_the_entry_from_matches_and_score() -> None:
    a = Matcher(CONTEXT_WL).assess("Macron présente le budget", "Le président veut réduire le déficit.")
    assert a.matches == () and a.score == 0 and not a.highlighted
    assert "Emmanuel Macron" in a.explanation


def test_context_satisfied_by_a_kind() -> None:
    a = Matcher(CONTEXT_WL).assess("Macron contre le narcotrafic", "")
    assert _entries(list(a.matches)) == ["Emmanuel Macron", "narcotrafic"]
    assert a.score == pytest.approx((1.5 + 4.0) * TITLE_BOOST)


def test_context_satisfied_by_a_named_entry() -> None:
    m = Matcher(CONTEXT_WL)
    assert m.assess("Baby Yoda en tête des ventes").matches == ()
    assert _entries(list(m.assess("Le clan Yoda contre la DZ Mafia").matches)) == ["Yoda clan", "DZ Mafia"]


def test_entries_can_support_each_other_but_not_themselves() -> None:
    m = Matcher(CONTEXT_WL)
    # A place and a keyword that each need the other's kind.
    assert _entries(list(m.assess("Règlement de comptes à Marseille").matches)) == [
        "gang killings",
        "Marseille",
    ]
    # A keyword does not satisfy its own kind: the political metaphor alone counts for nothing.
    assert m.assess("Règlement de comptes chez les Républicains").matches == ()


def test_title_hits_count_more_and_repeats_add_little() -> None:
    m = Matcher(_wl(Entry("cocaine", "topic", weight=2.0)))
    once = m.assess("", "cocaine", "").score
    title = m.assess("cocaine", "", "").score
    repeated = m.assess("", "cocaine cocaine cocaine cocaine", "").score
    many = m.assess("", " ".join(["cocaine"] * 200), "").score
    assert title == pytest.approx(once * TITLE_BOOST)
    assert once < repeated < 2 * once
    assert many <= 2 * once


def test_highlight_threshold_and_explanation() -> None:
    m = Matcher(CONTEXT_WL, highlight_threshold=6)
    a = m.assess("Macron et le narcotrafic", "Le narcotrafic et Macron à Marseille", "narcotrafic")
    assert a.highlighted and a.score >= 6
    assert a.explanation.startswith(
        "narcotrafic (title, summary, content) + Emmanuel Macron (title, summary)"
    )
    assert a.explanation.endswith("≥ 6")
    low = m.assess("", "Macron et le narcotrafic")
    assert not low.highlighted and "< 6" in low.explanation
    assert Matcher(CONTEXT_WL).threshold == DEFAULT_HIGHLIGHT_THRESHOLD


def test_explanation_counts_repeated_mentions() -> None:
    a = Matcher(CONTEXT_WL).assess("DZ Mafia", "", "La DZ Mafia. La DZ Mafia.")
    assert a.explanation.startswith("DZ Mafia (title, 2× content) = ")


def test_assess_match_texts_equal_their_field_slices() -> None:
    fields = (
        "Narcotrafic : Macron à Marseille 🚨",
        "Un règlement de comptes à Marseille.",
        "La DZ Mafia et le clan Yoda.",
    )
    a = Matcher(CONTEXT_WL).assess(*fields)
    by_field = dict(zip(("title", "summary", "content"), fields, strict=True))
    assert len(a.matches) == 7
    for x in a.matches:
        assert by_field[x.field][x.start : x.end] == x.text


# -- property: spans and folded aliases ----------------------------------------------------------------------

_ALIASES = ["Amine Kessaci", "Nuñez", "Aix-en-Provence", "l'OFDT", "cœur", "Straße", "PNACO", "d’Amra"]
_NOISE = st.sampled_from([*"abc XYZ éÉ’'-–.,\n", "😀", "e\u0301", "ß", "ﬁ", " de ", "’s "])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_NOISE, st.sampled_from(_ALIASES)), max_size=30).map("".join))
def test_matches_are_inside_the_text_and_fold_to_an_alias(text: str) -> None:
    wl = _wl(*(Entry(f"e{i}", "keyword", aliases=(a,)) for i, a in enumerate(_ALIASES)))
    folded_aliases = {fold_key(a) for a in _ALIASES}
    last_end = 0
    for x in Matcher(wl).find(text, "content"):
        assert 0 <= x.start < x.end <= len(text)
        assert x.start >= last_end
        last_end = x.end
        assert x.text == text[x.start : x.end]
        assert fold_key(x.text) in folded_aliases


# -- the default watchlist -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "summary"),
    [
        (
            "Le RAID intervient à Lyon pour une prise d'otages",
            "L'homme retranché s'est rendu après huit heures.",
        ),
        ("Une mouche dans la soupe : le restaurant condamné", "Le client avait filmé l'insecte."),
        ("Government unveils a four-year plan for hospitals", "The plan covers staffing and beds."),
        ("Port de Marseille : record de croisiéristes", "Plus de deux millions de passagers cette année."),
        ("Macron présente le budget", "Le président veut réduire le déficit public."),
        ("Sarah Kessaci, championne de judo", "La Marseillaise a remporté le titre national."),
        ("Au Panier, le four du boulanger rallumé", "Des miches cuites au bois dès l'aube."),
        ("Règlement de comptes chez Les Républicains", "Les ténors du parti s'écharpent sur la stratégie."),
        ("Narcolepsy: a new drug approved", "The drug reduces daytime sleepiness."),
        ("Conscience professionnelle : les Français et le travail", "Un sondage sur l'engagement."),
        ("The Fly: Cronenberg's classic returns to cinemas", "A 4K restoration."),
        ("Baby Yoda toys top Christmas sales", "Star Wars merchandise dominates."),
        ("Le Havre : le port bat son record de conteneurs", "Le trafic a progressé de 5 %."),
        ("Grenoble : le téléphérique rouvre après travaux", "Les Bulles reprennent du service."),
        ("Drogue : les lycéens fument moins, selon l'OFDT", "L'enquête montre une baisse du cannabis."),
        ("Human traffickers jailed after Channel crossings", "The gang smuggled migrants."),
        ("Hitman 3 gets a new expansion", "The stealth game adds two maps."),
        ("Marseille : shooting photo géant au Mucem", "Des mannequins ont posé sur le J4."),
        ("Les Kessaci, une famille de restaurateurs lyonnais", "Trois générations aux fourneaux."),
        ("Lille computer scientist Lina Kessaci wins a prize", "Her algorithms tune other algorithms."),
        (
            "Incarville : la fête du village attire un millier de visiteurs",
            "Une brocante et un feu d'artifice.",
        ),
    ],
)
def test_default_list_ignores_hard_negatives(default: Matcher, title: str, summary: str) -> None:
    a = default.assess(title, summary)
    assert not a.highlighted, a.explanation


@pytest.mark.parametrize(
    ("title", "summary"),
    [
        ("Meurtre de Mehdi Kessaci : trois suspects mis en examen", "Ils ont été interpellés à l'aube."),
        (
            "Kessaci murder: police arrest a suspected getaway driver",
            "The man was detained in the north of the city.",
        ),
        ("Le Pnaco a ouvert ses portes au tribunal de Paris", "Une quinzaine de magistrats spécialisés."),
        ("Marseille : un homme tué par balles dans la nuit", "Les enquêteurs n'écartent aucune piste."),
        ("Le Havre : deux tonnes de cocaïne dans un conteneur", "Les douaniers ont découvert la poudre."),
        ("Darmanin veut isoler les narcotrafiquants", "Une prison de haute sécurité ouvrira en 2026."),
        ("L'association Conscience reçoit un prix", "Une reconnaissance pour son travail."),
        ("Règlement de comptes à Marseille", "Un homme de 25 ans a été tué."),
        (
            "Grenoble : l'adolescent blessé par balles sort du coma",
            "Il avait été touché lors d'une fusillade.",
        ),
        ("La famille Kessaci reçue par Emmanuel Macron", "Le président a reçu la mère de Mehdi."),
        ("Drug gangs recruit teenagers as hitmen", "Contract killings are ordered for a few thousand euros."),
    ],
)
def test_default_list_highlights_the_story(default: Matcher, title: str, summary: str) -> None:
    a = default.assess(title, summary)
    assert a.highlighted, a.explanation


def test_default_list_on_the_dev_set(default: Matcher, shared_dir: Path) -> None:
    """Precision and recall of `highlighted` on the labelled dev items (title + summary)."""
    lines = (shared_dir / "eval" / "dev" / "items.jsonl").read_text(encoding="utf-8").splitlines()
    items = [json.loads(line) for line in lines if line.strip()]
    tp = fp = fn = 0
    for item in items:
        a = default.assess(item["title"], item["summary"])
        relevant = item["label"] == "relevant"
        tp += a.highlighted and relevant
        fp += a.highlighted and not relevant
        fn += relevant and not a.highlighted
        for x in a.matches:
            assert item[x.field][x.start : x.end] == x.text
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert precision >= 0.95 and recall >= 0.95, (precision, recall)


def test_default_list_matches_the_seeds(default: Matcher, shared_dir: Path) -> None:
    for path in sorted((shared_dir / "seeds").glob("0*.txt")):
        title, _, body = path.read_text(encoding="utf-8").partition("\n")
        a = default.assess(title, "", body)
        assert a.highlighted, path.name
        for x in a.matches:
            assert (title if x.field == "title" else body)[x.start : x.end] == x.text
