"""The language of an item: "fr", "en" or "other" (the tag chooses the stemmer of the search index and shows in
the list).

The feed's own word wins: an entry's xml:lang or language, else the feed's <language> or Content-Language.
Where the feed says nothing, lingua-language-detector guesses from a short sample (the title and the start of
the summary). It is restricted to French, English and a few languages the press often carries besides, so that
an item in Spanish or German comes out "other" instead of being forced into French or English.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

logger = logging.getLogger(__name__)

FRENCH = "fr"
ENGLISH = "en"
OTHER = "other"
TAGS = (FRENCH, ENGLISH, OTHER)

# The detector's languages (ISO 639-1). More languages cost more memory and time and make short French or
# English samples more often mistaken for a neighbour; fewer would force Spanish or German items into fr or en.
DETECTED = ("fr", "en", "es", "de", "it", "nl", "pt")
# Detection reads this much: the title and the start of the summary. Its time grows with the sample's length, and
# 200 characters tagged every dev item right (docs/BENCHMARKS.md).
SAMPLE_CHARS = 200
# Below this many letters a guess is noise ("OM", "Live", a name): the item is "other".
MIN_LETTERS = 12

_PRIMARY = re.compile(r"^([a-z]{2,3})(?:$|[-_])", re.IGNORECASE)
_LETTER = re.compile(r"[^\W\d_]")

_detector: Any = None
_detector_lock = threading.Lock()


def tag_of(declared: str | None) -> str | None:
    """The tag a declared language means ("fr-FR" -> "fr", "es" -> "other"); None when nothing usable is
    declared."""
    if not declared or not isinstance(declared, str):
        return None
    if declared in TAGS:
        return declared
    match = _PRIMARY.match(declared.split(",")[0].strip())
    if not match:
        return None
    primary = match.group(1).lower()
    return primary if primary in (FRENCH, ENGLISH) else OTHER


def sample(title: str, summary: str, content: str = "") -> str:
    """What detection reads: the title, then the summary (or the content when there is no summary)."""
    body = summary or content
    return f"{title}. {body[:SAMPLE_CHARS]}"[:SAMPLE_CHARS] if body else title[:SAMPLE_CHARS]


def detect(text: str) -> str:
    """The tag of `text` by the detector: "fr", "en", or "other" (another language, no decision, too short)."""
    if len(_LETTER.findall(text)) < MIN_LETTERS:
        return OTHER
    try:
        found = _get_detector().detect_language_of(text)
    except Exception:  # a detector failure must never stop a poll: the item is simply untagged
        logger.warning("language detection failed", exc_info=True)
        return OTHER
    if found is None:
        return OTHER
    code = found.iso_code_639_1.name.lower()
    return code if code in (FRENCH, ENGLISH) else OTHER


def item_language(declared: str | None, title: str, summary: str, content: str = "") -> str:
    """The item's tag: what the entry or feed declares, else the detector's guess on a short sample."""
    return tag_of(declared) or detect(sample(title, summary, content))


def _get_detector() -> Any:
    """The detector, built once per process on first use (a process that never detects never loads it)."""
    global _detector
    if _detector is None:
        with _detector_lock:
            if _detector is None:
                from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

                languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in DETECTED]
                # Low accuracy mode reads trigrams only: its models take about 30 MB instead of about 180 MB
                # (the window's whole budget is 300 MB), load in 0.06 s instead of 1.7 s, and on 200-character
                # samples it tagged the dev items as well as the full mode (docs/BENCHMARKS.md).
                _detector = (
                    LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()
                )
    return _detector
