"""The window's look in one place: kind colours, list tints, badge colours, dates, and the style sheet."""

from __future__ import annotations

import logging
from datetime import date, datetime
from functools import lru_cache

from monitor.core.support.clock import parse_iso
from monitor.paths import resources_dir

log = logging.getLogger(__name__)

# Highlight backgrounds in the reader, one hue per kind, light enough for dark text (contrast >= 10:1).
KIND_COLOURS = {
    "person": "#ffd591",
    "organisation": "#acd8ff",
    "place": "#b9ecb1",
    "topic": "#e2c8ff",
    "keyword": "#ffc2d4",
}
# The same hues, saturated: dots in the sidebar and the watchlist editor.
KIND_DOTS = {
    "person": "#e08600",
    "organisation": "#1c6fc0",
    "place": "#2b8f45",
    "topic": "#8240cc",
    "keyword": "#d02d67",
}
KIND_LABELS = {
    "person": "person",
    "organisation": "organisation",
    "place": "place",
    "topic": "topic",
    "keyword": "keyword",
}

TEXT = "#1d2127"
TEXT_MUTED = "#5f6670"
HIGHLIGHT_ROW = "#fff3d6"  # tint of a highlighted article's row
BADGE_HOT_BG = "#c8410b"  # score badge of a highlighted article (white text: 5:1)
BADGE_HOT_FG = "#ffffff"
BADGE_BG = "#e6e9ed"  # score badge of an article with matches below the threshold
BADGE_FG = "#3d434b"
STAR_ON = "#e3a008"
STAR_OFF = "#b4bac2"

HEALTH_COLOURS = {
    "ok": "#2b9348",
    "failing": "#d1372c",
    "disabled": "#8d949c",
    "never": "#c3c8ce",
    "quiet": "#d99100",  # fetched fine, nothing new for a week (feed health view)
}


def format_score(score: float) -> str:
    """A score as the list and the reader show it: one decimal at most (35.5, 12, 2.8)."""
    return f"{round(score, 1):g}"


def format_date(value: str | None, *, long: bool = False, now: datetime | None = None) -> str:
    """A stored UTC ISO date in local time: 'today 18:40' or '13 Nov 2025' (long: with weekday and time)."""
    moment = parse_iso(value)
    if moment is None:
        return ""
    local = moment.astimezone()
    if long:
        return local.strftime("%a %d %b %Y, %H:%M")
    now = now or datetime.now().astimezone()
    if local.date() == now.date():
        return local.strftime("today %H:%M")
    return local.strftime("%d %b %Y")


def short_date(published: str | None) -> str:
    """`format_date` of a stored date as the lists show it, kept per (date, today): a repaint asks for every
    visible cell, and parsing and converting the date to local time was most of the Python work of a list
    model's `data()`; keying on today's date keeps "today 18:40" right after midnight."""
    return _short_date(published, date.today())


@lru_cache(maxsize=4096)
def _short_date(published: str | None, today: date) -> str:
    return format_date(published)


def stylesheet() -> str:
    """resources/style.qss, or nothing when it is missing (the window still works, in the plain style)."""
    path = resources_dir() / "style.qss"
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        log.warning("no style sheet (%s); using the plain style", exc)
        return ""
