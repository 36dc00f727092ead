"""The analyst's watchlist: entries with aliases, weights and context rules; TOML load and atomic save.

File format (UTF-8 TOML)::

    version = 1

    [scope]                              # optional: without it, the story may happen anywhere
    places = ["France", "Antwerp"]       # countries, regions, cities, continents or place entries' names

    [[entry]]
    name = "Amine Kessaci"
    kind = "person"                      # person | organisation | place | topic | keyword
    aliases = ["Amine Kessaci"]          # accent- and case-insensitive, whole words
    case_sensitive_aliases = []          # exact letter case (accents still ignored): "RAID", "Conscience"
    prefixes = []                        # match any word starting with it: "narcotrafi" -> narcotrafiquants
    weight = 6.0                         # how much one entry adds to an article's score
    context = []                         # names of entries, or kinds, of which one must also match
    note = "Why the analyst watches it."

When an entry has no aliases, no case-sensitive aliases and no prefixes, its name is its only alias. Keys with
empty values may be left out. ``context`` lists entry names or kinds ("topic"): the entry only counts in an
article where at least one of them also counts (see :mod:`monitor.core.matching.matcher`). ``[scope]`` names
the places where the story happens (see :mod:`monitor.core.matching.scope`); a name that is neither a place
entry of the list nor a place of the gazetteer is an error that names it.

Saving rewrites the file with tomli-w (comments in a hand-written file are not kept) through a temporary file
and ``os.replace``, so a crash never leaves half a watchlist behind.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import tomli_w

from monitor.core.errors import UserError
from monitor.core.matching.folding import fold_key
from monitor.core.support.files import atomic_write
from monitor.paths import resources_dir

logger = logging.getLogger(__name__)

__all__ = [
    "KINDS",
    "SCHEMA_VERSION",
    "Entry",
    "Watchlist",
    "WatchlistError",
    "WatchlistFile",
    "default_watchlist_path",
    "dump_watchlist",
    "load_default_watchlist",
    "load_watchlist",
    "loads_watchlist",
    "save_watchlist",
]

KINDS = ("person", "organisation", "place", "topic", "keyword")
SCHEMA_VERSION = 1
DEFAULT_WEIGHT = 1.0
_ENTRY_KEYS = ("name", "kind", "aliases", "case_sensitive_aliases", "prefixes", "weight", "context", "note")
_LIST_KEYS = ("aliases", "case_sensitive_aliases", "prefixes", "context")
_TOP_KEYS = ("version", "scope", "entry")
_SCOPE_KEYS = ("places",)
_LINE_COLUMN = re.compile(r"\(at line (\d+), column (\d+)\)")
_ENTRY_HEADER = re.compile(r"^\s*\[\[\s*entry\s*\]\]", re.MULTILINE)


class WatchlistError(UserError, ValueError):
    """A watchlist file that cannot be used: TOML syntax (the message names line and column) or schema (it
    names the entry)."""


@dataclass(frozen=True)
class Entry:
    """One thing the analyst watches.

    Attributes:
        name: unique label shown to the analyst and stored in matches.
        kind: one of :data:`KINDS`.
        aliases: forms matched whole-word, ignoring accents and case.
        case_sensitive_aliases: forms matched whole-word with their exact letter case, accents still ignored
            ("RAID" but not "raid"). A single capitalised word ("Conscience") is ignored at the start of a
            sentence and in Title Case headlines, where its capital says nothing.
        prefixes: word beginnings, ignoring accents and case; the match runs to the end of the word.
        weight: the entry's contribution to an article's score.
        context: entry names or kinds; when not empty, the entry only counts in an article where at least
            one of them counts too.
        note: why the entry is on the list.
    """

    name: str
    kind: str
    aliases: tuple[str, ...] = ()
    case_sensitive_aliases: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    weight: float = DEFAULT_WEIGHT
    context: tuple[str, ...] = ()
    note: str = ""

    def __post_init__(self) -> None:
        # Accept lists from callers (the editor, tests) but store tuples: entries are hashable and compare
        # equal to the ones loaded from TOML.
        for key in _LIST_KEYS:
            value = getattr(self, key)
            if isinstance(value, str):
                raise WatchlistError(f"entry {self.name!r}: {key!r} must be a list of strings, not a string")
            if not isinstance(value, tuple):
                object.__setattr__(self, key, tuple(value))
        if isinstance(self.weight, int) and not isinstance(self.weight, bool):
            object.__setattr__(self, "weight", float(self.weight))

    def terms(self) -> tuple[str, ...]:
        """The case-insensitive aliases, with the name standing in when the entry declares no term at all."""
        if self.aliases or self.case_sensitive_aliases or self.prefixes:
            return self.aliases
        return (self.name,)

    def to_dict(self) -> dict[str, object]:
        """The entry as written in TOML: empty lists and an empty note are left out."""
        out: dict[str, object] = {"name": self.name, "kind": self.kind}
        for key in ("aliases", "case_sensitive_aliases", "prefixes"):
            if getattr(self, key):
                out[key] = list(getattr(self, key))
        out["weight"] = self.weight
        if self.context:
            out["context"] = list(self.context)
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True)
class Watchlist:
    """An immutable, validated list of entries."""

    entries: tuple[Entry, ...] = ()
    version: int = SCHEMA_VERSION
    scope: tuple[str, ...] = ()
    _by_name: dict[str, Entry] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.scope, tuple):
            object.__setattr__(self, "scope", tuple(self.scope))
        _validate(self.entries)
        _validate_scope(self.scope, self.entries)
        self._by_name.update({e.name: e for e in self.entries})

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self):
        return iter(self.entries)

    def get(self, name: str) -> Entry | None:
        return self._by_name.get(name)

    @property
    def fingerprint(self) -> str:
        """A short hash of the entries: changes whenever anything that affects matching or scoring changes."""
        described: list[object] = [e.to_dict() for e in self.entries]
        if self.scope:  # a list without a scope keeps the fingerprint it had before scopes existed
            described.append({"scope": list(self.scope)})
        canonical = json.dumps(described, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]

    def alias_count(self) -> int:
        """How many terms (aliases, case-sensitive aliases and prefixes) the list holds."""
        return sum(len(e.terms()) + len(e.case_sensitive_aliases) + len(e.prefixes) for e in self.entries)

    def with_entry(self, entry: Entry) -> Watchlist:
        """A copy with ``entry`` added, or replacing the entry of the same name."""
        kept = [e for e in self.entries if e.name != entry.name]
        return Watchlist((*kept, entry), self.version, self.scope)

    def without(self, name: str) -> Watchlist:
        """A copy without the named entry (context lists that named it must not depend on it)."""
        return Watchlist(tuple(e for e in self.entries if e.name != name), self.version, self.scope)

    def with_scope(self, places: Sequence[str]) -> Watchlist:
        """A copy whose scope is ``places`` (empty: no scope)."""
        return Watchlist(self.entries, self.version, tuple(places))


def _describe(index: int, name: object) -> str:
    return f"entry #{index + 1} {name!r}" if isinstance(name, str) and name else f"entry #{index + 1}"


def _validate(entries: Sequence[Entry]) -> None:
    """Check what a single entry cannot check alone: unique names and context references."""
    seen: dict[str, str] = {}
    for i, entry in enumerate(entries):
        if not isinstance(entry, Entry):
            raise WatchlistError(f"entry #{i + 1}: not an Entry ({type(entry).__name__})")
        label = _describe(i, entry.name)
        if not entry.name.strip():
            raise WatchlistError(f"{label}: empty name")
        if entry.name in KINDS:
            raise WatchlistError(f"{label}: a name cannot be a kind ({', '.join(KINDS)})")
        if entry.kind not in KINDS:
            raise WatchlistError(f"{label}: unknown kind {entry.kind!r} (expected one of {', '.join(KINDS)})")
        key = fold_key(entry.name)
        if key in seen:
            raise WatchlistError(f"{label}: duplicate name (already used by {seen[key]!r})")
        seen[key] = entry.name
        terms = [*entry.terms(), *entry.case_sensitive_aliases, *entry.prefixes]
        for term in terms:
            if not fold_key(term):
                raise WatchlistError(f"{label}: alias {term!r} has no letters or digits to match")
    names = {e.name for e in entries}
    for i, entry in enumerate(entries):
        for ref in entry.context:
            if ref not in names and ref not in KINDS:
                raise WatchlistError(
                    f"{_describe(i, entry.name)}: context names unknown entry {ref!r} "
                    f"(use an entry name or a kind: {', '.join(KINDS)})"
                )


def _validate_scope(scope: Sequence[str], entries: Sequence[Entry]) -> None:
    """Every scope name must be a place entry of the list or a place the gazetteer knows."""
    if not scope:
        return
    for name in scope:
        if not isinstance(name, str) or not fold_key(name):
            raise WatchlistError(f"scope: {name!r} is not a place name")
    from monitor.core.matching.scope import unknown_scope_places  # the gazetteer loads only for a scope

    unknown = unknown_scope_places(scope, (e.name for e in entries if e.kind == "place"))
    if unknown:
        listed = ", ".join(repr(n) for n in unknown)
        raise WatchlistError(
            f"scope: unknown place {listed}: not a country, region, city or continent Vigie knows, nor the "
            "name of a place entry of the watchlist"
        )


def _scope_from_table(table: object, source: str) -> tuple[str, ...]:
    if not isinstance(table, dict):
        raise WatchlistError(f"{source}: 'scope' must be a table ([scope] with places = [...])")
    unknown = sorted(set(table) - set(_SCOPE_KEYS))
    if unknown:
        raise WatchlistError(f"{source}: [scope]: unknown field(s) {', '.join(unknown)} (expected places)")
    places = table.get("places", [])
    if not isinstance(places, list) or not all(isinstance(p, str) for p in places):
        raise WatchlistError(f"{source}: [scope]: 'places' must be a list of strings")
    return tuple(places)


def _entry_from_table(index: int, table: object, line: int | None) -> Entry:
    where = f" (line {line})" if line else ""
    if not isinstance(table, dict):
        raise WatchlistError(f"entry #{index + 1}{where}: expected a table, got {type(table).__name__}")
    name = table.get("name")
    label = _describe(index, name) + where
    if "name" not in table:
        raise WatchlistError(f"{label}: missing 'name'")
    if not isinstance(name, str) or not name.strip():
        raise WatchlistError(f"{label}: 'name' must be a non-empty string")
    unknown = sorted(set(table) - set(_ENTRY_KEYS))
    if unknown:
        raise WatchlistError(
            f"{label}: unknown field(s) {', '.join(unknown)} (expected {', '.join(_ENTRY_KEYS)})"
        )
    if "kind" not in table:
        raise WatchlistError(f"{label}: missing 'kind' (one of {', '.join(KINDS)})")
    kind = table["kind"]
    if not isinstance(kind, str) or kind not in KINDS:
        raise WatchlistError(f"{label}: unknown kind {kind!r} (expected one of {', '.join(KINDS)})")
    lists: dict[str, tuple[str, ...]] = {}
    for key in _LIST_KEYS:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise WatchlistError(f"{label}: '{key}' must be a list of strings")
        lists[key] = tuple(value)
    weight = table.get("weight", DEFAULT_WEIGHT)
    if isinstance(weight, bool) or not isinstance(weight, int | float):
        raise WatchlistError(f"{label}: 'weight' must be a number, got {weight!r}")
    if weight != weight or weight < 0 or weight == float("inf"):
        raise WatchlistError(f"{label}: 'weight' must be a finite number >= 0, got {weight!r}")
    note = table.get("note", "")
    if not isinstance(note, str):
        raise WatchlistError(f"{label}: 'note' must be a string")
    return Entry(name=name, kind=kind, weight=float(weight), note=note, **lists)


def loads_watchlist(text: str, *, source: str = "watchlist") -> Watchlist:
    """Parse and validate watchlist TOML.

    Raises:
        WatchlistError: "<source>: line L, column C: <problem>" for TOML syntax errors; a message naming
            the entry (and its line when the file uses ``[[entry]]`` tables) for schema errors.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _LINE_COLUMN.search(message)
        if found:
            problem = message[: found.start()].strip()
            raise WatchlistError(
                f"{source}: line {found.group(1)}, column {found.group(2)}: TOML syntax error: {problem}"
            ) from None
        raise WatchlistError(f"{source}: TOML syntax error: {message}") from None
    unknown = sorted(set(data) - set(_TOP_KEYS))
    if unknown:
        raise WatchlistError(
            f"{source}: unknown top-level key(s) {', '.join(unknown)} (expected 'version', [scope], [[entry]])"
        )
    version = data.get("version", SCHEMA_VERSION)
    if isinstance(version, bool) or not isinstance(version, int):
        raise WatchlistError(f"{source}: 'version' must be an integer")
    if version > SCHEMA_VERSION:
        raise WatchlistError(
            f"{source}: version {version} is newer than this Vigie understands ({SCHEMA_VERSION})"
        )
    tables = data.get("entry", [])
    if not isinstance(tables, list):
        raise WatchlistError(f"{source}: 'entry' must be an array of tables ([[entry]])")
    header_lines = [text.count("\n", 0, m.start()) + 1 for m in _ENTRY_HEADER.finditer(text)]
    lines: list[int | None] = list(header_lines) if len(header_lines) == len(tables) else [None] * len(tables)
    entries = tuple(_entry_from_table(i, t, lines[i]) for i, t in enumerate(tables))
    scope = _scope_from_table(data["scope"], source) if "scope" in data else ()
    try:
        return Watchlist(entries, version, scope)
    except WatchlistError as exc:
        raise WatchlistError(f"{source}: {exc}") from None


