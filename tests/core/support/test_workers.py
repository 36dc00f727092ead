"""Worker-process support: the resource tracker can be started ahead of the first pool."""

from __future__ import annotations

import subprocess
import sys

CHECK = """
from multiprocessing import resource_tracker
from monitor.core.support.workers import start_resource_tracker
tracker = resource_tracker._resource_tracker
assert tracker._pid is None, "nothing started the tracker yet"
start_resource_tracker()
assert tracker._pid is not None
print("started", tracker._pid)
"""


def test_the_tracker_runs_before_any_pool_is_made() -> None:
    # In a fresh interpreter: this test process may already have a tracker from other tests' pools.
    done = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("started ")
