"""The core runs without Qt: importing every core module with PySide6 made unimportable must work.

The import-linter contracts in pyproject.toml check the layers statically; this checks the same promise at run
time, including imports made inside functions, which a static graph may not see the effect of.
"""

from __future__ import annotations

import subprocess
import sys

BLOCK_QT = """
import importlib, pkgutil, sys
class BlockQt:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('PySide6', 'shiboken6', 'PyQt5', 'PyQt6'):
            raise ImportError('Qt is not allowed in monitor.core: ' + name)
sys.meta_path.insert(0, BlockQt())
import monitor.core
names = [info.name for info in pkgutil.walk_packages(monitor.core.__path__, 'monitor.core.')]
for name in names:
    importlib.import_module(name)
import monitor.cli
print('ok', len(names))
"""


def test_core_and_cli_import_without_qt() -> None:
    done = subprocess.run([sys.executable, "-c", BLOCK_QT], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    count = int(done.stdout.split()[1])
    assert count > 30  # every sub-package and module was walked, not just the top level


def test_the_core_contract_forbids_every_front_end_module() -> None:
    """The core's import-linter contract names the modules above it one by one (a wildcard cannot match part of a
    name), so a new front end (cli_*.py, evaluate_*.py) must be added to it: this fails when one is forgotten."""
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    core_contract = next(
        c for c in config["tool"]["importlinter"]["contracts"] if c["source_modules"] == ["monitor.core"]
    )
    below_the_front_ends = {"monitor", "monitor.__main__", "monitor.core", "monitor.paths"}
    front_ends = {
        f"monitor.{p.stem if p.suffix == '.py' else p.name}"
        for p in (root / "monitor").iterdir()
        if (p.suffix == ".py" or (p / "__init__.py").exists()) and p.stem != "__init__"
    } - below_the_front_ends
    assert front_ends - set(core_contract["forbidden_modules"]) == set()
