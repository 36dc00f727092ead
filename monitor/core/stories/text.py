"""Story features of one article: what two reports of the same event share, in any wording or language.

- `stems`: the content words of the folded text (function words dropped, cut to their first letters so that
  "abattu" and "abattus" meet): reports in one language compare on them.
- `anchors`: what survives translation: names (capitalised words that are not common words), numbers ("6 500",
  "4e" and "4th" give 6500 and 4), months and weekdays in either language, and the watched entries matched.
- `sketch`: a bottom-k MinHash of the word 3-shingles: the smallest hashes of the shingle set. Two texts share
  a given minimum with probability equal to their Jaccard similarity, so reprints (a new headline, a trimmed
  paragraph, other apostrophes, an inserted credit line) keep most of their sketch while rewrites do not.
"""

from __future__ import annotations

import hashlib
import re
import sys
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from itertools import accumulate

from monitor.core.matching.folding import fold_key
from monitor.core.matching.wordlists import COMMON_WORDS

SKETCH_SIZE = 32  # hashes kept per text: enough to estimate a Jaccard similarity to about +-0.1
BAND_KEYS = 6  # the smallest hashes also stored as look-up keys (near-duplicates share some of them)
STEM_LENGTH = 6
MAX_CHARS = 1000  # a long article is compared on its opening (about 150 words): the lead says what happened

_WORD = re.compile(r"[^\W_]+")
_DIGITS = "0123456789"
# _WORD on ASCII text: letters and digits kept (and lower-cased), everything else a space.
_ASCII_TOKENS = bytes(c if chr(c).isalnum() else 32 for c in range(128)).ljust(256, b" ")
_ASCII_LOWER_TOKENS = _ASCII_TOKENS.lower()
# A number, with French thousands separated by spaces ("6 500") or English commas ("6,500").
# Written to start with a single digit, so that the search skips to digits (the form "\d{1,3}(...)+|\d+", the
# same matches, tried every position: a tenth of story_features).
_NUMBER = re.compile(r"\d(?:\d{0,2}(?:[  ,.]\d{3})+(?!\d)|\d*)")
_NUMBER_SEPARATORS = str.maketrans("", "", "  ,.")  # what _NUMBER allows between digits

MONTHS = {
    **dict.fromkeys(("janvier", "january", "jan"), 1),
    **dict.fromkeys(("fevrier", "february", "feb"), 2),
    **dict.fromkeys(("mars", "march"), 3),
    **dict.fromkeys(("avril", "april"), 4),
    **dict.fromkeys(("mai", "may"), 5),
    **dict.fromkeys(("juin", "june"), 6),
    **dict.fromkeys(("juillet", "july"), 7),
    **dict.fromkeys(("aout", "august"), 8),
    **dict.fromkeys(("septembre", "september", "sept"), 9),
    **dict.fromkeys(("octobre", "october", "oct"), 10),
    **dict.fromkeys(("novembre", "november", "nov"), 11),
    **dict.fromkeys(("decembre", "december", "dec"), 12),
}
WEEKDAYS = {
    **dict.fromkeys(("lundi", "monday"), 1),
    **dict.fromkeys(("mardi", "tuesday"), 2),
    **dict.fromkeys(("mercredi", "wednesday"), 3),
    **dict.fromkeys(("jeudi", "thursday"), 4),
    **dict.fromkeys(("vendredi", "friday"), 5),
    **dict.fromkeys(("samedi", "saturday"), 6),
    **dict.fromkeys(("dimanche", "sunday"), 7),
}


def _stopwords() -> dict[str, frozenset[str]]:
    text = (
        resources.files("monitor.core.stories").joinpath("data", "stopwords.txt").read_text(encoding="utf-8")
    )
    words: dict[str, set[str]] = {"fr": set(), "en": set()}
    for line in text.splitlines():
        lang, _, rest = line.partition(":")
        if lang in words:
            words[lang].update(rest.split())
    return {lang: frozenset(w) for lang, w in words.items()}


STOPWORDS = _stopwords()
ALL_STOPWORDS = STOPWORDS["fr"] | STOPWORDS["en"]
NOT_NAMES = (
    frozenset(fold_key(w) for w in COMMON_WORDS) | ALL_STOPWORDS | frozenset(MONTHS) | frozenset(WEEKDAYS)
)


@dataclass(frozen=True)
class StoryFeatures:
    lang: str
    stems: frozenset[str]
    anchors: frozenset[str]
    sketch: tuple[int, ...] = field(default=())

    @property
    def band_keys(self) -> list[str]:
        return [f"h:{h:x}" for h in self.sketch[:BAND_KEYS]]

    def encode(self) -> tuple[str, str, str]:
        """(stems, anchors, sketch) as the store keeps them: space-separated words and hex numbers."""
        return (
            " ".join(sorted(self.stems)),
            "\t".join(sorted(self.anchors)),
            " ".join(f"{h:x}" for h in self.sketch),
        )

    @classmethod
    def decode(cls, lang: str, stems: str, anchors: str, sketch: str) -> StoryFeatures:
        return cls(
            lang,
            frozenset(map(sys.intern, stems.split())),
            frozenset(sys.intern(a) for a in anchors.split("\t") if a),
            tuple(int(h, 16) for h in sketch.split()),
        )

    def interned(self) -> StoryFeatures:
        """The same features with their words shared with every other article's (one string per word in the
        process): what a grouper keeps thousands of, after they came from a parser process."""
        return StoryFeatures(
            self.lang,
            frozenset(map(sys.intern, self.stems)),
            frozenset(map(sys.intern, self.anchors)),
            self.sketch,
        )

    def with_entries(self, entries: frozenset[str]) -> StoryFeatures:
        """These features with the watched entries an article matched among its anchors (known once stored)."""
        if not entries:
            return self
        return StoryFeatures(self.lang, self.stems, self.anchors | entry_anchors(entries), self.sketch)


