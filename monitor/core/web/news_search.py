"""News-search feeds: the RSS address of a keyword search at a news provider, built in this one place.

Google News publishes no reference for its RSS search. The form used here is the one documented by the
people who rely on it: NewsCatcher's "Google News RSS search parameters: the missing documentation"
(https://newscatcherapi.com/blog/google-news-rss-search-parameters-the-missing-documentaiton) gives the
search feed as ``https://news.google.com/rss/search?q=QUERY&hl=…&gl=…&ceid=…``, and the validated locale
table of outsharp/shipp-skills' google-news skill (https://skills.sh/outsharp/shipp-skills/google-news) gives
``hl=fr&gl=FR&ceid=FR:fr`` for France and ``hl=en-GB&gl=GB&ceid=GB:en`` for the United Kingdom, with the
warning that the three must agree. The query speaks Google's search syntax: an uppercase ``OR`` between
alternatives and double quotes around an exact phrase (Google's own search help, as reproduced in its
appliance manuals, e.g. http://ilga.gov/search/searchhelp.htm), case ignored; and Google "limits the number
of search terms to 32 keywords. It ignores any terms beyond that number" (Untangling the Web, NSA, p. 51:
https://en.wikisource.org/wiki/Page:Untangling_the_Web.pdf/59), so a query is cut to fit rather than have
Google drop its tail silently. No other provider documents an RSS search form we could cite (Bing's
``format=rss`` has no public reference), so the table holds Google News alone.

How terms become a query:

- a term made only of letters and digits goes bare (``Kessaci``); any other term is put in double quotes, so a
  name stays a phrase (``"Amine Kessaci"``), a hyphen or apostrophe cannot turn into an operator
  (``"Aix-en-Provence"``, ``"l'OFAST"``), and the words ``OR`` or ``AND`` are searched, not obeyed; a double
  quote inside a term is dropped (the syntax has no escape for it);
- terms with the same words once folded (accents and case, as the caller's `fold` says) are one term: the
  first written wins, so a case-sensitive alias keeps the letter case it was written with;
- a term whose words contain another kept term's words is left out: with OR, ``"Amine Kessaci"`` finds
  nothing that ``Kessaci`` does not;
- terms are kept in the order given (the caller puts the most useful first); one that would take the query
  past the provider's word limit or the feed address past MAX_URL_CHARS is dropped, and `dropped` says so.

Watchlist prefixes (``narcotrafi`` for any word starting so) have no equivalent: the providers match whole
words only, so a bare prefix would search for that exact, usually non-existent, word. The caller leaves them
out and uses them, bare, only for an entry that has nothing else (see `entry_search_terms`). An entry's context
("only with") is not part of the search either: the matcher applies it to what the search brings in.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from monitor.core.errors import UserError
from monitor.core.models import Feed

log = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_PROVIDER",
    "MAX_URL_CHARS",
    "PROVIDERS",
    "FollowedSearch",
    "NewsSearch",
    "Provider",
    "SearchFeed",
    "build_news_search",
    "entry_search_terms",
    "search_title",
]

# The longest feed address Vigie accepts (core.polling.discovery.MAX_URL_LENGTH, which this layer may not
# import); a query is cut so that its feed fits.
MAX_URL_CHARS = 2048


@dataclass(frozen=True)
class Provider:
    """A news search with an RSS form: where it answers, its locale parameters and its query limit.

    Attributes:
        label: the provider's name for the analyst. base_url: the search feed's address, before ``?q=``.
        locales: per language code, the query parameters that select that edition, in the documented order.
        max_words: the most words (terms' words and ``OR`` operators) the provider reads from a query.
    """

    label: str
    base_url: str
    locales: dict[str, tuple[tuple[str, str], ...]]
    max_words: int


# The one table of providers (see the module docstring for the sources of each value).
PROVIDERS: dict[str, Provider] = {
    "google": Provider(
        label="Google News",
        base_url="https://news.google.com/rss/search",
        locales={
            "fr": (("hl", "fr"), ("gl", "FR"), ("ceid", "FR:fr")),
            # The British edition: European news in English, closer to a French story than the US one.
            "en": (("hl", "en-GB"), ("gl", "GB"), ("ceid", "GB:en")),
        },
        max_words=32,
    ),
}
DEFAULT_PROVIDER = "google"


@dataclass(frozen=True)
class SearchFeed:
    """One language's search feed."""

    language: str
    url: str


@dataclass(frozen=True)
class NewsSearch:
    """A search as built: the query text, the terms it kept and dropped, and one feed per language."""

    query: str
    kept: tuple[str, ...]
    dropped: tuple[str, ...]
    feeds: tuple[SearchFeed, ...]


@dataclass(frozen=True)
class FollowedSearch:
    """What following words or an entry in news search did (VigieCore.follow_in_news_search): its feeds, one
    per language, the new ones among them, and the terms left out to fit the provider's query limit."""

    label: str
    feeds: list[Feed]
    added: list[Feed]
    dropped: tuple[str, ...]


_BARE = re.compile(r"^\w+$")
_OPERATORS = frozenset({"OR", "AND"})
_WORDS = re.compile(r"\w+")


def quote_term(term: str) -> str:
    """The term as the query writes it: bare when it is one plain word, else an exact phrase in quotes."""
    cleaned = " ".join(term.replace('"', " ").split())
    if _BARE.match(cleaned) and "_" not in cleaned and cleaned not in _OPERATORS:
        return cleaned
    return f'"{cleaned}"'


def build_news_search(
    terms: Sequence[str],
    *,
    fold: Callable[[str], str],
    languages: Sequence[str] = ("fr", "en"),
    provider: str = DEFAULT_PROVIDER,
    base_url: str | None = None,
) -> NewsSearch:
    """The search for any of `terms` (most useful first), one feed per language.

    Args:
        fold: the key under which two terms are the same (the matcher's accent and case folding).
        base_url: another address for the provider's search (a test server); its locale parameters stay.

    Raises UserError for no usable term, an unknown provider or a language the provider has no edition for.
    """
    chosen = PROVIDERS.get(provider)
    if chosen is None:
        raise UserError(f"unknown news search {provider!r} (known: {', '.join(PROVIDERS)})")
    unknown = [lang for lang in languages if lang not in chosen.locales]
    if unknown or not languages:
        raise UserError(
            f"no {chosen.label} edition for {', '.join(unknown) or 'no language'} "
            f"(languages: {', '.join(chosen.locales)})"
        )
    base = base_url or chosen.base_url
    # The query may take what the longest of the chosen feed addresses leaves.
    room = MAX_URL_CHARS - max(len(_url(base, "", chosen.locales[lang])) for lang in languages)
    kept, dropped = _fit(_distinct(terms, fold), chosen.max_words, room)
    if not kept:
        raise UserError("nothing to search for: give a word or a name")
    query = " OR ".join(kept)
    if dropped:
        log.info("news search: left out %d terms past the %s limit: %s", len(dropped), chosen.label, dropped)
    feeds = tuple(SearchFeed(lang, _url(base, query, chosen.locales[lang])) for lang in languages)
    return NewsSearch(query, tuple(kept), tuple(dropped), feeds)


def entry_search_terms(
    terms: Sequence[str], case_sensitive: Sequence[str], prefixes: Sequence[str]
) -> list[str]:
    """A watchlist entry's search terms, most useful first: its aliases as written (the name when it has no
    term at all), then its case-sensitive aliases; its prefixes, bare, only when it has nothing else."""
    found = [*terms, *case_sensitive]
    return found or list(prefixes)


def search_title(language: str, label: str) -> str:
    """The feed's title in the sidebar: "News search (fr): Amine Kessaci"."""
    return f"News search ({language}): {label}"


def _distinct(terms: Sequence[str], fold: Callable[[str], str]) -> list[tuple[str, int]]:
    """The quoted terms with their word counts, without repeats under `fold` (the same words once folded)
    nor terms whose words another kept term's words already cover."""
    seen: dict[tuple[str, ...], str] = {}
    for term in terms:
        text = quote_term(term)
        words = tuple(_WORDS.findall(fold(text.strip('"'))))
        if words and words not in seen:
            seen[words] = text
    keys = list(seen)
    return [(text, len(words)) for words, text in seen.items() if not any(_covers(o, words) for o in keys)]


def _covers(shorter: tuple[str, ...], longer: tuple[str, ...]) -> bool:
    """Whether `longer` contains `shorter` as consecutive words, and is longer (so never itself)."""
    size = len(shorter)
    if size >= len(longer):
        return False
    return any(longer[i : i + size] == shorter for i in range(len(longer) - size + 1))


def _fit(terms: list[tuple[str, int]], max_words: int, max_chars: int) -> tuple[list[str], list[str]]:
    """Keep each term, in order, while the query stays within the word and encoded-length limits (an OR
    counts as a word, as the providers read it)."""
    kept: list[str] = []
    dropped: list[str] = []
    words = chars = 0
    for term, cost in terms:
        joiner = 1 if kept else 0
        size = len(quote(term, safe="")) + (len(quote(" OR ")) if kept else 0)
        if words + joiner + cost <= max_words and chars + size <= max_chars:
            kept.append(term)
            words += joiner + cost
            chars += size
        else:
            dropped.append(term.strip('"'))
    return kept, dropped


def _url(base: str, query: str, locale: tuple[tuple[str, str], ...]) -> str:
    """`base`?q=QUERY&… with the query percent-encoded (spaces as %20, quotes as %22) and the locale values
    as the documented form writes them (``ceid=FR:fr``)."""
    params = "".join(f"&{name}={quote(value, safe=':')}" for name, value in locale)
    return f"{base}?q={quote(query, safe='')}{params}"
