"""Modules do one thing: none in monitor/ grows past 500 lines (issue 14); split it along its seams instead."""

from __future__ import annotations

from pathlib import Path

import monitor

MAX_LINES = 500


def test_no_module_is_over_500_lines() -> None:
    package = Path(monitor.__file__).parent
    sizes = {path: len(path.read_text(encoding="utf-8").splitlines()) for path in package.rglob("*.py")}
    assert len(sizes) > 50  # the whole package was walked
    too_long = {str(path.relative_to(package)): lines for path, lines in sizes.items() if lines > MAX_LINES}
    assert too_long == {}
