"""The wheel carries the seeds and the resources, so `pip install .` gives a working app."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # No build isolation: setuptools comes from the test environment, so this needs no network.
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(REPO),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    (built,) = out.glob("vigie-*.whl")
    return built


def test_wheel_carries_seeds_and_resources(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    seeds = sorted(n for n in names if n.startswith("monitor/seeds/") and n.endswith(".txt"))
    assert [Path(n).name for n in seeds] == sorted(p.name for p in (REPO / "seeds").glob("*.txt"))
    assert len(seeds) == 5
    assert "monitor/seeds/seeds.toml" in names
    for shipped in ("watchlist.toml", "feeds.opml"):
        assert f"monitor/resources/{shipped}" in names


def test_installed_layout_finds_its_data(wheel: Path, tmp_path: Path) -> None:
    zipfile.ZipFile(wheel).extractall(tmp_path)
    probe = "import monitor.paths as p; print(p.seeds_dir()); print(len(list(p.seeds_dir().glob('*.txt'))))"
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    folder, count = done.stdout.split()
    assert Path(folder) == tmp_path / "monitor" / "seeds"
    assert count == "5"


def test_wheel_carries_every_module_and_icon(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {p.relative_to(REPO).as_posix() for p in (REPO / "monitor").rglob("*.py")}
    assert modules - names == set(), "a package is missing from [tool.setuptools] packages"
    icons = {
        "monitor/resources/" + p.relative_to(REPO / "resources").as_posix()
        for p in (REPO / "resources" / "icons").rglob("*")
        if p.is_file()
    }
    assert icons and icons - names == set()
