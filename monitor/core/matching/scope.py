"""The watchlist's scope: the places where its story happens, and whether an item happens there.

A watchlist without a scope watches the whole world, as before. With one, topic and keyword entries (drug
trafficking, murder, cocaine...) count toward an item's score only when the item is in scope:

1. it names a place of the scope: a place the scope lists, a place inside a country it lists (a country covers
   its regions, cities and overseas territories), or a place entry of the watchlist that the scope names;
2. or a watched person or organisation counts in it (a core figure abroad is still the story);
3. or no place outside the scope dominates it: outside places named in the title, in the summary, or twice
   further down, make an item located elsewhere.

Continents stand for themselves: "Europe" in the scope puts an item about Europe as a whole in scope, not one
about Sweden. They settle only items that name no country, region or city: a specific place outside the scope
outweighs "Europe", and a continent outside it ("Amérique du Sud") makes an item out of scope only when no
continent of the scope is named.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from monitor.core.matching.folding import FoldedText, fold_key
from monitor.core.matching.places import Gazetteer, Place, PlaceMention, adopt, gazetteer, is_known_place
from monitor.core.models import Match

logger = logging.getLogger(__name__)

__all__ = ["FIELD_WEIGHT", "CompiledScope", "ScopeVerdict", "unknown_scope_places"]

# How much one mention of an outside place weighs toward "located elsewhere", by field: the title and the lead
# say where a story happens; a place met once in the body may be a comparison or a detail.
FIELD_WEIGHT = {"title": 2.0, "summary": 1.0, "content": 0.5}
DOMINATES = 1.0
SCOPED_KINDS = frozenset({"topic", "keyword"})
WATCHED_KINDS = frozenset({"person", "organisation"})
MAX_NAMED = 4


@dataclass(frozen=True)
class ScopeVerdict:
    """Whether an item is in scope, and in words why (the places that decided it)."""

    in_scope: bool
    reason: str


def unknown_scope_places(names: Iterable[str], place_entries: Iterable[str]) -> list[str]:
    """The scope names that are neither a place entry of the watchlist nor a place the gazetteer knows."""
    entries = {fold_key(n) for n in place_entries}
    unknown = [n for n in names if fold_key(n) not in entries]
    if not unknown:
        return []
    return [n for n in unknown if not is_known_place(n)]


class CompiledScope:
    """A watchlist's scope resolved against the gazetteer, ready to judge items. Safe to share between
    threads; pickled to a worker process, it carries the path of the gazetteer's cache file, which the worker
    opens."""

    def __init__(self, names: Sequence[str], place_entries: Iterable[str]) -> None:
        self.names = tuple(names)
        keyed = {fold_key(n): n for n in place_entries}
        self.entries = frozenset(keyed[fold_key(n)] for n in self.names if fold_key(n) in keyed)
        self._gazetteer: Gazetteer | None = None
        self._keys: frozenset[str] = frozenset()
        self._countries: frozenset[str] = frozenset()
        self._received: str | None = None

    def __getstate__(self) -> dict[str, object]:
        # Worker processes (a large poll's parsers, a large re-score) get the cache file's path with the
        # matcher: opening it costs a few milliseconds, where its data pickled was 6 MB to rebuild from.
        return {"names": self.names, "entries": self.entries, "gazetteer": str(self.places.path)}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.names = state["names"]  # type: ignore[assignment]
        self.entries = state["entries"]  # type: ignore[assignment]
        self._gazetteer = None
        self._keys, self._countries = frozenset(), frozenset()
        received = state.get("gazetteer")
        self._received = received if isinstance(received, str) else None

    @property
    def places(self) -> Gazetteer:
        if self._gazetteer is None:
            received = self._received
            found = adopt(received) if received is not None else gazetteer()
            self._received = None
            keys: set[str] = set()
            countries: set[str] = set()
            for name in self.names:
                for place in found.lookup(name):
                    keys.add(place.key)
                    if place.kind == "country" and place.country:
                        countries.add(place.country)
                        countries.update(found.territories.get(place.country, ()))
            self._keys, self._countries = frozenset(keys), frozenset(countries)
            self._gazetteer = found
        return self._gazetteer

    def covers(self, place: Place) -> bool:
        """Whether ``place`` is in scope: listed, or (not being a continent) inside a listed country."""
        self.places  # noqa: B018 - resolves the names on first use
        return place.key in self._keys or (place.kind != "continent" and place.country in self._countries)

    def judge(
        self,
        fields: dict[str, str],
        matches: Sequence[Match],
        counted: Iterable[str],
        kinds: dict[str, str],
        folded: dict[str, FoldedText] | None = None,
    ) -> ScopeVerdict:
        """Where the item happens. ``matches`` are the item's watchlist matches (before context rules),
        ``counted`` the entries that count, ``kinds`` every entry's kind, ``folded`` the fields already folded."""
        folded = folded or {}
        named_entries = sorted({m.text for m in matches if m.entry in self.entries})
        if named_entries:
            return ScopeVerdict(True, f"in scope: {', '.join(named_entries[:MAX_NAMED])}")
        watched = sorted(n for n in counted if kinds.get(n) in WATCHED_KINDS)
        if watched:  # in scope wherever it happens: no need to look for places
            return ScopeVerdict(True, f"in scope: {', '.join(watched[:MAX_NAMED])} (watched)")
        # The watchlist's own place entries are places whatever their capitals ("Grenoble" opening a
        # headline); a place name found inside another entry's match is not a place ("Jordan Bardella").
        mentions = [
            PlaceMention(m.field, m.start, m.end, m.text, found)
            for m in matches
            if m.kind == "place" and (found := self.places.lookup(m.text))
        ]
        # A place entry the gazetteer does not know as a whole ("quartiers nord de Marseille") leaves the
        # places inside it to be found.
        taken = [(m.field, m.start, m.end) for m in matches if m.kind != "place"]
        taken.extend((m.field, m.start, m.end) for m in mentions)
        mentions.extend(
            mention
            for name, text in fields.items()
            for mention in self.places.find(text, name, folded.get(name))
            if not any(f == mention.field and s < mention.end and mention.start < e for f, s, e in taken)
        )
        inside = [m for m in mentions if any(self.covers(p) for p in m.places)]
        specific_inside = [m for m in inside if _specific(m)]
        if specific_inside:
            return ScopeVerdict(True, f"in scope: {_written(specific_inside)}")
        outside = [m for m in mentions if m not in inside]
        specific_outside = [m for m in outside if _specific(m)]
        if _weight(specific_outside) >= DOMINATES:
            return ScopeVerdict(False, f"out of scope: {_written(specific_outside)}")
        if inside:
            return ScopeVerdict(True, f"in scope: {_written(inside)}")
        if _weight(outside) >= DOMINATES:
            return ScopeVerdict(False, f"out of scope: {_written(outside)}")
        return ScopeVerdict(True, "")


def _specific(mention: PlaceMention) -> bool:
    return any(p.kind != "continent" for p in mention.places)


def _weight(mentions: Sequence[PlaceMention]) -> float:
    return sum(FIELD_WEIGHT.get(m.field, 0.5) for m in mentions)


def _written(mentions: Sequence[PlaceMention]) -> str:
    """The places as the item writes them, the weightiest first, each once: "Culiacán, Mexico"."""
    weights: dict[str, float] = {}
    shown: dict[str, str] = {}
    for m in mentions:
        key = fold_key(m.text)
        weights[key] = weights.get(key, 0.0) + FIELD_WEIGHT.get(m.field, 0.5)
        shown.setdefault(key, m.text)
    order = sorted(weights, key=lambda k: -weights[k])
    return ", ".join(shown[k] for k in order[:MAX_NAMED])
