"""The watchlist change that agrees best with the analyst's judgements, and what it does to every article.

From the judged articles the watchlist disagrees with, candidate changes are drawn (:mod:`.changes`) and
weighed over every stored article (:mod:`.effect`). The change proposed is the one that brings the most judged
articles into agreement (less those it brings out of it), then the one that changes the fewest other highlights,
then the simplest kind; it is proposed only when it fixes more judged articles than it breaks.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from monitor.core.learning.changes import KIND_ORDER, Build, Change, Judged, candidate_changes, memoised
from monitor.core.learning.effect import Effect, Progress, effects
from monitor.core.matching.matcher import Matcher
from monitor.core.matching.watchlist import Watchlist
from monitor.core.storage.judged import judged_texts, titles_of
from monitor.core.storage.store import Store

log = logging.getLogger(__name__)

__all__ = ["Disagreement", "Listed", "Proposal", "disagreements", "judged_articles", "propose"]


@dataclass(frozen=True)
class Listed:
    """An article in one of the proposal's lists: enough to show it and open it."""

    id: int
    title: str


@dataclass(frozen=True)
class Disagreement:
    """A judged article the watchlist disagrees with: what the analyst said and what the watchlist scores."""

    id: int
    title: str
    judgement: str
    score: float
    explanation: str

    def line(self) -> str:
        scored = "highlights" if self.judgement == "not-relevant" else "does not highlight"
        return f"[{self.id}] {self.title}: judged {self.judgement}; the watchlist {scored} it ({self.explanation})"


@dataclass(frozen=True)
class Proposal:
    """A proposed watchlist change (None when there is nothing to propose) and its effect.

    Attributes:
        judged: how many articles carry a judgement.
        disagreements: the judged articles the current watchlist disagrees with.
        change: the change proposed, or None.
        base_fingerprint: the fingerprint of the watchlist the proposal was made from (applying it to another
            one is refused).
        articles: how many stored articles were weighed.
        weighed: how many candidate changes were weighed (on the judged articles; those that fix the most,
            over every stored article).
        fixed, broken: judged articles the change brings into agreement, or out of it.
        added, removed: articles without a judgement whose highlight the change turns on, or off.
    """

    judged: int
    disagreements: tuple[Disagreement, ...]
    change: Change | None
    base_fingerprint: str
    articles: int = 0
    weighed: int = 0
    fixed: tuple[Listed, ...] = ()
    broken: tuple[Listed, ...] = ()
    added: tuple[Listed, ...] = ()
    removed: tuple[Listed, ...] = ()

    @property
    def headline(self) -> str:
        """The proposal, or why there is none, in one sentence."""
        if self.judged == 0:
            return (
                "No article is judged yet: mark articles relevant or not relevant (in the reader, or with "
                "`vigie articles judge ID relevant|not-relevant`), and Vigie will propose the watchlist change "
                "that agrees with them."
            )
        if not self.disagreements:
            return f"The watchlist already agrees with all {self.judged} judged articles: nothing to propose."
        if self.change is None:
            return (
                f"No single watchlist change brings more of the {len(self.disagreements)} judged articles the "
                f"watchlist disagrees with into agreement than it puts at odds (of {self.judged} judged): "
                "nothing to propose."
            )
        return f"Proposed change: {self.change.description}."

    def effect_lines(self) -> list[str]:
        """The counts, in words (empty when nothing is proposed)."""
        if self.change is None:
            return []
        fixed = (
            f"It fixes {len(self.fixed)} of the {len(self.disagreements)} judged articles the watchlist "
            "disagrees with"
        )
        if self.broken:
            fixed += f", and puts {len(self.broken)} judged article(s) that agree today at odds with it"
        return [
            fixed + ".",
            f"Over all {self.articles} stored articles it adds {len(self.added)} highlights and removes "
            f"{len(self.removed)} (articles without a judgement; {self.weighed} changes weighed).",
        ]


def judged_articles(store: Store, matcher: Matcher) -> list[Judged]:
    """Every judged article, with what `matcher` makes of it."""
    return [
        Judged(i, title, summary, content, judgement == "relevant", matcher.assess(title, summary, content))
        for i, title, summary, content, judgement in judged_texts(store.conn)
    ]


def disagreements(judged: Sequence[Judged]) -> tuple[Disagreement, ...]:
    return tuple(
        Disagreement(j.id, j.title, j.judgement, j.assessment.score, j.assessment.explanation)
        for j in judged
        if j.disagrees
    )


def propose(
    store: Store,
    watchlist: Watchlist,
    build: Build,
    on_progress: Progress | None = None,
    workers: int | None = None,
) -> Proposal:
    """The best change to `watchlist` (compiled by `build`) for the judgements in `store`, with its effect."""
    build = memoised(build)
    base = build(watchlist)
    judged = judged_articles(store, base)
    disagreeing = disagreements(judged)
    fingerprint = watchlist.fingerprint
    if not disagreeing:
        return Proposal(len(judged), (), None, fingerprint)
    drawn = candidate_changes(watchlist, build, judged)
    # Which judged articles a change fixes or breaks depends on the judged articles alone, and it comes first in
    # the choice: only the changes that fix the most are weighed over every stored article.
    matchers = [build(c.watchlist) for c in drawn]
    nets = [_net_fixed(m, judged) for m in matchers]
    most = max(nets, default=0)
    if most <= 0:
        return Proposal(len(judged), disagreeing, None, fingerprint, store.count_all(), len(drawn))
    finalists = [i for i, net in enumerate(nets) if net == most]
    changes = [drawn[i] for i in finalists]
    total, found = effects(
        store, base, [matchers[i] for i in finalists], [c.triggers for c in changes], on_progress, workers
    )
    best = _best(changes, found)
    if best is None:
        return Proposal(len(judged), disagreeing, None, fingerprint, total, len(drawn))
    effect = found[best]
    titles = titles_of(store.conn, [*effect.fixed, *effect.broken, *effect.added, *effect.removed])

    def listed(ids: list[int]) -> tuple[Listed, ...]:
        return tuple(Listed(i, titles.get(i, "")) for i in sorted(ids))

    log.info(
        "proposed %s among %d changes (%d finalists)", changes[best].description, len(drawn), len(changes)
    )
    return Proposal(
        len(judged),
        disagreeing,
        changes[best],
        fingerprint,
        total,
        len(drawn),
        listed(effect.fixed),
        listed(effect.broken),
        listed(effect.added),
        listed(effect.removed),
    )


def _net_fixed(matcher: Matcher, judged: Sequence[Judged]) -> int:
    """How many judged articles `matcher` brings into agreement with their judgement, less those it brings out."""
    net = 0
    for item in judged:
        after = matcher.assess(*item.texts()).highlighted
        if after != item.assessment.highlighted:
            net += 1 if after == item.relevant else -1
    return net


def _best(changes: Sequence[Change], found: Sequence[Effect]) -> int | None:
    """The index of the change to propose: most judged articles fixed (net), fewest other highlights changed,
    then the narrowest kind; None when none fixes more than it breaks."""
    if not changes:
        return None
    best = min(
        range(len(changes)),
        key=lambda i: (
            -found[i].net_fixed,
            found[i].other_changes,
            KIND_ORDER.index(changes[i].kind),
            i,  # the order they were drawn in: a kind as context before a single entry
        ),
    )
    return best if found[best].net_fixed > 0 else None
