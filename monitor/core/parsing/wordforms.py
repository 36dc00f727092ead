"""Word forms for search: the Snowball stems of an item's words, in its language, so that "menace" finds
menaces, menacé and menacées and "arrest" finds arrested and arrests.

The store keeps, beside the full-text index of the words as written, an index of each item's distinct stems
(storage/db.py, schema 10): a French item's under the French stemmer (column fr), an English item's under the
English one (column en), an item of another or unknown language under both, since a wrong guess should cost a
little precision rather than the item. A searched word is stemmed both ways and looked up in each column with its
own stemmer's stem, so an English word's French stem never reaches English items.

Accents: the stemmers read them (French "menacé" ends in a suffix only with its accent), so a word is stemmed as
written and also without its accents, and both stems are kept; the index then folds accents as the text index
does, so "enquete" finds "enquêtes".
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import Stemmer

from monitor.core.parsing.language import ENGLISH, FRENCH

# A word as SQLite's unicode61 tokenizer sees one: letters and digits; the underscore and punctuation split.
WORD = re.compile(r"[^\W_]+")
_STEMMER_NAMES = {FRENCH: "french", ENGLISH: "english"}
_local = threading.local()  # a PyStemmer object is not safe to share between threads


def _stemmer(lang: str) -> Stemmer.Stemmer:
    stemmers: dict[str, Stemmer.Stemmer] | None = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = {code: Stemmer.Stemmer(name, 30_000) for code, name in _STEMMER_NAMES.items()}
        _local.stemmers = stemmers
    return stemmers[lang]


@lru_cache(maxsize=50_000)
def fold(word: str) -> str:
    """`word` without its accents ("menacées" -> "menacees"); it is lower-case already."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _variants(words: Iterable[str]) -> list[str]:
    """Each word as written and, when it has accents, without them."""
    out: list[str] = []
    for word in words:
        out.append(word)
        if not word.isascii():
            folded = fold(word)
            if folded != word:
                out.append(folded)
    return out


def stems(words: Iterable[str], lang: str) -> set[str]:
    """The stems of lower-case `words` (and of their accent-free forms) by the stemmer of `lang` ("fr", "en")."""
    return set(_stemmer(lang).stemWords(_variants(words)))


def index_forms(title: str, summary: str, content: str, lang: str | None) -> tuple[str, str]:
    """What the stem index keeps for an item: (French stems, English stems), each a space-separated bag of the
    distinct stems of its words. Positions are not kept: a phrase is always searched in the text as written."""
    text = f"{title}\n{summary}\n{content}"
    distinct = {w.lower() for w in WORD.findall(unicodedata.normalize("NFC", text))}
    french = " ".join(sorted(stems(distinct, FRENCH))) if lang != ENGLISH else ""
    english = " ".join(sorted(stems(distinct, ENGLISH))) if lang != FRENCH else ""
    return french, english


def query_forms(word: str) -> tuple[set[str], set[str]]:
    """The stems a searched word is looked up as: (in French items, in English items)."""
    lowered = unicodedata.normalize("NFC", word).lower()
    return stems([lowered], FRENCH), stems([lowered], ENGLISH)
