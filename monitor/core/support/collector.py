"""The cyclic garbage collector's thresholds for Vigie's processes (the window, the CLI, `vigie serve`, workers).

CPython's defaults (700, 10, 10) run a young-generation pass every 700 net allocations of container objects,
and every pass of an older generation walks what survived there. A poll allocates millions of short-lived
containers (parsed entries, rows, sets of words) while it keeps tens of thousands of long-lived ones (story
grouping's candidates and key rows, the gazetteer): at the defaults the collector took about 15 % of
grouping's CPU (bench/grouping_alone.py: 10.2 s with them, 8.4 s with these, 8.2 s with no collector;
docs/BENCHMARKS.md section 43). With a young generation of 50,000 the passes are 70 times rarer, each one
a few milliseconds (well under a frame of the window); cycles still get freed, a little later, and objects
without cycles are freed by reference counting as before.
"""

from __future__ import annotations

import gc

THRESHOLDS = (50_000, 20, 20)  # young passes every 50,000 net allocations; older ones every 20 of the younger


def tune_collector() -> None:
    """Set this process's collector thresholds (idempotent; a process's entry point calls it once)."""
    gc.set_threshold(*THRESHOLDS)
