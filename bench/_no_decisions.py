"""The floor of grouping's cost: a poll that groups without deciding anything (bench/ingest.py --no-decisions).

Each article still gets its story features from the parser processes, is handed to the grouper, and has its
story, features, keys and counts written, but looks nothing up and compares with nothing: it starts a story of its
own, with no thread and no related seed. What a poll with stories costs over one without, less its decisions
(the look-ups and comparisons), is then what no faster way of deciding could save.
"""

from __future__ import annotations

from monitor.core.stories.grouping import Grouper


def apply() -> None:
    """Make every Grouper of this process decide nothing (the bench's process only: it is where grouping runs)."""

    def no_candidates(self: Grouper, features: object, at: float, *, thread: bool) -> tuple[list, set]:
        return [], set()

    def no_related_seed(self: Grouper, article_id: int, features: object, norm: float | None = None) -> None:
        return None

    Grouper._lookup = no_candidates  # type: ignore[method-assign]
    Grouper.related_seed = no_related_seed  # type: ignore[method-assign,assignment]
