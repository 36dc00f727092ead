"""Grouping's instructions, counted by valgrind: a measure of a change to grouping that the VM's speed does not move.

On the 2-core VM the CPU seconds of the same grouping move by 10-25 % from one run to the next (docs/BENCHMARKS.md
section 43), more than most changes to grouping save. Valgrind's cachegrind counts the instructions a process runs;
with a fixed hash seed two runs of the same code differ by a few thousand in 38 billion. This script runs
`bench/grouping_alone.py --offered --batched 400` under cachegrind twice, once with `--skip-grouping`, and prints
the difference: the instructions of grouping alone. With `--base DIR` it does the same with the `monitor` package of
another checkout (a `git worktree` of the commit before a change; the bench scripts stay this checkout's) and
prints both, side by side.

Instructions are not time: a change that moves memory traffic more than instructions needs `--cache-sim`, which
adds simulated cache misses (and doubles the run). System time (the WAL's writes) is not counted at all.

Run from the repository root, once `bench/grouping_alone.py` has stored its profile (it does on its first run):
``.venv/bin/python bench/grouping_instructions.py [--base DIR] [--feeds 500] [--cache-sim]``. Needs valgrind
(Debian's package); each count takes about 2.5 minutes at 500 feeds, the runs two at a time.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COUNTS = re.compile(r"==\d+== (I|D1|LL)\s+(?:refs|misses):\s+([\d,]+)")


def counted(tree: Path, feeds: int, cache_sim: bool, skip: bool) -> dict[str, int]:
    """Instructions (and with `cache_sim`, D1 and LL misses) of one grouping_alone run of `tree`'s package."""
    command = [
        "valgrind",
        "--tool=cachegrind",
        f"--cache-sim={'yes' if cache_sim else 'no'}",
        "--cachegrind-out-file=/dev/null",
        sys.executable,
        str(ROOT / "bench" / "grouping_alone.py"),
        "--offered",
        "--batched",
        "400",
        "--feeds",
        str(feeds),
        *(["--skip-grouping"] if skip else []),
    ]
    env = {**os.environ, "PYTHONHASHSEED": "0", "VIGIE_BENCH_CODE": str(tree)}  # read by bench/_fixtures.py
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"grouping_instructions: {tree}: valgrind failed:\n{done.stderr[-2000:]}")
    return {name: int(value.replace(",", "")) for name, value in COUNTS.findall(done.stderr)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", type=Path, default=None, help="another checkout to count beside this one")
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--cache-sim", action="store_true", help="also count simulated cache misses")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("grouping_instructions: valgrind is not installed (apt-get install valgrind)")
    trees = {"this checkout": ROOT, **({"base": args.base.resolve()} if args.base else {})}
    runs = [(name, skip) for name in trees for skip in (False, True)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(
            zip(
                runs,
                pool.map(lambda run: counted(trees[run[0]], args.feeds, args.cache_sim, run[1]), runs),
                strict=True,
            )
        )
    grouping = {
        name: {
            event: count - results[(name, True)].get(event, 0)
            for event, count in results[(name, False)].items()
        }
        for name in trees
    }
    for name, counts in grouping.items():
        figures = ", ".join(f"{event} {count:,}" for event, count in counts.items())
        print(f"{name}: grouping of {args.feeds} feeds: {figures}")
    if args.base:
        print(
            f"instructions, this checkout / base: {grouping['this checkout']['I'] / grouping['base']['I']:.4f}"
        )


if __name__ == "__main__":
    main()
