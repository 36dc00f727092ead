"""The related seed of a story: the seed article its first report is closest to, and the terms they share.

The seed corpus is a handful of reference articles, so each story is compared with every seed by grouping's own
similarity (names, numbers, dates and watched entries weighted by their rarity in the store, plus the content
words when the languages agree). Below MIN_RELATED, nothing is related.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitor.core.storage.store import Store
from monitor.core.stories.grouping import Grouper
from monitor.core.stories.text import StoryFeatures

MIN_RELATED = 0.12


@dataclass(frozen=True)
class RelatedSeed:
    article_id: int
    similarity: float
    shared: tuple[str, ...]  # the names, numbers and watched entries both have, rarest first


class SeedRelations:
    """Compares articles with the seeds of one store (build one per listing: it reads the seeds once)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._grouper = Grouper(store)
        self._seeds = [
            (seed.id, StoryFeatures.decode(seed.lang, seed.stems, seed.anchors, seed.sketch))
            for seed in store.seed_features()
        ]
        self._grouper._load_counts({k for _, f in self._seeds for k in f.anchors})

    def related(self, article_ids: list[int]) -> dict[int, RelatedSeed]:
        """The related seed of each of `article_ids` that has one (seeds are not related to themselves)."""
        if not self._seeds:
            return {}
        found: dict[int, RelatedSeed] = {}
        articles = self._store.indexed_articles(article_ids)
        self._grouper._load_counts({k for a in articles for k in a.anchors.split("\t") if k})
        seed_ids = {seed_id for seed_id, _ in self._seeds}
        for article in articles:
            if article.id in seed_ids:
                continue
            features = StoryFeatures.decode(article.lang, article.stems, article.anchors, article.sketch)
            score, seed_id, seed = max(
                ((self._grouper.similarity(features, f), i, f) for i, f in self._seeds), key=lambda x: x[0]
            )
            if score >= MIN_RELATED:
                shared = sorted(features.anchors & seed.anchors, key=self._grouper._weight, reverse=True)
                found[article.id] = RelatedSeed(seed_id, score, tuple(_readable(k) for k in shared))
        return found


def _readable(key: str) -> str:
    """An anchor as the analyst reads it: "n:kessaci" -> "kessaci", "e:Mehdi Kessaci" -> "Mehdi Kessaci"."""
    return key.split(":", 1)[1]
