"""The news-search URL builder against Google News' documented RSS search form (see news_search.py)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from monitor.core.errors import UserError
from monitor.core.matching.folding import fold_key
from monitor.core.web.news_search import (
    MAX_URL_CHARS,
    PROVIDERS,
    build_news_search,
    entry_search_terms,
    quote_term,
    search_title,
)

GOOGLE = "https://news.google.com/rss/search"


def urls(*terms: str, **options) -> list[str]:  # type: ignore[no-untyped-def]
    return [feed.url for feed in build_news_search(list(terms), fold=fold_key, **options).feeds]


def test_one_name_gives_the_documented_french_and_english_feeds() -> None:
    assert urls("Amine Kessaci") == [
        f"{GOOGLE}?q=%22Amine%20Kessaci%22&hl=fr&gl=FR&ceid=FR:fr",
        f"{GOOGLE}?q=%22Amine%20Kessaci%22&hl=en-GB&gl=GB&ceid=GB:en",
    ]


def test_aliases_are_joined_by_an_uppercase_or_phrases_quoted_single_words_bare() -> None:
    search = build_news_search(["DZ Mafia", "Yoda", "narcotrafic"], fold=fold_key, languages=["fr"])
    assert search.query == '"DZ Mafia" OR Yoda OR narcotrafic'
    assert search.feeds[0].url == (
        f"{GOOGLE}?q=%22DZ%20Mafia%22%20OR%20Yoda%20OR%20narcotrafic&hl=fr&gl=FR&ceid=FR:fr"
    )
    # What the provider reads back is the query as built, accents and all.
    query = parse_qs(urlsplit(urls("frères Kessaci", "Kessaci brothers")[0]).query)
    assert query == {
        "q": ['"frères Kessaci" OR "Kessaci brothers"'],
        "hl": ["fr"],
        "gl": ["FR"],
        "ceid": ["FR:fr"],
    }


def test_accents_and_non_ascii_are_percent_encoded_as_utf8() -> None:
    assert urls("Gérald Darmanin", languages=["fr"]) == [
        f"{GOOGLE}?q=%22G%C3%A9rald%20Darmanin%22&hl=fr&gl=FR&ceid=FR:fr"
    ]


@pytest.mark.parametrize(
    ("term", "written"),
    [
        ("Aix-en-Provence", '"Aix-en-Provence"'),  # a leading or inner hyphen is not an exclusion
        ("l'OFAST", '"l\'OFAST"'),
        ("OR", '"OR"'),  # the word, not the operator
        ("AND", '"AND"'),
        ('le "clan" Yoda', '"le clan Yoda"'),  # no escape for a quote in a phrase: it goes
        ("  Marseille  ", "Marseille"),
        ("site:lemonde.fr", '"site:lemonde.fr"'),  # an operator in a term is searched as text
    ],
)
def test_terms_that_could_read_as_syntax_are_quoted(term: str, written: str) -> None:
    assert quote_term(term) == written


def test_repeats_after_accent_and_case_folding_are_dropped_the_first_written_kept() -> None:
    search = build_news_search(
        ["Frères Kessaci", "freres kessaci", "FRÈRES  KESSACI", "RAID", "raid"],
        fold=fold_key,
        languages=["fr"],
    )
    assert search.kept == ('"Frères Kessaci"', "RAID")
    assert search.dropped == ()


def test_a_case_sensitive_alias_keeps_its_letter_case() -> None:
    terms = entry_search_terms(("Conscience association",), ("RAID", "Conscience"), ())
    search = build_news_search(terms, fold=fold_key, languages=["fr"])
    # "Conscience association" is covered by Conscience: with OR it finds nothing more.
    assert search.query == "RAID OR Conscience"


def test_a_phrase_containing_a_kept_term_adds_nothing_and_is_left_out() -> None:
    search = build_news_search(
        ["Amine Kessaci", "Kessaci", "famille Kessaci", "Kessacis"], fold=fold_key, languages=["fr"]
    )
    assert search.query == "Kessaci OR Kessacis"


def test_prefixes_are_used_bare_only_for_an_entry_with_nothing_else() -> None:
    assert entry_search_terms(("narcotrafic",), (), ("narcotrafi",)) == ["narcotrafic"]
    assert entry_search_terms((), ("OFAST",), ("narcotrafi",)) == ["OFAST"]
    assert entry_search_terms((), (), ("narcotrafi", "stupéfiant")) == ["narcotrafi", "stupéfiant"]


def test_past_the_32_word_limit_the_last_terms_are_dropped_and_listed() -> None:
    assert PROVIDERS["google"].max_words == 32
    # Phrases of 3 words: 8 of them and their 7 ORs make 31 words; a ninth would make 35.
    phrases = [f"alpha{i} beta{i} gamma{i}" for i in range(10)]
    search = build_news_search(phrases, fold=fold_key, languages=["fr"])
    assert search.kept == tuple(f'"{p}"' for p in phrases[:8])
    assert search.dropped == tuple(phrases[8:])
    # 31 words + an OR + one word is 33: even one more word does not fit.
    assert build_news_search([*phrases[:8], "x"], fold=fold_key).dropped == ("x",)
    # Single words: 16 and their 15 ORs make 31; the 17th with its OR would make 33.
    words = [f"w{i}" for i in range(20)]
    cut = build_news_search(words, fold=fold_key)
    assert cut.kept == tuple(words[:16])
    assert cut.dropped == tuple(words[16:])
    # 27 words + OR + a 5-word phrase is 33: skipped; a later single word (29) still goes in.
    mixed = build_news_search([*phrases[:7], "one two three four five", "last"], fold=fold_key)
    assert mixed.dropped == ("one two three four five",)
    assert mixed.kept[-1] == "last"


def test_the_feed_address_stays_under_the_length_vigie_accepts() -> None:
    long_names = [f'"{"é" * 60} {i}"' for i in range(12)]  # few words, many bytes once encoded
    search = build_news_search(long_names, fold=fold_key)
    assert search.dropped, "the cap must have cut something"
    assert all(len(feed.url) <= MAX_URL_CHARS for feed in search.feeds)
    assert len(search.kept) + len(search.dropped) == 12


def test_bad_input_is_refused_in_words() -> None:
    with pytest.raises(UserError, match="nothing to search for"):
        build_news_search(["  ", '""', "--"], fold=fold_key)
    with pytest.raises(UserError, match=r"no Google News edition for de \(languages: fr, en\)"):
        build_news_search(["Marseille"], fold=fold_key, languages=["fr", "de"])
    with pytest.raises(UserError, match="unknown news search 'altavista'"):
        build_news_search(["Marseille"], fold=fold_key, provider="altavista")


def test_the_base_can_point_at_a_local_server_and_the_locale_stays() -> None:
    assert urls("Marseille", languages=["en"], base_url="http://127.0.0.1:5000/rss/search") == [
        "http://127.0.0.1:5000/rss/search?q=Marseille&hl=en-GB&gl=GB&ceid=GB:en"
    ]


def test_the_title_names_the_language_and_what_is_followed() -> None:
    assert search_title("fr", "Amine Kessaci") == "News search (fr): Amine Kessaci"