def load_watchlist(path: str | os.PathLike[str]) -> Watchlist:
    """Read a watchlist file; any problem (missing, unreadable, not UTF-8, invalid) raises WatchlistError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise WatchlistError(f"{path}: cannot read watchlist: {exc}") from None
    watchlist = loads_watchlist(text, source=str(path))
    logger.info("loaded watchlist %s: %d entries, %d terms", path, len(watchlist), watchlist.alias_count())
    return watchlist


def dump_watchlist(watchlist: Watchlist) -> str:
    """The watchlist as TOML text; ``loads_watchlist(dump_watchlist(w)) == w``."""
    document: dict[str, object] = {"version": watchlist.version}
    if watchlist.scope:
        document["scope"] = {"places": list(watchlist.scope)}
    document["entry"] = [e.to_dict() for e in watchlist.entries]
    return tomli_w.dumps(document)


def save_watchlist(watchlist: Watchlist, path: str | os.PathLike[str]) -> None:
    """Write the watchlist all or nothing, readable by the user alone."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path, private=True) as out:
        out.write(dump_watchlist(watchlist))
    logger.info("saved watchlist %s (%d entries)", path, len(watchlist))


def default_watchlist_path() -> Path:
    """The watchlist shipped with the app (derived from the seed corpus)."""
    return resources_dir() / "watchlist.toml"


