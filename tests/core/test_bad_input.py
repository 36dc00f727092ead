"""Bad input from the user: a clear one-line error, exit 2, and nothing stored half-way."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.cli import main


def _error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.startswith("vigie: error:") and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    return err


def test_malformed_watchlist_is_refused_and_the_old_one_kept(data_dir: Path, tmp_path: Path, capsys) -> None:
    assert main(["watchlist", "export"]) == 0
    before = capsys.readouterr().out
    bad = tmp_path / "bad.toml"
    bad.write_text('version = 1\n\n[[entry]]\nname = "X"\nkind = person\naliases = ["x"]\n', encoding="utf-8")
    assert main(["watchlist", "import", str(bad)]) == 2
    assert "line 5" in _error(capsys)
    assert main(["watchlist", "export"]) == 0
    assert capsys.readouterr().out == before


def test_watchlist_with_an_unknown_kind_names_the_entry(data_dir: Path, tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('version = 1\n[[entry]]\nname = "Zorglub"\nkind = "planet"\naliases = ["zorglub"]\n')
    assert main(["watchlist", "import", str(bad)]) == 2
    assert "Zorglub" in _error(capsys)


def test_enormous_opml_is_refused_and_imports_nothing(data_dir: Path, tmp_path: Path, capsys) -> None:
    huge = tmp_path / "huge.opml"
    outline = '<outline xmlUrl="https://e.example/{i}"/>'
    body = "".join(outline.format(i=i) for i in range(400_000))  # 18 MB, over the 16 MB limit
    huge.write_text(f'<opml version="2.0"><body>{body}</body></opml>', encoding="utf-8")
    assert main(["feeds", "import", str(huge)]) == 2
    assert "over the 16 MB limit for an OPML file; nothing was imported" in _error(capsys)
    assert main(["feeds", "list"]) == 0
    assert capsys.readouterr().out == ""


def test_missing_file_is_a_clear_error(data_dir: Path, tmp_path: Path, capsys) -> None:
    assert main(["feeds", "import", str(tmp_path / "nope.opml")]) == 2
    assert "nope.opml" in _error(capsys)


def test_enormous_url_is_refused(data_dir: Path, capsys) -> None:
    assert main(["feeds", "add", "https://e.example/" + "a" * 100_000, "--no-check"]) == 2
    _error(capsys)
