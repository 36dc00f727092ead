"""What becomes a notification: after each poll, one notification for its new highlighted items that pass.

The rules, in order: notifications are on (Settings.notifications); alerts are not paused; it is not quiet
hours (Settings.quiet_hours_start/end, local "HH:MM", may span midnight); the item's feed is not muted; one
alert per story (core.stories): a later report of a story that already alerted stays quiet unless it names a
watched entry the story did not have, which gives one "update". An item not grouped into a story yet must not
be a near-duplicate (by title) of an item alerted in the last 48 hours or earlier in the same poll. Items
of a muted feed are not alerts at all. Items held back by quiet hours, a pause or notifications switched off
count as unread alerts (the tray badge) but, never shown, do not keep a later copy of their story from alerting.

State lives in the store's meta table: ``alerts_paused_until`` and ``alerts_history`` (a JSON list of recently
alerted items with their title shingles, pruned to the duplicate window), and per story in the stories table
(schema 11): the watched entries it had when it last alerted.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING

from monitor.core.matching.folding import fold_key
from monitor.core.models import Article
from monitor.core.settings import Settings
from monitor.core.stories.summaries import summarise
from monitor.core.support.clock import Clock, iso, parse_iso, utc_now

if TYPE_CHECKING:
    from monitor.core.polling.poller import PollResult
    from monitor.core.storage.store import Store

log = logging.getLogger(__name__)

PAUSED_UNTIL_KEY = "alerts_paused_until"
HISTORY_KEY = "alerts_history"
# Paused "until resumed" is stored as this far-future moment, so one key says both.
FOREVER = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
DUPLICATE_THRESHOLD = 0.6
DUPLICATE_WINDOW = timedelta(hours=48)
# Entry names named in a notification title; the rest become "…".
MAX_NAMES = 3
# Words too common to say anything about which story a title tells (folded: no accents, lower case).
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "to",
        "was",
        "were",
        "will",
        "with",
        "au",
        "aux",
        "avec",
        "ce",
        "ces",
        "dans",
        "de",
        "des",
        "du",
        "elle",
        "en",
        "est",
        "et",
        "il",
        "ils",
        "la",
        "le",
        "les",
        "leur",
        "lui",
        "mais",
        "ne",
        "par",
        "pas",
        "pour",
        "qu",
        "que",
        "qui",
        "sa",
        "se",
        "ses",
        "son",
        "sont",
        "sur",
        "un",
        "une",
    ]
)
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Notification:
    """One notification for one poll.

    Attributes:
        title: e.g. "3 new items: Amine Kessaci, PNACO".
        body: the title of the top-scored item.
        article_ids: the items it is about, top-scored first (the window shows them when it is clicked).
    """

    title: str
    body: str
    article_ids: list[int] = field(default_factory=list)


def title_shingles(title: str) -> frozenset[str]:
    """The words of a title that tell its story: accent- and case-folded, elisions and stop words dropped."""
    words = []
    for token in _WORD.findall(fold_key(title).replace("'", " ")):
        if len(token) > 1 and token not in _STOPWORDS:
            words.append(token)
    return frozenset(words)


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard similarity of two shingle sets (0 when either is empty)."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def parse_hhmm(value: str) -> time | None:
    """ "HH:MM" (or "H:MM") as a time; None for an empty or malformed value."""
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", value or "")
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def in_quiet_hours(moment: datetime, start: str, end: str, tz: tzinfo | None = None) -> bool:
    """Whether `moment` (aware) falls in the quiet hours [start, end) of the local day (may cross midnight).

    Empty, malformed or equal bounds mean no quiet hours.
    """
    begin, finish = parse_hhmm(start), parse_hhmm(end)
    if begin is None or finish is None or begin == finish:
        if (start or end) and (begin is None or finish is None):
            log.warning("quiet hours %r-%r are not HH:MM; ignoring them", start, end)
        return False
    local = moment.astimezone(tz).time().replace(tzinfo=None)
    if begin < finish:
        return begin <= local < finish
    return local >= begin or local < finish


@dataclass(frozen=True)
class _Alerted:
    """One remembered alert: when, which article, its title words, and whether it was shown or held back."""

    at: datetime
    article_id: int
    words: frozenset[str]
    notified: bool


class AlertPolicy:
    """Decides what a poll's alerts become, and remembers them for near-duplicates and the unread count.

    Safe for the poll worker and the window's task runner at once: each call goes through the calling
    thread's own store connection. The window never calls it on the GUI thread (VigieCore's alert methods,
    through the Bridge).

    Args:
        store: where the poll's alert items, the feeds' mute flags and this policy's memory are.
        settings: the current settings, or a function returning them (they change while the app runs).
        clock: the wall clock (UTC).
        tz: the time zone of quiet hours (default: the machine's local zone).
        threshold: Jaccard similarity of title shingles from which two items tell the same story.
        window: how long an alert is remembered (keeps look-alikes quiet, counts while unread).
    """

    def __init__(
        self,
        store: Store,
        settings: Settings | Callable[[], Settings],
        *,
        clock: Clock = utc_now,
        tz: tzinfo | None = None,
        threshold: float = DUPLICATE_THRESHOLD,
        window: timedelta = DUPLICATE_WINDOW,
    ) -> None:
        self._store = store
        self._settings = settings if callable(settings) else (lambda: settings)
        self._clock = clock
        self._tz = tz
        self._threshold = threshold
        self._window = window
        self._lock = threading.Lock()  # one read-modify-write of the history at a time

    # -- pausing ---------------------------------------------------------------------------------------------

    def pause(self, duration: timedelta | None = None) -> datetime:
        """Pause alerts for `duration`, or until resume() when None; returns the end (year 9999: never)."""
        until = FOREVER if duration is None else self._clock() + duration
        self._store.set_own_meta(PAUSED_UNTIL_KEY, iso(until))
        log.info("alerts paused %s", "until resumed" if duration is None else f"until {iso(until)}")
        return until

    def resume(self) -> None:
        self._store.set_own_meta(PAUSED_UNTIL_KEY, "")
        log.info("alerts resumed")

    def paused_until(self) -> datetime | None:
        """When a pause in force ends (year 9999 for "until resumed"), or None when alerts are on."""
        until = parse_iso(self._store.get_own_meta(PAUSED_UNTIL_KEY, "") or "")
        if until is None or until <= self._clock():
            return None
        return until

    @property
    def paused(self) -> bool:
        return self.paused_until() is not None

    def held_reason(self) -> str:
        """Why a notification would be held back now ("quiet hours", "alerts are paused", "notifications are
        off"), or "" when it would be shown. Item alerts and spike alerts (core.signals) follow the same rule."""
        settings = self._settings()
        if not settings.notifications:
            return "notifications are off"
        if self.paused:
            return "alerts are paused"
        if in_quiet_hours(self._clock(), settings.quiet_hours_start, settings.quiet_hours_end, self._tz):
            return "quiet hours"
        return ""

    # -- deciding --------------------------------------------------------------------------------------------

    def notification_for(self, result: PollResult) -> Notification | None:
        """The one notification a poll gives, or None. Call it once per poll, on the poll's thread."""
        return self.notification_for_poll(result.poll_id)

    def notification_for_poll(self, poll_id: int) -> Notification | None:
        """As notification_for, from a poll id."""
        candidates = self._store.alert_articles(poll_id)
        if not candidates:
            return None
        now = self._clock()
        held = self.held_reason()
        muted = {f.id for f in self._store.list_feeds() if f.muted}
        with self._lock:
            history = self._history(now)
            shown = [h.words for h in history if h.notified]
            chosen: list[_Chosen] = []
            stories_seen: set[int] = set()
            for article in candidates:
                if article.feed_id in muted:
                    continue
                words = title_shingles(article.title)
                if article.story is not None:
                    # One alert per story: a later report is quiet unless it brings a watched entry the story
                    # did not have (an update). A held-back alert does not count as the story's alert.
                    if article.story in stories_seen:
                        continue
                    update = self._story_update(article)
                    if update is None:
                        log.info(
                            "article %s: its story %s already alerted; no alert", article.id, article.story
                        )
                        continue
                    stories_seen.add(article.story)
                    if not held:
                        self._store.mark_story_alerted(
                            article.story, article.thread or article.story, update[1]
                        )
                    new_entries = update[0]
                elif any(similarity(words, seen) >= self._threshold for seen in shown):
                    log.info("article %s is a near-duplicate of an alerted item; no alert", article.id)
                    continue
                else:
                    new_entries = None
                # Held back, it still keeps its own look-alikes in this poll quiet.
                shown.append(words)
                history.append(_Alerted(now, article.id, words, notified=not held))
                chosen.append(_Chosen(article, new_entries))
            if chosen:
                self._save_history(history)
        if not chosen:
            return None
        if held:
            log.info("poll %s: %d alerts held back: %s", poll_id, len(chosen), held)
            return None
        return _notification(chosen, self._store)

    def notification_for_articles(self, articles: Sequence[Article]) -> Notification | None:
        """The notification of alerts another client's poll made (team mode, pushed by LISTEN/NOTIFY): this
        analyst's muted feeds left out, held back by quiet hours, a pause or notifications off; None when
        nothing is left. The poll that made them decided duplicates and stories."""
        muted = {f.id for f in self._store.list_feeds() if f.muted}
        kept = [a for a in articles if a.feed_id not in muted]
        if not kept or self.held_reason():
            return None
        return _notification([_Chosen(a) for a in kept], self._store)

    def _story_update(self, article: Article) -> tuple[frozenset[str] | None, frozenset[str]] | None:
        """(None, the story's entries) for a story's first alert; (the new entries, all of them) for an update
        that names a watched entry the story's alert did not have; None when the story stays quiet."""
        assert article.story is not None
        before = self._store.story_alerted_entries(article.story)
        entries = self._store.story_entries(article.story)
        if before is None:
            return None, entries
        new = frozenset({m.entry for m in article.matches}) - before
        return (new, before | entries) if new else None

    def unread_alert_ids(self) -> list[int]:
        """Alerted articles of the remembered window that are still unread (shown or held back), newest first:
        what the tray icon counts. One indexed query, however many alerts are remembered."""
        with self._lock:
            history = self._history(self._clock())
        newest_first = list(dict.fromkeys(a.article_id for a in reversed(history)))
        unread = self._store.unread_ids(newest_first)
        return [i for i in newest_first if i in unread]

    def recent_alerts(self) -> list[tuple[datetime, int, bool]]:
        """The remembered item alerts, oldest first: (when, article id, shown or held back)."""
        with self._lock:
            history = self._history(self._clock())
        return [(h.at, h.article_id, h.notified) for h in history]

    # -- memory ----------------------------------------------------------------------------------------------

    def _history(self, now: datetime) -> list[_Alerted]:
        raw = self._store.get_meta(HISTORY_KEY, "[]") or "[]"
        try:
            rows = json.loads(raw)
        except ValueError:
            log.warning("the alert history is unreadable; starting afresh")
            rows = []
        history = []
        oldest = now - self._window
        for row in rows if isinstance(rows, list) else []:
            try:
                at = parse_iso(row["at"])
                alerted = _Alerted(
                    at or now, int(row["id"]), frozenset(map(str, row["words"])), bool(row["shown"])
                )
            except (KeyError, TypeError, ValueError):
                continue
            if at is not None and at >= oldest:
                history.append(alerted)
        return history

    def _save_history(self, history: Iterable[_Alerted]) -> None:
        rows = [
            {"at": iso(h.at), "id": h.article_id, "words": sorted(h.words), "shown": h.notified}
            for h in history
        ]
        self._store.set_meta(HISTORY_KEY, json.dumps(rows, ensure_ascii=False))


@dataclass(frozen=True)
class _Chosen:
    """An alerted article and, for a story's update, the watched entries it brings (None: a new alert)."""

    article: Article
    new_entries: frozenset[str] | None = None


def _notification(chosen: Sequence[_Chosen], store: Store) -> Notification:
    """ "3 new items: Amine Kessaci, PNACO" over the top item's title and how many reports and outlets its story
    has ("12 reports, 7 outlets"); a story's update says "1 update: <the new entries>"."""
    articles = [c.article for c in chosen]
    counts: Counter[str] = Counter()
    order: dict[str, int] = {}
    for item in chosen:  # best-scored first: its entries lead ties
        named = item.new_entries if item.new_entries is not None else {m.entry for m in item.article.matches}
        for match in item.article.matches:
            if match.entry in named:
                order.setdefault(match.entry, len(order))
        counts.update(named)
    names = sorted(counts, key=lambda name: (-counts[name], order.get(name, len(order))))
    updates = sum(c.new_entries is not None for c in chosen)
    fresh = len(chosen) - updates
    parts = []
    if fresh:
        parts.append(f"{fresh} new item{'s' if fresh != 1 else ''}")
    if updates:
        parts.append(f"{updates} update{'s' if updates != 1 else ''}")
    title = ", ".join(parts)
    if names:
        title += ": " + ", ".join(names[:MAX_NAMES]) + (", …" if len(names) > MAX_NAMES else "")
    top = articles[0]
    body = top.title or top.link or "(untitled)"
    if top.story is not None:
        summary = summarise(store.story_reports(story_ids=[top.story]))
        if summary and summary[0].reports > 1:
            outlets = summary[0].outlets
            body += f" ({summary[0].reports} reports, {outlets} outlet{'s' if outlets != 1 else ''})"
    return Notification(title=title, body=body, article_ids=[a.id for a in articles])
