"""A watchlist proposal from judgements over 200,000 stored articles (issue 15, item 3).

Run from the repository root: ``.venv/bin/python bench/proposal.py [--articles 200000] [--repeat 3]
[--judged 10] [--apply] [--workers N]``. Works on a private copy of the cached profile (bench/_fixtures.py). A
fixed random sample of the articles is assessed with the default watchlist; the first ``--judged`` highlighted
ones are judged not relevant and as many that are not highlighted are judged relevant (the disagreements the
proposal must weigh). Each run times ``VigieCore.propose_watchlist_change`` (candidate changes, then one pass
over every stored article, in worker processes), and prints what it proposes and its effect; ``--apply`` also
times applying it (the watchlist saved and every article re-scored).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _fixtures as fx

from monitor.core.learning.changes import candidate_changes
from monitor.core.learning.proposal import _net_fixed, judged_articles
from monitor.core.service import VigieCore
from monitor.paths import AppPaths

SAMPLE = 3000


def judge_sample(core: VigieCore, judged: int, seed: int = 15) -> tuple[int, int]:
    """Judge `judged` highlighted sample articles not relevant and as many unhighlighted ones relevant."""
    low, high = core.store.conn.execute("SELECT min(id), max(id) FROM articles").fetchone()
    rng = random.Random(seed)
    false_positives: list[int] = []
    false_negatives: list[int] = []
    for article_id in rng.sample(range(low, high + 1), SAMPLE):
        article = core.store.article(article_id)
        if article is None:
            continue
        shown = core.matcher.assess(article.title, article.summary, article.content).highlighted
        chosen = false_positives if shown else false_negatives
        if len(chosen) < judged:
            chosen.append(article_id)
        if len(false_positives) >= judged and len(false_negatives) >= judged:
            break
    for article_id in false_positives:
        core.judge(article_id, "not-relevant")
    for article_id in false_negatives:
        core.judge(article_id, "relevant")
    return len(false_positives), len(false_negatives)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=fx.N_ARTICLES)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--judged", type=int, default=10, help="judged articles of each kind")
    parser.add_argument("--apply", action="store_true", help="also time applying the proposal")
    args = parser.parse_args()
    print(f"machine: {fx.machine()}", flush=True)
    source = fx.profile(args.articles)
    work = fx.copy_profile(source, fx.BENCH_DIR / "proposal")
    core = VigieCore(AppPaths(work))
    try:
        fps, fns = judge_sample(core, args.judged)
        total = core.store.count_all()
        print(
            f"{total:,} articles; judged {fps} highlighted ones not relevant, {fns} others relevant",
            flush=True,
        )
        t = time.perf_counter()
        judged = judged_articles(core.store, core.matcher)
        drawn = candidate_changes(core.watchlist, core._build_matcher, judged)
        nets = [_net_fixed(core._build_matcher(c.watchlist), judged) for c in drawn]
        finalists = sum(net == max(nets) for net in nets) if nets else 0
        print(
            f"  the judged articles alone: {len(drawn)} changes drawn and weighed on them in "
            f"{time.perf_counter() - t:.1f} s; {finalists} fix the most ({max(nets, default=0)} net) and are "
            "weighed over every article",
            flush=True,
        )
        runs = []
        proposal = None
        for i in range(args.repeat):
            t = time.perf_counter()
            proposal = core.propose_watchlist_change()
            runs.append(time.perf_counter() - t)
            print(
                f"  run {i + 1}: {runs[-1]:.1f} s; {proposal.weighed} changes weighed over {proposal.articles:,} "
                f"articles; {proposal.headline} fixes {len(proposal.fixed)} of {len(proposal.disagreements)} "
                f"judged disagreements, breaks {len(proposal.broken)}; +{len(proposal.added):,} / "
                f"-{len(proposal.removed):,} highlights",
                flush=True,
            )
        print(
            f"PROPOSAL over {total:,} articles with {fps + fns} judged: median of {len(runs)} run(s) "
            f"{fx.median(runs):.1f} s (min {min(runs):.1f}, max {max(runs):.1f})"
        )
        if args.apply and proposal is not None and proposal.change is not None:
            t = time.perf_counter()
            left = core.apply_proposal(proposal)
            print(
                f"APPLY (save + re-score every article): {time.perf_counter() - t:.1f} s; {len(left)} still disagree"
            )
    finally:
        core.close()


if __name__ == "__main__":
    main()
