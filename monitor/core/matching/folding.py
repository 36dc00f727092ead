"""Accent and case folding with an offset map back to the original text.

The matcher searches a *folded* copy of each field (no accents, case-folded, one kind of apostrophe, dashes
and whitespace runs collapsed to one space) but must report spans in the *original* field, so that
``match.text == field[start:end]``. :func:`fold` therefore records, for every folded character, which original
characters produced it.

Folding, character by character:

- typographic apostrophes (’ ʼ ‘ ` ´ ′ ＇) become ``'``;
- every dash or hyphen (‐ ‑ ‒ – — ― − ⁃ - and their compatibility forms) and every whitespace character count
  as a *separator*; a run of separators becomes a single space, so "Aix-en-Provence", "Aix en Provence" and
  "Aix – en  Provence" all fold to ``aix en provence``;
- the rest is NFKD-decomposed, combining marks are dropped and the result is case-folded (``É`` -> ``e``,
  ``ß`` -> ``ss``, ``ﬁ`` -> ``fi``); œ and æ, which Unicode does not decompose, become ``oe`` and ``ae``;
- characters that fold to nothing (combining marks typed separately, zero-width joiners, variation selectors,
  soft hyphens) are attached to the character before them, so a span that ends on ``e`` of ``e\\u0301`` ends
  after the accent in the original.

Offsets are Python string indices (code points), so an emoji counts as one character. A UI that works in
UTF-16 code units (Qt) converts at its edge.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from array import array
from dataclasses import dataclass
from functools import lru_cache

logger = logging.getLogger(__name__)

__all__ = ["FoldedText", "fold", "fold_key", "identity_offsets", "is_word_char"]

APOSTROPHES = frozenset("'’ʼ‘`´′＇‛")
DASHES = frozenset("-‐‑‒–—―−⁃﹘﹣－")
# Folded separators are always this single character.
SEPARATOR = " "
_SPECIAL = {
    "œ": "oe",
    "Œ": "oe",
    "æ": "ae",
    "Æ": "ae",
    "ø": "o",
    "Ø": "o",
    "ł": "l",
    "Ł": "l",
    "đ": "d",
    "Đ": "d",
}
_DROPPED = frozenset({"Mn", "Me", "Cf"})
_SPECIAL_KEEP_CASE = {"Œ": "OE", "Æ": "AE", "Ø": "O", "Ł": "L", "Đ": "D"}


def is_word_char(ch: str) -> bool:
    """Letters and digits are word characters; apostrophes, spaces and punctuation are not."""
    return ch.isalnum() or ch == "_"


def _is_separator(ch: str) -> bool:
    return ch.isspace() or ch in DASHES


# Per-character results, by keep_case; bounded so that hostile input cannot grow it without limit.
_CACHE: dict[bool, dict[str, str]] = {False: {}, True: {}}
_CACHE_LIMIT = 50_000


@lru_cache(maxsize=8192)
def _fold_char(ch: str, keep_case: bool) -> str:
    """Fold one non-separator character (may return "", one or several characters)."""
    if ch in APOSTROPHES:
        return "'"
    if keep_case and ch in _SPECIAL_KEEP_CASE:
        return _SPECIAL_KEEP_CASE[ch]
    if ch in _SPECIAL:
        return _SPECIAL[ch]
    out = _strip_marks(unicodedata.normalize("NFKD", ch))
    if not keep_case:
        # Case folding can bring back a combining mark (İ -> i + U+0307): decompose and strip once more.
        out = _strip_marks(unicodedata.normalize("NFKD", out.casefold()))
    # A compatibility decomposition may produce characters we normalise too (e.g. fullwidth hyphen, NBSP).
    if any(c in APOSTROPHES or _is_separator(c) for c in out):
        out = "".join("'" if c in APOSTROPHES else SEPARATOR if _is_separator(c) else c for c in out)
    return out


def _strip_marks(text: str) -> str:
    """Drop combining marks and invisible format characters (soft hyphen, zero-width joiners, BOM)."""
    return "".join(
        c for c in text if not unicodedata.combining(c) and unicodedata.category(c) not in _DROPPED
    )


@dataclass(frozen=True)
class FoldedText:
    """A folded string plus the map from each folded character back to the original string.

    Attributes:
        original: the text that was folded.
        text: the folded text.
        starts: ``starts[i]`` is the index in ``original`` of the character that produced ``text[i]``.
        ends: ``ends[i]`` is the end (exclusive) in ``original`` of that character, extended over any
            following characters that folded to nothing (combining marks typed separately, variation
            selectors...).
    """

    original: str
    text: str
    starts: array
    ends: array

    def __len__(self) -> int:
        return len(self.text)

    def to_original(self, i: int, j: int) -> tuple[int, int]:
        """Map the folded span ``[i, j)`` to the smallest original span ``[start, end)`` that produced it.

        An empty span maps to an empty span at the corresponding original position.
        """
        n = len(self.text)
        if not (0 <= i <= j <= n):
            raise IndexError(f"folded span [{i}, {j}) outside 0..{n}")
        if i == j:
            pos = self.starts[i] if i < n else len(self.original)
            return pos, pos
        return self.starts[i], self.ends[j - 1]


class _NotOneToOne(Exception):
    """A character that folds to nothing or to several characters: the fast path does not apply."""


class _OneToOneTable(dict):
    """A ``str.translate`` table, filled on first sight, of the characters that fold to exactly one character."""

    def __init__(self, keep_case: bool) -> None:
        super().__init__()
        self.keep_case = keep_case

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        folded = SEPARATOR if _is_separator(ch) else _fold_char(ch, self.keep_case)
        if len(folded) != 1:
            raise _NotOneToOne
        if len(self) < _CACHE_LIMIT:
            self[code] = folded
        return folded


_ONE_TO_ONE = {False: _OneToOneTable(False), True: _OneToOneTable(True)}
_IDENTITY = array("l", range(4096))
_IDENTITY_STEP = 1 << 16
_IDENTITY_LOCK = threading.Lock()


def identity_offsets(size: int) -> array:
    """An ``array("l")`` of 0, 1, 2... at least ``size`` long, kept between calls (slice it, never change it).

    It grows by 65,536 offsets at a time: one call building a million at once held the interpreter for 50-90
    ms, which a thread of the window's process (a 500 KB article matched on the task runner) made the GUI
    thread wait for."""
    identity = _IDENTITY
    if len(identity) < size:
        with _IDENTITY_LOCK:  # two threads extending at once would both append the same offsets
            while len(identity) < size:
                identity.extend(range(len(identity), len(identity) + _IDENTITY_STEP))
    return identity


_SEPARATOR_RUN = re.compile(SEPARATOR + "{2,}")


# Characters outside Latin-1 that fold to one Latin-1 character (typographic apostrophes -> "'", dashes and
# the Unicode spaces -> separator): replaced up front so that most French and English text can take the
# Latin-1 path below.
_TO_LATIN1 = tuple(
    (ch, "'" if ch in APOSTROPHES else SEPARATOR)
    for ch in sorted(
        {c for c in APOSTROPHES | DASHES if ord(c) > 0xFF}
        | {chr(code) for code in range(0x100, 0x3001) if chr(code).isspace()}
    )
)
_LATIN1_TABLES: dict[bool, bytes] = {}
_UNMAPPED = 0  # a byte that folds to nothing, to several characters or outside Latin-1


def _latin1_table(keep_case: bool) -> bytes:
    """The ``bytes.translate`` table of the Latin-1 characters, each to its one-character Latin-1 fold."""
    table = _LATIN1_TABLES.get(keep_case)
    if table is None:
        out = bytearray(256)
        for code in range(1, 256):
            ch = chr(code)
            folded = SEPARATOR if _is_separator(ch) else _fold_char(ch, keep_case)
            out[code] = ord(folded) if len(folded) == 1 and 0 < ord(folded) <= 0xFF else _UNMAPPED
        table = _LATIN1_TABLES[keep_case] = bytes(out)
    return table


def _translate_latin1(text: str, keep_case: bool) -> str | None:
    """``text`` folded one character to one character through a 256-byte table (about 1 ns a character,
    against 25 ns for ``str.translate`` with a dict); None when a character is outside Latin-1 or does not
    fold to exactly one Latin-1 character."""
    try:
        data = text.encode("latin-1")
    except UnicodeEncodeError:
        for ch, replacement in _TO_LATIN1:
            if ch in text:
                text = text.replace(ch, replacement)
        try:
            data = text.encode("latin-1")
        except UnicodeEncodeError:
            return None
    folded = data.translate(_latin1_table(keep_case))
    if b"\x00" in folded:
        return None
    return folded.decode("latin-1")


def _translate_one_to_one(text: str, keep_case: bool) -> str | None:
    """``text`` with each character replaced by its one-character fold; None when some character folds to
    nothing or to several characters."""
    folded = _translate_latin1(text, keep_case)
    if folded is not None:
        return folded
    try:
        return text.translate(_ONE_TO_ONE[keep_case])
    except _NotOneToOne:
        return None


def _fold_one_to_one(text: str, keep_case: bool) -> FoldedText | None:
    """The common case at C speed: when every character folds to exactly one character, the folded text is a
    translation of ``text`` and the offsets are the identity, apart from separator runs. None otherwise (the
    general path then handles accents typed as separate marks, ligatures such as œ or ß, zero-width
    characters)."""
    folded = _translate_one_to_one(text, keep_case)
    if folded is None:
        return None
    n = len(text)
    identity = identity_offsets(n + 2)  # slices copy in C: the offsets 0..n-1 and 1..n
    if SEPARATOR + SEPARATOR not in folded:
        return FoldedText(text, folded, identity[:n], identity[1 : n + 1])
    # Runs of separators (paragraph breaks) collapse to their first character, as in the general path.
    parts: list[str] = []
    starts = array("l")
    ends = array("l")
    kept = 0
    for run in _SEPARATOR_RUN.finditer(folded):
        first, after = run.span()
        parts.append(folded[kept : first + 1])
        starts.extend(identity[kept : first + 1])
        ends.extend(identity[kept + 1 : first + 2])
        kept = after
    parts.append(folded[kept:])
    starts.extend(identity[kept:n])
    ends.extend(identity[kept + 1 : n + 1])
    return FoldedText(text, "".join(parts), starts, ends)


def fold(text: str, *, keep_case: bool = False) -> FoldedText:
    """Fold ``text`` for matching and keep the offset map (see the module docstring).

    Args:
        text: the original text.
        keep_case: fold accents, apostrophes and separators but keep letter case; used to check case-sensitive
            aliases ("RAID" vs "raid") without being strict about accents.
    """
    fast = _fold_one_to_one(text, keep_case)
    if fast is not None:
        return fast
    return _fold_each_character(text, keep_case)


def _fold_each_character(text: str, keep_case: bool) -> FoldedText:
    """The general path, one character at a time: any character, whatever it folds to."""
    out: list[str] = []
    starts = array("l")
    ends = array("l")
    previous_was_separator = False
    cache = _CACHE[keep_case]
    for index, ch in enumerate(text):
        folded = cache.get(ch)
        if folded is None:
            folded = SEPARATOR if _is_separator(ch) else _fold_char(ch, keep_case)
            if len(cache) < _CACHE_LIMIT:
                cache[ch] = folded
        if folded == SEPARATOR:
            if previous_was_separator:
                continue  # collapse the run; the separator keeps the offset of the run's first character
            previous_was_separator = True
            out.append(SEPARATOR)
            starts.append(index)
            ends.append(index + 1)
            continue
        if not folded:
            # Zero-width after folding: belongs to the character before it (e + U+0301, emoji + U+FE0F).
            if ends and not previous_was_separator and ends[-1] == index:
                end = index + 1
                k = len(ends) - 1
                last_start = starts[k]
                while k >= 0 and starts[k] == last_start:
                    ends[k] = end
                    k -= 1
            continue
        for c in folded:
            is_separator = c == SEPARATOR
            if is_separator and previous_was_separator:
                continue
            previous_was_separator = is_separator
            out.append(c)
            starts.append(index)
            ends.append(index + 1)
    return FoldedText(text, "".join(out), starts, ends)


def fold_key(text: str, *, keep_case: bool = False) -> str:
    """The folded form of ``text`` without the offset map, trimmed of leading and trailing separators."""
    return fold(text, keep_case=keep_case).text.strip(SEPARATOR)
