"""The story index's keys near the days a Grouper places, kept in memory for the length of one Grouper (a poll).

A first poll of 500 feeds places 20,000 articles of the same few days: each looks up some 20 keys, and the
names and numbers of those days come back article after article. Asked of SQL, every look-up counted a key's rows
in the range of days (up to MAX_KEY_HITS + 1) and then read them again, 2.2 million rows for 20,000 articles.
Here each key's rows are read from the store once, for the days asked (and a few days either side), and the
articles the Grouper places are added as they are written: what is asked again is answered from memory.

What is kept is bounded by the days the Grouper's articles fall on (each key's rows over a range of days around
them), never by the size of the store, and it lives as long as the Grouper. The answers are those of
`StoryIndex.articles_with_keys` over the same rows (tests/core/stories/test_key_index.py compares them).

A key is not read at all for days that had no grouped article when the index first looked at them (the store's
story_days, schema 30): its rows there can only be the ones this index's Grouper wrote, which `add` keeps (or,
for a key whose days were not kept, notes as written elsewhere: such a key is always read). A first poll's
articles fall on days nothing was grouped on yet; their MinHash band keys, some 120,000 look-ups that found
nothing, were a tenth of its grouping. Another process grouping articles on those days meanwhile (a client's
seeds beside the service's poll) goes unseen for the length of this index, as a row it writes on days already
read does.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Protocol

# Days read either side of the range first asked for a key: the next articles of a poll fall on the days around
# (one read then serves them), while the rows kept stay those of the poll's days.
MARGIN_DAYS = 3
EVERY_DAY = (-(1 << 40), 1 << 40)  # the span of a key no article had when first asked for
KEYS_PER_RANGE = 100  # keys of one range looked up at most (StoryIndex.articles_with_keys takes as many)
ID_BITS = 40  # a row is day << ID_BITS | article id: ids below 2**40, days of either sign (Python ints)
ID_MASK = (1 << ID_BITS) - 1


class KeyRows(Protocol):
    def key_rows(
        self, ranges: Sequence[tuple[Sequence[str], int, int]]
    ) -> Iterable[tuple[str, int, int]]: ...

    def grouped_days(self, first_day: int, last_day: int) -> set[int]: ...


class KeyIndex:
    """Each key's rows over the days read so far, sorted, each one int: day << ID_BITS | article id (half the
    memory of a (day, id) tuple, and compared faster); beside them the same rows' article ids, in the same order,
    so that a look-up's answer is a slice of a list rather than a list made row by row."""

    def __init__(self, store: KeyRows) -> None:
        self.store = store
        # Each key's rows and their article ids, in the same order; a key with no row kept has no lists (a first
        # poll's 118,000 band keys mostly have none).
        self._rows: dict[str, list[int]] = {}
        self._ids: dict[str, list[int]] = {}
        self._span: dict[str, tuple[int, int]] = {}  # the days read of each key (first, last)
        self._days: tuple[int, int] | None = None  # the days whose story_days were read (first, last)
        self._grouped_days: list[int] = []  # those that had grouped articles then, sorted
        self._written_elsewhere: set[str] = set()  # keys added on days outside their span (rows not kept)
        self.reads = 0  # statements run (for tests and benches)

    def clear(self) -> None:
        self._rows.clear()
        self._ids.clear()
        self._span.clear()
        self._days = None
        self._grouped_days = []
        self._written_elsewhere.clear()

    def __len__(self) -> int:
        return sum(map(len, self._rows.values()))

    def read_ranges(
        self, ranges: Sequence[tuple[Sequence[str], int, int]], unknown: Callable[[str], bool]
    ) -> None:
        """Make sure every key's rows over its range of days are kept, for each (keys, first day, last day) of
        `ranges`: the days not read yet of them all are read in one store call (one statement on PostgreSQL). A
        key `unknown` says no article has is kept over every day without a read (what comes later is added)."""
        if not ranges:
            return
        self._learn_days(
            min(first for _, first, _ in ranges) - MARGIN_DAYS - 1,
            max(last for _, _, last in ranges) + MARGIN_DAYS + 1,
        )
        missing: dict[tuple[int, int], list[str]] = {}
        for keys, first_day, last_day in ranges:
            self._missing(keys, first_day, last_day, unknown, missing)
        if not missing:
            return
        self.reads += 1
        touched = set()
        for key, day, article_id in self.store.key_rows(
            [(keys, lo, hi) for (lo, hi), keys in sorted(missing.items())]
        ):
            self._rows.setdefault(key, []).append(day << ID_BITS | article_id)
            touched.add(key)
        for key in touched:
            rows = self._rows[key]
            rows.sort()
            self._ids[key] = [row & ID_MASK for row in rows]

    def _learn_days(self, first_day: int, last_day: int) -> None:
        """Read which days of [first_day, last_day] not read yet had grouped articles (before this index's Grouper
        writes on them: every article it places looks its own days up first)."""
        lo, hi = self._days or (first_day, first_day - 1)  # nothing read yet: an empty span
        found: set[int] = set()
        if first_day < lo:
            found |= self.store.grouped_days(first_day, lo - 1)
        if last_day > hi:
            found |= self.store.grouped_days(hi + 1, last_day)
        self._days = (min(first_day, lo), max(last_day, hi))
        if found:
            self._grouped_days = sorted(found.union(self._grouped_days))

    def _had_articles(self, first_day: int, last_day: int) -> bool:
        """Whether a day of [first_day, last_day] had grouped articles (a day either side too: story_days may
        record a day as the one after)."""
        days = self._grouped_days
        at = bisect_left(days, first_day - 1)
        return at < len(days) and days[at] <= last_day + 1

    def _missing(
        self,
        keys: Sequence[str],
        first_day: int,
        last_day: int,
        unknown: Callable[[str], bool],
        missing: dict[tuple[int, int], list[str]],
    ) -> None:
        """Add to `missing` the days of [first_day, last_day] (and a margin) not read yet of each key, by range
        of days, but for days without grouped articles where this index keeps every row the key has; the keys'
        spans are set as if they were read (read_ranges reads them all)."""
        elsewhere = self._written_elsewhere
        wide = first_day - MARGIN_DAYS, last_day + MARGIN_DAYS
        wide_had = self._had_articles(*wide)
        for key in keys:
            span = self._span.get(key)
            if span is None and unknown(key):
                self._span[key] = EVERY_DAY
                continue
            if span is None:
                if wide_had or key in elsewhere:
                    missing.setdefault(wide, []).append(key)
                self._span[key] = wide
                continue
            lo, hi = span
            if first_day >= lo and last_day <= hi:
                continue
            if first_day < lo:
                if key in elsewhere or self._had_articles(wide[0], lo - 1):
                    missing.setdefault((wide[0], lo - 1), []).append(key)
                lo = wide[0]
            if last_day > hi:
                if key in elsewhere or self._had_articles(hi + 1, wide[1]):
                    missing.setdefault((hi + 1, wide[1]), []).append(key)
                hi = wide[1]
            self._span[key] = (lo, hi)

    def add(self, keys: Iterable[tuple[str, int]], article_id: int) -> None:
        """An article just written with these (key, day) rows: kept where its key's days were read (elsewhere a
        later read finds it in the store)."""
        for key, day in keys:
            span = self._span.get(key)
            if span is not None and span[0] <= day <= span[1]:
                rows, row = self._rows.get(key), day << ID_BITS | article_id
                if rows is None:  # the first row kept of this key (its lists are made with it)
                    self._rows[key], self._ids[key] = [row], [article_id]
                    continue
                at = bisect_right(rows, row)
                rows.insert(at, row)
                self._ids[key].insert(at, article_id)
            else:
                self._written_elsewhere.add(key)

    def articles_with_keys(
        self,
        ranges: Sequence[tuple[Sequence[str], int, int]],
        max_per_key: int,
        unknown: Callable[[str], bool] = lambda key: False,
    ) -> list[tuple[int, str, int]]:
        """What StoryIndex.articles_with_keys answers: (range index, key, article id) for the articles that have
        a key of a range on a day of that range, keys that more than `max_per_key` articles have there left
        out; each range's keys in their order, each key's rows in order of (day, id). `unknown(key)` is True
        for a key no grouped article has (story_df's count of it is 0): it is not read from the store."""
        found: list[tuple[int, str, int]] = []
        for part, key, ids in self.hits(ranges, max_per_key, unknown):
            found.extend((part, key, article_id) for article_id in ids)
        return found

    def hits(
        self,
        ranges: Sequence[tuple[Sequence[str], int, int]],
        max_per_key: int,
        unknown: Callable[[str], bool] = lambda key: False,
    ) -> Iterator[tuple[int, str, list[int]]]:
        """articles_with_keys's answer a key at a time: (range index, key, the ids of its articles), no tuple
        made per row (the grouper adds up each key's weight over its ids)."""
        wanted = [(list(keys)[:KEYS_PER_RANGE], first, last) for keys, first, last in ranges]
        self.read_ranges(wanted, unknown)
        all_rows, all_ids = self._rows, self._ids
        for part, (keys, first_day, last_day) in enumerate(wanted):
            start, end = first_day << ID_BITS, (last_day + 1) << ID_BITS
            for key in keys:
                rows = all_rows.get(key)
                if not rows:
                    continue
                lo = bisect_left(rows, start)
                hi = bisect_left(rows, end, lo)
                if 0 < hi - lo <= max_per_key:
                    yield part, key, all_ids[key][lo:hi]
