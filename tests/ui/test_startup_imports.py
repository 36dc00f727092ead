"""What the window imports before its first page: the heavy parsers wait until something needs them."""

from __future__ import annotations

import subprocess
import sys

CHECK = """
import sys
import monitor.app
print(' '.join(sorted(name for name in ('bs4', 'soupsieve') if name in sys.modules)))
"""


def test_the_window_starts_without_beautifulsoup() -> None:
    # BeautifulSoup and soupsieve cost about 0.2 s of start-up (docs/BENCHMARKS.md, the first page at 1,000,000
    # articles); only markup that nh3 did not tidy needs them, long after the window shows.
    done = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


def test_the_window_starts_without_the_language_detector() -> None:
    # lingua's models take about 30 MB and 0.06 s to load (docs/BENCHMARKS.md, section 6): a process loads them
    # the first time an item without a declared language is parsed, never to show the window.
    check = "import sys\nimport monitor.app\nprint('lingua' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
