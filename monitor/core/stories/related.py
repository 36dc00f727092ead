"""Why a story's related seed is related: the names, numbers and watched entries the story's first report and
the seed share, rarest first. (Grouping finds the related seed when a story starts: Grouper.related_seed.)"""

from __future__ import annotations

from dataclasses import dataclass

from monitor.core.storage.store import Store
from monitor.core.stories.grouping import Grouper
from monitor.core.stories.text import StoryFeatures


@dataclass(frozen=True)
class RelatedSeed:
    article_id: int
    similarity: float
    shared: tuple[str, ...]  # the names, numbers and watched entries both have, rarest first


def explain_related(store: Store, article_id: int, seed_id: int) -> RelatedSeed | None:
    """How the article `article_id` (a story's first report) relates to the seed `seed_id`; None when either is
    not grouped."""
    found = {a.id: a for a in store.indexed_articles([article_id, seed_id])}
    if article_id not in found or seed_id not in found:
        return None
    article, seed = (
        StoryFeatures.decode(found[i].lang, found[i].stems, found[i].anchors, found[i].sketch)
        for i in (article_id, seed_id)
    )
    grouper = Grouper(store)
    grouper._load_counts(set(article.anchors | seed.anchors))
    shared: dict[str, str] = {}
    for key in sorted(article.anchors & seed.anchors, key=grouper._weight, reverse=True):
        readable = key.split(":", 1)[1]  # "n:kessaci" -> "kessaci", "e:Mehdi Kessaci" -> "Mehdi Kessaci"
        shared.setdefault(readable.casefold(), readable)
    return RelatedSeed(seed_id, grouper.similarity(article, seed), tuple(shared.values()))