def load_default_watchlist() -> Watchlist:
    return load_watchlist(default_watchlist_path())


class WatchlistFile:
    """A watchlist file that the analyst may edit by hand while the app runs.

    ``load()`` returns the new list, or raises WatchlistError and keeps ``current`` at the last list that
    loaded, so a typo in the file never leaves the matcher without a watchlist.
    """

    def __init__(self, path: str | os.PathLike[str], fallback: Watchlist | None = None) -> None:
        self.path = Path(path)
        self.current: Watchlist | None = fallback
        self.last_error: str | None = None
        self._stamp: tuple[int, int] | None = None

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size

    def load(self) -> Watchlist:
        """Read the file now. On error, ``current`` keeps the previous good list and ``last_error`` says
        why."""
        stamp = self._file_stamp()
        try:
            watchlist = load_watchlist(self.path)
        except WatchlistError as exc:
            self.last_error = str(exc)
            self._stamp = stamp
            logger.warning("watchlist not reloaded, keeping the previous one: %s", exc)
            raise
        self.current = watchlist
        self.last_error = None
        self._stamp = stamp
        return watchlist

    def changed(self) -> bool:
        """Whether the file's modification time or size differs from the last load attempt."""
        return self._file_stamp() != self._stamp

    def reload_if_changed(self) -> bool:
        """Reload when the file changed; True when a new list was taken. Errors are logged, not raised."""
        if not self.changed():
            return False
        try:
            self.load()
        except WatchlistError:
            return False
        return True

    def save(self, watchlist: Watchlist) -> None:
        """Save atomically and make it current."""
        save_watchlist(watchlist, self.path)
        self.current = watchlist
        self.last_error = None
        self._stamp = self._file_stamp()
