"""Grouping articles into stories as they arrive (Europe Media Monitor style chaining, one article at a time).

An article joins the story of the earlier article it resembles most, if that article is close enough in time
and in content:

- in the same language, the mean of two similarities: the content words (`stems`) and the anchors (names,
  numbers, dates, watched entries: rare ones weigh more, by their inverse document frequency in the store);
- across languages, the anchors alone (what a translation keeps);
- a near-duplicate (a reprint: the MinHash sketches of the two texts agree) joins whatever the time between.

"Close in time" is STORY_GAP from any report of the story, so a story runs as long as reports keep coming,
while the same kind of event a week later in the same district starts a new story. An article that starts a
new story but strongly resembles an earlier story (a development weeks later: an arrest, a trial) joins that
story's thread.

Candidates come from the story index by key and range of days (storage/story_index.py), never by scanning, and
very common keys are not looked up at all (they weigh next to nothing), so the cost per article is bounded. A
Grouper keeps the index's rows of the keys and days it has looked up in memory (stories/key_index.py: read for
a batch at once, then kept up to date as it writes), so the articles of one poll do not ask SQL for the same
rows again and again.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from monitor.core.storage.store import Store
from monitor.core.storage.story_index import GroupedArticle, IndexedArticle, UngroupedArticle
from monitor.core.stories.key_index import KeyIndex
from monitor.core.stories.text import StoryFeatures, resemblance, story_features, text_digest

log = logging.getLogger(__name__)

STORY_GAP_HOURS = 36.0  # a report joins a story when it is this close to one of its reports
REPRINT_GAP_HOURS = 30 * 24.0  # a near-duplicate joins from this far
THREAD_GAP_HOURS = 120 * 24.0  # a development links to a case this old at most
SAME_STORY = 0.32  # similarity from which two reports in one language are one story
SAME_STORY_ACROSS_LANGUAGES = 0.35  # the same, on anchors alone, for a report in another language
SAME_THREAD = 0.40  # similarity from which a new story continues an earlier one's thread
NEAR_DUPLICATE = 0.5  # estimated Jaccard similarity of word 3-shingles from which a text is a reprint
# A key in more than this share of the store says nothing about one event ("Marseille" in a Marseille watch):
# it is not looked up (it would bring hundreds of candidates) and weighs little in the similarity.
COMMON_KEY_SHARE = 0.05
RARE_KEY_SHARE = 0.01  # keys looked up over a thread's long range of days: only the rare ones
MIN_COUNT_FOR_SHARE = 50  # in a small store every key is rare enough to look up
# Anchors never looked up (so not in the key table): a weekday or a month names no event on its own; they still
# count in the similarity of the candidates the other keys bring.
UNINDEXED = frozenset("dm")
MIN_RELATED = 0.12  # similarity from which a seed article is a story's related seed
BATCH = 500  # articles per write transaction: short, so the window's writes never wait long
# Candidates compared in full per article: those sharing the most weight of looked-up keys (and every one that
# shares a MinHash band). Bounds the work per article when a busy day brings many that share a name or two.
MAX_COMPARED = 24
# A key more articles than this have in the range of days looked up is not looked up (a name in the news every
# day of the week); it still counts in the similarity of the candidates found by other keys.
MAX_KEY_HITS = 60
# Candidates kept decoded between articles (and between the feeds of one poll): news comes in order of time, so
# the articles a new one is compared with are mostly among the last thousands seen. A first poll of 500 feeds
# brings 20,000 articles of the same days: with 5,000 kept, 8 candidates an article were read and decoded again
# (a quarter of the grouping's time). About 5 KB each, their words shared (StoryFeatures.interned).
MAX_CACHED = 20_000
# Features made in a parser process and not placed yet, at most (a poll's articles are placed feed by feed).
MAX_READY = 50_000
# A batch's key rows are read ahead for its articles' days in windows of this many days (Grouper.prepare).
PREPARED_DAYS = 4


@dataclass
class GroupingResult:
    grouped: int = 0
    new_stories: int = 0


@dataclass
class _Candidate:
    article: IndexedArticle
    features: StoryFeatures
    norm: float = -1.0  # the weight of its anchors, computed once per batch


class Grouper:
    """Groups one batch of articles against the story index of `store` (one instance per batch)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.total = max(store.indexed_count(), 1)
        self._counts: dict[str, int] = {}
        self._weights: dict[str, float] = {}  # by key, until its count changes (the total barely moves)
        self._features: dict[int, _Candidate] = {}  # the most recent MAX_CACHED, oldest first
        self._placed: tuple[int, StoryFeatures] | None = None  # the last article placed, for remember()
        self._seeds: list[tuple[int, StoryFeatures]] | None = None  # read when the batch's first story starts
        # Features made in a parser process, by text digest: (the language hint they were made with, features).
        self._ready: dict[bytes, tuple[str | None, StoryFeatures]] = {}
        self.made_here = 0  # articles whose features place() made itself (none came from a parser process)
        self.rows_behind = 0  # articles grouped whose stories' list rows were left stale (group_new_articles)
        # The keys of the days this grouper places, read once each (the thread's long look-ups ask the store).
        self.keys = KeyIndex(store)
        self._prepared: dict[int, StoryFeatures] = {}  # the features of the batch being placed, by article id

    def offer(self, made: Iterable[tuple[str, str, str, str | None, StoryFeatures]]) -> None:
        """Features a parser process made, each with its article's (title, summary, content, language hint):
        `place` takes them instead of making them again, when the stored article has that text and hint."""
        for title, summary, content, hint, features in made:
            if len(self._ready) >= MAX_READY:
                break
            self._ready[text_digest(title, summary, content)] = (hint, features.interned())

    def _features_of(self, item: UngroupedArticle) -> StoryFeatures:
        ready = (
            self._ready.pop(text_digest(item.title, item.summary, item.content), None)
            if self._ready
            else None
        )
        if ready is not None and ready[0] == item.lang:
            return ready[1].with_entries(item.entries)
        self.made_here += 1
        return story_features(
            item.title, item.summary, item.content, lang_hint=item.lang, entries=item.entries
        )

    # -- weights ------------------------------------------------------------------------------------------

    def _load_counts(self, keys: set[str]) -> None:
        missing = [k for k in keys if k not in self._counts]
        if missing:
            found = self.store.key_counts(missing)
            for key in missing:
                self._counts[key] = found.get(key, 0)

    def _weight(self, key: str) -> float:
        weight = self._weights.get(key)
        if weight is None:
            weight = self._weights[key] = math.log(1.0 + self.total / (self._counts.get(key, 0) + 1))
        return weight

    def _norm(self, anchors: frozenset[str]) -> float:
        # A loop over the kept weights rather than sum(map(self._weight, ...)): a method call per key was a tenth
        # of a 500-feed poll's grouping (half a million similarities of some 20 anchors each).
        weights = self._weights
        total = 0.0
        for key in anchors:
            weight = weights.get(key)
            total += self._weight(key) if weight is None else weight
        return total

    def _unknown(self, key: str) -> bool:
        """True for a name, number or entry no grouped article has (its count, read from story_df and kept up to
        date by remember(), is 0): the story index has no row of it. A MinHash band is not counted: unknown."""
        return self._counts.get(key) == 0

    def _share_limit(self, share: float) -> float:
        return max(MIN_COUNT_FOR_SHARE, share * self.total)

    # -- similarity ---------------------------------------------------------------------------------------

    def similarity(
        self, a: StoryFeatures, b: StoryFeatures, norm_a: float | None = None, norm_b: float | None = None
    ) -> float:
        shared = self._norm(a.anchors & b.anchors)
        norm_a = self._norm(a.anchors) if norm_a is None else norm_a
        norm_b = self._norm(b.anchors) if norm_b is None else norm_b
        anchors = shared / math.sqrt(norm_a * norm_b) if norm_a and norm_b else 0.0
        if a.lang != b.lang:
            return anchors
        words = (
            len(a.stems & b.stems) / math.sqrt(len(a.stems) * len(b.stems)) if a.stems and b.stems else 0.0
        )
        return (anchors + words) / 2

    # -- one article --------------------------------------------------------------------------------------

    def _lookup(
        self, features: StoryFeatures, at: float, *, thread: bool
    ) -> tuple[list[_Candidate], set[int]]:
        """The articles worth comparing with `features`, and those among them that share a MinHash band: near in
        time (and near-duplicates from further), or with `thread` the earlier ones a development may continue
        (rare keys only, over a long range of days)."""
        day = int(at // 24)
        gap_days = int(STORY_GAP_HOURS // 24) + 1
        shared: dict[int, float] = {}
        banded: set[int] = set()
        if thread:
            rare = self._share_limit(RARE_KEY_SHARE)
            keys = sorted(
                k for k in features.anchors if k[0] not in UNINDEXED and self._counts.get(k, 0) <= rare
            )
            reach = int(THREAD_GAP_HOURS // 24)
            ranges = [(keys, day - reach, day - gap_days - 1)]
        else:
            common = self._share_limit(COMMON_KEY_SHARE)
            keys = sorted(
                k for k in features.anchors if k[0] not in UNINDEXED and self._counts.get(k, 0) <= common
            )
            reach = int(REPRINT_GAP_HOURS // 24)
            ranges = [(keys, day - gap_days, day + gap_days), (features.band_keys, day - reach, day + reach)]
        # Some 110 rows an article in a first poll: one pass, each looked-up key's weight found once.
        weight_of = {key: self._weight(key) for key in keys}
        weight_so_far = shared.get
        if thread:
            for _, key, article_id in self.store.articles_with_keys(ranges, MAX_KEY_HITS):
                shared[article_id] = weight_so_far(article_id, 0.0) + weight_of[key]
        else:
            for part, key, ids in self.keys.hits(ranges, MAX_KEY_HITS, self._unknown):
                if part == 1:
                    banded.update(ids)
                else:
                    weight = weight_of[key]
                    for article_id in ids:
                        shared[article_id] = weight_so_far(article_id, 0.0) + weight
        # Ties on shared weight are cut by article id (the earliest first), never by the order keys came in (a
        # frozenset's: it changed with the hash seed of each run); candidates are compared in order of id.
        # (A sort by weight, descending, keeps the ascending ids of equal weights: Python's sort is stable.)
        ids = sorted(
            set(sorted(sorted(shared), key=shared.__getitem__, reverse=True)[:MAX_COMPARED]) | banded
        )
        cached = self._features
        by_id = {i: cached[i] for i in ids if i in cached}
        for article in self.store.indexed_articles([i for i in ids if i not in by_id]):
            features_b = StoryFeatures.decode(article.lang, article.stems, article.anchors, article.sketch)
            by_id[article.id] = self._keep(_Candidate(article, features_b))
        found = [by_id[i] for i in ids if i in by_id]
        self._load_counts({k for c in found if c.norm < 0 for k in c.features.anchors})
        for candidate in found:
            if candidate.norm < 0:
                candidate.norm = self._norm(candidate.features.anchors)
        return found, banded

    def prepare(self, batch: Sequence[UngroupedArticle]) -> None:
        """Before a batch is placed: its features, their counts, and the story index's rows of their keys over
        the days their look-ups ask for, read for the whole batch at once (a few statements, not two an article;
        the batch's days in windows of PREPARED_DAYS, so a backlog over months reads no more than it needs)."""
        windows: dict[int, list[StoryFeatures]] = {}
        for item in batch:
            features = self._prepared[item.id] = self._features_of(item)
            windows.setdefault(int(item.at // 24) // PREPARED_DAYS, []).append(features)
        self._load_counts({k for f in self._prepared.values() for k in f.anchors})
        gap_days, reach = int(STORY_GAP_HOURS // 24) + 1, int(REPRINT_GAP_HOURS // 24)
        common = self._share_limit(COMMON_KEY_SHARE)
        ranges: list[tuple[Sequence[str], int, int]] = []
        for window, features in sorted(windows.items()):
            first, last = window * PREPARED_DAYS, window * PREPARED_DAYS + PREPARED_DAYS - 1
            keys = {
                k for f in features for k in f.anchors if k[0] not in UNINDEXED and self._counts[k] <= common
            }
            ranges.append((sorted(keys), first - gap_days, last + gap_days))
            ranges.append((sorted({k for f in features for k in f.band_keys}), first - reach, last + reach))
        self.keys.read_ranges(ranges, self._unknown)  # one store call (one statement on PostgreSQL)

    def place(self, item: UngroupedArticle) -> GroupedArticle:
        """Decide the story and thread of one article (without writing anything)."""
        features = self._prepared.pop(item.id, None) or self._features_of(item)
        self._load_counts(set(features.anchors))
        norm = self._norm(features.anchors)
        best_story: tuple[float, IndexedArticle] | None = None
        best_thread: tuple[float, IndexedArticle] | None = None
        candidates, banded = self._lookup(features, item.at, thread=False)
        for candidate in candidates:
            other = candidate.article
            gap = abs(item.at - other.at)
            if gap > STORY_GAP_HOURS and not (other.id in banded and gap <= REPRINT_GAP_HOURS):
                continue  # it cannot join: its similarity is not needed (the thread pass below makes its own)
            score = self.similarity(features, candidate.features, norm, candidate.norm)
            threshold = (
                SAME_STORY if features.lang == candidate.features.lang else SAME_STORY_ACROSS_LANGUAGES
            )
            joins = gap <= STORY_GAP_HOURS and score >= threshold
            if not joins and other.id in banded and gap <= REPRINT_GAP_HOURS:
                joins = resemblance(features.sketch, candidate.features.sketch) >= NEAR_DUPLICATE
            if joins and (best_story is None or score > best_story[0]):
                best_story = (score, other)
        if (
            best_story is None
        ):  # a new story: does it continue an earlier case? (only then: it costs look-ups)
            earlier, _ = self._lookup(features, item.at, thread=True)
            for candidate in earlier + candidates:
                other = candidate.article
                if other.at < item.at - STORY_GAP_HOURS:
                    score = self.similarity(features, candidate.features, norm, candidate.norm)
                    if score >= SAME_THREAD and (best_thread is None or score > best_thread[0]):
                        best_thread = (score, other)
        related = None if best_story is not None else self.related_seed(item.id, features, norm)
        self._placed = (item.id, features)
        stems, anchors, sketch = features.encode()
        if best_story is not None:
            story, thread, new = best_story[1].story, best_story[1].thread, False
        else:
            story, new = item.id, True
            thread = best_thread[1].thread if best_thread is not None else item.id
        day = int(item.at // 24)
        keys = [(k, day) for k in features.anchors if k[0] not in UNINDEXED]
        keys += [(k, day) for k in features.band_keys]
        return GroupedArticle(
            id=item.id,
            story=story,
            thread=thread,
            new_story=new,
            at=item.at,
            lang=features.lang,
            stems=stems,
            anchors=anchors,
            sketch=sketch,
            keys=tuple(keys),
            counted=tuple(features.anchors),
            related_seed=related,
        )

    def seeds(self) -> list[tuple[int, StoryFeatures]]:
        if self._seeds is None:
            self._seeds = [
                (seed.id, StoryFeatures.decode(seed.lang, seed.stems, seed.anchors, seed.sketch))
                for seed in self.store.seed_features()
            ]
            self._load_counts({k for _, f in self._seeds for k in f.anchors})
        return self._seeds

    def related_seed(self, article_id: int, features: StoryFeatures, norm: float | None = None) -> int | None:
        """The seed article closest to `features` (a seed is related to no other), or None below MIN_RELATED."""
        best: tuple[float, int] | None = None
        for seed_id, seed in self.seeds():
            if seed_id == article_id:
                return None
            score = self.similarity(features, seed, norm)
            if score >= MIN_RELATED and (best is None or score > best[0]):
                best = (score, seed_id)
        return best[1] if best else None

    def _keep(self, candidate: _Candidate) -> _Candidate:
        self._features[candidate.article.id] = candidate
        if len(self._features) > MAX_CACHED:
            del self._features[next(iter(self._features))]
        return candidate

    def forget(self) -> None:
        """Drop what this grouper remembers (after a batch was rolled back: its decisions were not kept)."""
        self._features.clear()
        self.keys.clear()
        self._prepared.clear()
        self._ready.clear()
        self._counts.clear()
        self._weights.clear()
        self.total = max(self.store.indexed_count(), 1)

    def remember(self, grouped: GroupedArticle) -> None:
        """Count the article's keys and keep its features for the articles that come next."""
        self.total += 1
        self.keys.add(grouped.keys, grouped.id)
        for key in grouped.counted:
            self._counts[key] = self._counts.get(key, 0) + 1
            self._weights.pop(key, None)
        features = self._placed if self._placed is not None and self._placed[0] == grouped.id else None
        self._keep(
            _Candidate(
                IndexedArticle(
                    grouped.id,
                    grouped.at,
                    grouped.lang,
                    grouped.stems,
                    grouped.anchors,
                    grouped.sketch,
                    grouped.story,
                    grouped.thread,
                ),
                features[1]
                if features is not None
                else StoryFeatures.decode(grouped.lang, grouped.stems, grouped.anchors, grouped.sketch),
            )
        )


def group_new_articles(
    store: Store,
    *,
    limit: int | None = None,
    on_batch: Callable[[int], None] | None = None,
    grouper: Grouper | None = None,
    rows_lag: int = 0,
) -> GroupingResult:
    """Give every article without a story its story and thread (at most `limit`, earliest first).

    `grouper` carries what was read and decoded from one call to the next (a poll groups after each feed); it
    must be used on one thread, while nothing else groups. Grouping an article twice never happens (only
    articles without a story are read), so polling the same items again changes no story.

    The story list's rows of the stories that got reports are updated with each batch (from the new reports);
    rows marked stale (a re-poll changed or removed reports) are rewritten from all their reports before the call
    returns, unless `rows_lag` allows this many grouped articles to pass before that, for a later call of the
    same grouper (a poll's feeds)."""
    result = GroupingResult()
    grouper = grouper or Grouper(store)
    while limit is None or result.grouped < limit:
        size = BATCH if limit is None else min(BATCH, limit - result.grouped)
        batch = store.ungrouped(size)
        if not batch:
            break
        grouper.prepare(batch)
        store.begin_grouping()
        place_batch(store, grouper, batch, result)
        grouper.rows_behind += len(batch)
        refresh = grouper.rows_behind > rows_lag
        store.end_grouping(refresh_rows=refresh)
        if refresh:
            grouper.rows_behind = 0
        if on_batch:
            on_batch(result.grouped)
    if grouper.rows_behind > rows_lag:  # nothing left to group: the rows left stale by earlier calls
        store.refresh_stale_rows()
        grouper.rows_behind = 0
    return result


def place_batch(
    store: Store, grouper: Grouper, batch: Sequence[UngroupedArticle], result: GroupingResult
) -> None:
    """Place and write a prepared batch in the open grouping transaction, counted in `result`; a failure rolls
    the transaction back and the grouper forgets what it read (its decisions were not kept)."""
    try:
        for item in batch:
            grouped = grouper.place(item)
            store.write_grouping(grouped)
            grouper.remember(grouped)
            result.grouped += 1
            result.new_stories += grouped.new_story
    except BaseException:
        store.end_grouping(commit=False)
        grouper.forget()
        raise
