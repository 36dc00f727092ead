"""`vigie watchlist list` shows the scope; importing a watchlist whose scope names an unknown place fails in
words (exit 2) and the watchlist in use stays."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.cli import main


def test_the_scope_through_the_cli(
    data_dir: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["watchlist", "list"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first == "scope: France, Le Havre, Antwerp, Rotterdam, Europe, Gulf safe havens"

    exported = tmp_path / "watchlist.toml"
    assert main(["watchlist", "export", str(exported)]) == 0
    text = exported.read_text(encoding="utf-8")
    assert "[scope]" in text
    exported.write_text(text.replace('"Europe"', '"Eldorado-sur-Mer"'), encoding="utf-8")
    capsys.readouterr()
    assert main(["watchlist", "import", str(exported)]) == 2
    assert "unknown place 'Eldorado-sur-Mer'" in capsys.readouterr().err

    assert main(["watchlist", "list"]) == 0
    assert "Europe" in capsys.readouterr().out.splitlines()[0]  # the list in use did not change

    exported.write_text(text.replace('"Europe"', '"Amérique du Sud"'), encoding="utf-8")
    assert main(["watchlist", "import", str(exported)]) == 0
    capsys.readouterr()
    assert main(["watchlist", "list"]) == 0
    assert (
        capsys.readouterr().out.splitlines()[0]
        == "scope: France, Le Havre, Antwerp, Rotterdam, Amérique du Sud, Gulf safe havens"
    )
