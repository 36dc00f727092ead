"""The word lists of suggestions are shipped data files: every one is read, non-empty, and carried by the wheel."""

from __future__ import annotations

import fnmatch
import tomllib
from importlib import resources
from pathlib import Path

from monitor.core.matching import wordlists

REPO = Path(__file__).resolve().parents[3]
DATA = REPO / "monitor" / "core" / "matching" / "data"


def test_every_data_file_is_read_and_holds_words() -> None:
    for path in sorted(DATA.glob("*.txt")):
        words = wordlists.word_list(path.stem)
        assert words, path.name
        assert not any(w.startswith("#") for w in words), path.name  # comment lines are not words


def test_comments_are_skipped_and_words_split_on_any_whitespace() -> None:
    titles = wordlists.word_list("titles")
    assert {"mme", "m.", "senator", "saint"} <= titles
    assert "Titles" not in titles and "#" not in titles
    assert wordlists.TITLES | {"journalist", "said"} <= wordlists.PERSON_CUES
    assert {"Le", "La", "d'"} <= wordlists.PARTICLES  # case and apostrophes are kept as written


def test_the_wheel_globs_carry_every_data_file() -> None:
    """pyproject's package-data for monitor.core.matching matches each list, so an installed Vigie finds it."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert "monitor.core.matching" in config["packages"]
    globs = config["package-data"]["monitor.core.matching"]
    files = sorted(p.relative_to(DATA.parent).as_posix() for p in DATA.glob("*"))
    assert files
    for name in files:
        assert any(fnmatch.fnmatch(name, g) for g in globs), name
    # read as an installed package reads them, not through the source tree
    assert resources.files("monitor.core.matching").joinpath("data", "common_words.txt").is_file()