def entry_anchors(entries: frozenset[str]) -> frozenset[str]:
    return frozenset(f"e:{entry}" for entry in entries)


def text_digest(title: str, summary: str, content: str) -> bytes:
    """What identifies an article's text: features made from it in a parser process are found again by it once
    the article is stored (a text the store changed finds none, and its features are made anew)."""
    digest = hashlib.blake2b(digest_size=16)
    for part in (title, summary, content):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.digest()


def detect_language(words: list[str], hint: str | None = None) -> str:
    """'fr' or 'en' by counting function words; the feed's own hint breaks a tie (and names other languages)."""
    fr = len(list(filter(STOPWORDS["fr"].__contains__, words)))
    en = len(list(filter(STOPWORDS["en"].__contains__, words)))
    if fr > en:
        return "fr"
    if en > fr:
        return "en"
    return (hint or "").split("-")[0].lower() or "und"


def story_features(
    title: str,
    summary: str,
    content: str,
    *,
    lang_hint: str | None = None,
    entries: frozenset[str] = frozenset(),
) -> StoryFeatures:
    """An article's features. Made for every article a poll brings, in its parser processes, so written for
    speed; tests/core/stories/test_features.py checks it against a plain version on generated text."""
    body = content if len(content) > len(summary) else summary
    cased = fold_key(f"{title}\n{body[:MAX_CHARS]}", keep_case=True)
    tokens, words = _tokens(cased)
    lang = detect_language(words, lang_hint)
    word_set = set(words)
    stems = frozenset({w[:STEM_LENGTH] for w in word_set - ALL_STOPWORDS if len(w) > 2 and not w.isdigit()})
    # The cased words: each token from its first character that is not a decimal digit ("4eme": "eme").
    distinct = set(tokens)
    led = [t for t in distinct if t[0].isdecimal()]
    if led:
        distinct.difference_update(led)
        distinct.update(map(_after_digits, led))
        distinct.discard("")
        word_set.update(_lowered(distinct))
    # word_set now holds every cased word in lower case (and the digit-led tokens, which no month or day is).
    anchors: set[str] = set(entry_anchors(entries))
    anchors.update(f"m:{MONTHS[low]}" for low in word_set.intersection(MONTHS))
    anchors.update(f"d:{WEEKDAYS[low]}" for low in word_set.intersection(WEEKDAYS))
    # A name: capitalised, not a common word, and never written in lower case in the same text.
    capitalised = [w for w in distinct if len(w) > 1 and w[0].isupper()]
    names = set(_lowered(capitalised)) - NOT_NAMES
    anchors.update(f"n:{low}" for low in names if not (low in distinct and low[0].islower()))
    for number in _NUMBER.findall(cased):
        digits = number if number.isdecimal() else number.translate(_NUMBER_SEPARATORS)
        anchors.add(f"#:{int(digits)}" if len(digits) < 12 else f"#:{digits}")
    return StoryFeatures(lang, stems, frozenset(anchors), sketch(words))


def _tokens(text: str) -> tuple[list[str], list[str]]:
    """What _WORD finds in `text`, and the same in lower case. Folded text is nearly always ASCII: then its
    letters and digits are kept through a byte table and the rest split off (a third of the regular
    expression's time)."""
    if text.isascii():
        data = text.encode("ascii")
        return data.translate(_ASCII_TOKENS).decode("ascii").split(), data.translate(
            _ASCII_LOWER_TOKENS
        ).decode("ascii").split()
    tokens = _WORD.findall(text)
    return tokens, _lowered(tokens)


def _lowered(words: Iterable[str]) -> list[str]:
    """Each word in lower case, in one call: str.lower maps each character alone but a capital sigma, which
    looks at the letters around it, never across the space between two words."""
    joined = " ".join(words)
    return joined.lower().split(" ") if joined else []


def _after_digits(token: str) -> str:
    """`token` from its first character that is not a decimal digit ("" if none)."""
    cut = token.lstrip(_DIGITS)  # ASCII digits at C speed; other scripts' digits below
    while cut and cut[0].isdecimal():
        cut = cut[1:]
    return cut


def sketch(words: list[str]) -> tuple[int, ...]:
    """The SKETCH_SIZE smallest 32-bit hashes of the text's word 3-shingles (CRC-32: stable across processes).

    Each shingle is hashed as a slice of the words joined and encoded once (the three words and their two
    spaces, as UTF-8), rather than as a string made and encoded for each."""
    if len(words) < 3:  # the text is its only shingle
        return (zlib.crc32(" ".join(words).encode()),) if words else ()
    joined = " ".join(words)
    data = joined.encode()
    sizes = map(len, words) if len(data) == len(joined) else (len(w.encode()) for w in words)
    starts = list(accumulate((size + 1 for size in sizes), initial=0))  # each word's first byte (and the end)
    crc32 = zlib.crc32
    hashes = sorted({crc32(data[start : end - 1]) for start, end in zip(starts, starts[3:], strict=False)})
    return tuple(hashes[:SKETCH_SIZE])


def resemblance(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """Estimated Jaccard similarity of two texts' shingle sets from their bottom-k sketches."""
    if not a or not b:
        return 0.0
    k = min(len(a), len(b))
    union = sorted(set(a) | set(b))[:k]
    both = set(a) & set(b)
    return sum(h in both for h in union) / k
