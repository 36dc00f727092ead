"""The core runs without Qt: importing every core module with PySide6 made unimportable must work."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import monitor.core

CORE = Path(monitor.core.__file__).parent

BLOCK_QT = """
import importlib, pkgutil, sys
class BlockQt:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('PySide6', 'shiboken6', 'PyQt5', 'PyQt6'):
            raise ImportError('Qt is not allowed in monitor.core: ' + name)
sys.meta_path.insert(0, BlockQt())
import monitor.core
for info in pkgutil.iter_modules(monitor.core.__path__):
    importlib.import_module('monitor.core.' + info.name)
import monitor.cli
print('ok', len(list(pkgutil.iter_modules(monitor.core.__path__))))
"""


def test_core_and_cli_import_without_qt() -> None:
    done = subprocess.run([sys.executable, "-c", BLOCK_QT], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok ")


def test_no_core_module_mentions_qt() -> None:
    offenders = [p.name for p in CORE.glob("*.py") if "PySide6" in p.read_text(encoding="utf-8")]
    assert offenders == []
