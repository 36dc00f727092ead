"""Measure story grouping: serve labelled feeds on 127.0.0.1, poll them through the real pipeline, score stories.

    python -m monitor.evaluate --stories [--dev DIR]

DIR holds `items.jsonl` (with `link`, `story` and `thread`) and `feeds/*.xml`; by default
../shared/eval/stories-dev beside the checkout. Prints B-cubed precision, recall and F1 over items (and pairwise
precision and recall) for stories and for threads, then the worst merges (a predicted story holding several
labelled ones) and splits (a labelled story spread over several predicted ones).
"""

from __future__ import annotations

import tempfile
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

from monitor.core.errors import UserError
from monitor.core.models import SEED_SOURCE, ArticleQuery
from monitor.core.service import VigieCore
from monitor.paths import AppPaths

DEFAULT_STORIES_DEV = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "stories-dev"


@dataclass
class Scores:
    precision: float
    recall: float
    pair_precision: float
    pair_recall: float

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class StoryEvaluation:
    items: int
    missing: list[str]
    stories: Scores
    threads: Scores
    merges: list[str] = field(default_factory=list)
    splits: list[str] = field(default_factory=list)


def bcubed(predicted: Mapping[str, object], gold: Mapping[str, object]) -> Scores:
    """B-cubed precision and recall over the items of `gold` (an item missing from `predicted` is alone)."""
    clusters: dict[object, set[str]] = defaultdict(set)
    labels: dict[object, set[str]] = defaultdict(set)
    placed = {item: predicted.get(item, ("alone", item)) for item in gold}
    for item, cluster in placed.items():
        clusters[cluster].add(item)
        labels[gold[item]].add(item)
    precision = recall = 0.0
    for item in gold:
        mine, truth = clusters[placed[item]], labels[gold[item]]
        shared = len(mine & truth)
        precision += shared / len(mine)
        recall += shared / len(truth)
    n = max(len(gold), 1)
    same_predicted = {frozenset(p) for c in clusters.values() for p in combinations(sorted(c), 2)}
    same_gold = {frozenset(p) for c in labels.values() for p in combinations(sorted(c), 2)}
    both = len(same_predicted & same_gold)
    return Scores(
        precision / n,
        recall / n,
        both / len(same_predicted) if same_predicted else 1.0,
        both / len(same_gold) if same_gold else 1.0,
    )


def _errors(predicted: Mapping[str, object], labels: Mapping[str, dict]) -> tuple[list[str], list[str]]:
    by_cluster: dict[object, list[str]] = defaultdict(list)
    for item_id, cluster in predicted.items():
        by_cluster[cluster].append(item_id)
    merges = []
    for members in by_cluster.values():
        gold = Counter(labels[i]["story"] for i in members)
        if len(gold) > 1:
            wrong = len(members) - gold.most_common(1)[0][1]
            merges.append(
                (
                    wrong,
                    f"{len(members)} items of {dict(gold)}: "
                    + "; ".join(f"{i} {labels[i]['title'][:60]}" for i in sorted(members)),
                )
            )
    by_gold: dict[str, set[object]] = defaultdict(set)
    for item_id, cluster in predicted.items():
        by_gold[labels[item_id]["story"]].add(cluster)
    splits = []
    for story, clusters in by_gold.items():
        if len(clusters) > 1:
            parts = [sorted(i for i, c in predicted.items() if c == cluster) for cluster in clusters]
            described = " | ".join(
                ", ".join(f"{i} ({labels[i]['kind']}, {labels[i]['lang']})" for i in part) for part in parts
            )
            splits.append((len(clusters), f"{story} in {len(clusters)} stories: {described}"))
    return [m for _, m in sorted(merges, reverse=True)], [s for _, s in sorted(splits, reverse=True)]


def evaluate_stories(dev: Path, database: str | None = None) -> StoryEvaluation:
    """Poll the dev feeds into a throwaway profile and score its stories. `database`: a postgresql:// URL puts the
    store on that server (team mode) instead of the profile's SQLite file; it must hold no article yet (the seeds
    aside), and the run leaves its articles there. Raises UserError in words when it holds some."""
    from monitor.evaluate import read_labels, serve  # the same labels and local server as the watchlist's

    labels = read_labels(dev)
    server, base = serve(dev / "feeds")
    try:
        with tempfile.TemporaryDirectory(prefix="vigie-eval-stories-") as tmp:
            core = VigieCore(AppPaths(Path(tmp)), database=database)
            try:
                if any(a.source != SEED_SOURCE for a in core.store.articles(ArticleQuery())):
                    raise UserError(
                        "the database already holds articles: the stories evaluation needs an empty one "
                        "(its own articles would be grouped with them)"
                    )
                for path in sorted((dev / "feeds").glob("*.xml")):
                    core.add_feed(f"{base}/{path.name}")
                core.poll()
                articles = [a for a in core.store.articles(ArticleQuery()) if a.source != SEED_SOURCE]
            finally:
                core.close()
    finally:
        server.shutdown()
        server.server_close()
    by_id = {item["id"]: item for item in labels.values()}
    stories: dict[str, object] = {}
    threads: dict[str, object] = {}
    for article in articles:
        label = labels.get(article.link or "")
        if label is None:
            continue
        stories[label["id"]] = article.story if article.story is not None else ("alone", article.id)
        threads[label["id"]] = article.thread if article.thread is not None else ("alone", article.id)
    merges, splits = _errors(stories, by_id)
    return StoryEvaluation(
        items=len(labels),
        missing=sorted(i for i in by_id if i not in stories),
        stories=bcubed(stories, {i: item["story"] for i, item in by_id.items()}),
        threads=bcubed(threads, {i: item["thread"] for i, item in by_id.items()}),
        merges=merges,
        splits=splits,
    )


def print_story_evaluation(result: StoryEvaluation, worst: int = 10) -> None:
    print(f"items: {result.items} (missing from the poll: {len(result.missing)})")
    for name, scores in (("stories", result.stories), ("threads", result.threads)):
        print(
            f"{name:8} B-cubed precision {scores.precision:.3f}  recall {scores.recall:.3f}  F1 {scores.f1:.3f}"
            f"   (pairwise precision {scores.pair_precision:.3f}  recall {scores.pair_recall:.3f})"
        )
    for merge in result.merges[:worst]:
        print(f"  merge: {merge}")
    for split in result.splits[:worst]:
        print(f"  split: {split}")
    for missing in result.missing:
        print(f"  missing: {missing}")
