"""The floor of grouping's cost: a poll that groups without deciding anything (``--no-decisions`` of bench/ingest.py
and bench/grouping_alone.py).

Each article still gets its story features from the parser processes, is handed to the grouper, and has its
story, features, keys and counts written, but looks nothing up and compares with nothing: it starts a story of its
own, with no thread and no related seed. What a poll with stories costs over one without, less its decisions
(the look-ups and comparisons), is then what no faster way of deciding could save.
"""

from __future__ import annotations

import argparse

from monitor.core.stories.grouping import Grouper


def add_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-decisions",
        action="store_true",
        help="group without looking up or comparing (each article a story of its own): grouping but its decisions",
    )


def apply_if_asked(args: argparse.Namespace) -> None:
    """With --no-decisions, make every Grouper of this process decide nothing (the bench's process only: it is
    where grouping runs)."""
    if not args.no_decisions:
        return

    def no_candidates(self: Grouper, features: object, at: float, *, thread: bool) -> tuple[list, set]:
        return [], set()

    def no_related_seed(self: Grouper, article_id: int, features: object, norm: float | None = None) -> None:
        return None

    Grouper._lookup = no_candidates  # type: ignore[method-assign]
    Grouper.related_seed = no_related_seed  # type: ignore[method-assign,assignment]
    print("grouping without decisions: each article a story of its own (bench/_no_decisions.py)")
