"""atomic_write: the old file stays whole when writing fails, and private files are the user's alone."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from monitor.core.support.files import atomic_write


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "export.csv"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_write(target) as out:
        out.write("half of the new")
        raise RuntimeError("disk gone")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.csv"]


def test_text_keeps_its_newlines_and_private_files_are_0600(tmp_path: Path) -> None:
    target = tmp_path / "settings.toml"
    (tmp_path / "settings.toml.part").write_text("leftover", encoding="utf-8")
    (tmp_path / "settings.toml.part").chmod(0o644)
    with atomic_write(target, private=True) as out:
        out.write("a = 1\r\nb = 'é'\n")
    assert target.read_bytes() == "a = 1\r\nb = 'é'\n".encode()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    with atomic_write(tmp_path / "feeds.opml", "wb") as out:
        out.write(b"<opml/>")
    assert (tmp_path / "feeds.opml").read_bytes() == b"<opml/>"
