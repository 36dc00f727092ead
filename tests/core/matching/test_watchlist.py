"""Watchlist TOML: round trip, atomic save, clear errors, the last good list kept, the shipped default."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from monitor.core.matching.watchlist import (
    KINDS,
    Entry,
    Watchlist,
    WatchlistError,
    WatchlistFile,
    default_watchlist_path,
    dump_watchlist,
    load_default_watchlist,
    load_watchlist,
    loads_watchlist,
    save_watchlist,
)

SAMPLE = """
version = 1

[[entry]]
name = "Amine Kessaci"
kind = "person"
aliases = ["Amine Kessaci"]
weight = 6.0
note = "Anti-drug activist."

[[entry]]
name = "Conscience"
kind = "organisation"
case_sensitive_aliases = ["Conscience"]
weight = 4

[[entry]]
name = "narcotrafic"
kind = "topic"
prefixes = ["narcotrafi"]
weight = 4.0

[[entry]]
name = "Macron"
kind = "person"
aliases = ["Emmanuel Macron", "Macron"]
weight = 1.5
context = ["topic", "Amine Kessaci"]
"""


def test_loads_fills_defaults_and_keeps_values() -> None:
    wl = loads_watchlist(SAMPLE)
    assert [e.name for e in wl] == ["Amine Kessaci", "Conscience", "narcotrafic", "Macron"]
    conscience = wl.get("Conscience")
    assert conscience is not None
    assert conscience.case_sensitive_aliases == ("Conscience",)
    assert conscience.aliases == ()
    assert conscience.weight == 4.0 and isinstance(conscience.weight, float)
    assert wl.get("Macron").context == ("topic", "Amine Kessaci")  # type: ignore[union-attr]


def test_name_is_the_alias_when_no_term_is_given() -> None:
    wl = loads_watchlist('[[entry]]\nname = "Socayna"\nkind = "person"\n')
    assert wl.entries[0].terms() == ("Socayna",)
    assert wl.entries[0].weight == 1.0


def test_round_trip_is_exact() -> None:
    wl = loads_watchlist(SAMPLE)
    text = dump_watchlist(wl)
    again = loads_watchlist(text)
    assert again == wl
    assert dump_watchlist(again) == text
    assert again.fingerprint == wl.fingerprint


def test_default_list_round_trips(tmp_path: Path) -> None:
    wl = load_default_watchlist()
    path = tmp_path / "wl.toml"
    save_watchlist(wl, path)
    assert load_watchlist(path) == wl


def test_save_is_atomic_and_leaves_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "sub" / "watchlist.toml"
    wl = loads_watchlist(SAMPLE)
    save_watchlist(wl, path)
    before = path.read_bytes()

    def fail(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        save_watchlist(wl.without("Macron"), path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["watchlist.toml"]


def test_entries_built_in_code_equal_loaded_ones() -> None:
    built = Entry(name="narcotrafic", kind="topic", prefixes=["narcotrafi"], weight=4)  # type: ignore[arg-type]
    assert built == loads_watchlist(SAMPLE).get("narcotrafic")
    assert hash(built)


def test_toml_syntax_error_names_line_and_column() -> None:
    broken = SAMPLE.replace("weight = 1.5", "weight = = 1.5")
    line = broken.splitlines().index("weight = = 1.5") + 1
    with pytest.raises(WatchlistError, match=rf"line {line}, column \d+") as info:
        loads_watchlist(broken, source="my.toml")
    assert str(info.value).startswith("my.toml: ")


def test_malformed_file_error_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "watchlist.toml"
    path.write_text('version = 1\n[[entry]]\nname = "x"\nkind = "person\n', encoding="utf-8")
    with pytest.raises(WatchlistError, match=r"watchlist\.toml: line 4"):
        load_watchlist(path)


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ('[[entry]]\nname = "A"\nkind = "persn"\n', r"entry #1 'A' \(line 1\): unknown kind 'persn'"),
        ('[[entry]]\nkind = "person"\n', r"entry #1 \(line 1\): missing 'name'"),
        ('[[entry]]\nname = "A"\n', r"entry #1 'A'.*missing 'kind'"),
        (
            '[[entry]]\nname = "A"\nkind = "topic"\n[[entry]]\nname = "a"\nkind = "topic"\n',
            r"entry #2 'a'.*duplicate",
        ),
        ('[[entry]]\nname = "A"\nkind = "topic"\ncontext = ["B"]\n', r"entry #1 'A'.*unknown entry 'B'"),
        (
            '[[entry]]\nname = "A"\nkind = "topic"\nweight = "high"\n',
            r"entry #1 'A'.*'weight' must be a number",
        ),
        ('[[entry]]\nname = "A"\nkind = "topic"\naliases = "a"\n', r"entry #1 'A'.*'aliases' must be a list"),
        ('[[entry]]\nname = "A"\nkind = "topic"\nalias = ["a"]\n', r"entry #1 'A'.*unknown field\(s\) alias"),
        ('[[entry]]\nname = "A"\nkind = "topic"\nweight = -1\n', r"entry #1 'A'.*>= 0"),
        ('[[entry]]\nname = "A"\nkind = "topic"\naliases = ["--"]\n', r"entry #1 'A'.*no letters"),
        ('[[entry]]\nname = 3\nkind = "topic"\n', r"entry #1.*'name' must be a non-empty string"),
        ("entries = []\n", r"unknown top-level key"),
        ("version = 99\n", r"newer"),
    ],
)
def test_schema_errors_name_the_entry(toml: str, expected: str) -> None:
    with pytest.raises(WatchlistError, match=expected):
        loads_watchlist(toml)


@pytest.mark.parametrize("kind", KINDS)
def test_context_may_name_any_kind(kind: str) -> None:
    wl = loads_watchlist(f'[[entry]]\nname = "A"\nkind = "topic"\ncontext = ["{kind}"]\n')
    assert wl.get("A").context == (kind,)  # type: ignore[union-attr]


def test_context_may_name_an_entry_but_not_a_near_miss_of_a_kind() -> None:
    wl = loads_watchlist(SAMPLE)
    assert wl.get("Macron").context == ("topic", "Amine Kessaci")  # type: ignore[union-attr]
    with pytest.raises(
        WatchlistError, match=r"context names unknown entry 'topics' \(use an entry name or a kind"
    ):
        loads_watchlist('[[entry]]\nname = "A"\nkind = "topic"\ncontext = ["topics"]\n')


def test_an_entry_that_a_context_depends_on_cannot_be_removed() -> None:
    wl = loads_watchlist(SAMPLE)
    # Refused, naming the dependent entry and what it misses.
    with pytest.raises(WatchlistError, match=r"'Macron'.*unknown entry 'Amine Kessaci'"):
        Watchlist(tuple(e for e in wl.entries if e.name != "Amine Kessaci"))


def test_watchlist_file_keeps_the_last_good_list(tmp_path: Path) -> None:
    path = tmp_path / "watchlist.toml"
    path.write_text(SAMPLE, encoding="utf-8")
    wf = WatchlistFile(path)
    good = wf.load()
    assert wf.current == good and wf.last_error is None

    path.write_text(SAMPLE + "\n[[entry]\n", encoding="utf-8")
    with pytest.raises(WatchlistError, match="line"):
        wf.load()
    assert wf.current == good
    assert wf.last_error and "line" in wf.last_error

    path.write_text(SAMPLE.replace("weight = 6.0", "weight = 7.0"), encoding="utf-8")
    os.utime(path, ns=(1, 1))  # a different stamp, whatever the file system's time resolution
    assert wf.changed()
    assert wf.reload_if_changed()
    assert wf.current is not None and wf.current.get("Amine Kessaci").weight == 7.0  # type: ignore[union-attr]
    assert not wf.reload_if_changed()


def test_watchlist_file_missing_file_is_an_error_not_a_crash(tmp_path: Path) -> None:
    wf = WatchlistFile(tmp_path / "absent.toml", fallback=loads_watchlist(SAMPLE))
    with pytest.raises(WatchlistError, match="cannot read"):
        wf.load()
    assert wf.current is not None and len(wf.current) == 4


def test_watchlist_file_save_makes_it_current(tmp_path: Path) -> None:
    wf = WatchlistFile(tmp_path / "w.toml")
    wl = loads_watchlist(SAMPLE).with_entry(Entry(name="OFAST", kind="organisation", weight=4.0))
    wf.save(wl)
    assert wf.current == wl
    assert load_watchlist(tmp_path / "w.toml") == wl
    assert not wf.changed()


def test_default_watchlist_is_shipped_and_valid() -> None:
    assert default_watchlist_path().name == "watchlist.toml"
    wl = load_default_watchlist()
    assert len(wl) >= 50
    assert all(e.note for e in wl), "every default entry says why it is there"
    kinds = {e.kind for e in wl}
    assert kinds == set(KINDS)
    for name in (
        "Mehdi Kessaci",
        "Amine Kessaci",
        "Brahim Kessaci",
        "Conscience (association)",
        "PNACO",
        "Nicolas Bessone",
        "Mohamed Amra",
        "DZ Mafia",
        "Yoda clan",
        "Junalco",
        "OFAST",
        "OFDT",
        "Socayna",
        "Michel Gandilhon",
        "Bernard Quintin",
        "Senate narcotrafic inquiry",
        "narcotrafic law",
        "narcotrafic",
        "narchomicide",
        "points de deal",
        "RAID",
        "Emmanuel Macron",
        "Marseille",
    ):
        assert wl.get(name) is not None, name
    assert wl.get("RAID").case_sensitive_aliases == ("RAID",)  # type: ignore[union-attr]
    assert "narcotrafi" in wl.get("narcotrafic").prefixes  # type: ignore[union-attr]
