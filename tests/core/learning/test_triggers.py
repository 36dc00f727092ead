"""Trigger words: an article in which a watchlist entry is found always holds one of the entry's triggers, with
the boundaries they claim; articles that only hold the letters inside other words are left out."""

from __future__ import annotations

import json

from monitor.core.learning.triggers import TriggerIndex, term_triggers, triggers_of
from monitor.core.matching.folding import fold_key
from monitor.core.matching.matcher import Matcher
from monitor.core.matching.watchlist import Entry, load_default_watchlist
from monitor.core.models import FIELDS
from monitor.core.parsing.seeds import read_seeds, seed_item
from monitor.paths import seeds_dir
from tests.conftest import DEV_ITEMS


def _hits(entry: Entry, text: str) -> bool:
    return TriggerIndex([triggers_of([entry])]).changes_in(fold_key(text)) == {0}


def test_a_whole_word_is_not_triggered_inside_other_words() -> None:
    murder = Entry("murder", "keyword", aliases=("tué", "meurtre"))
    assert _hits(murder, "Un homme a été tué hier soir.")
    assert not _hits(murder, "La statue, constituée de bronze, est située au port.")


def test_hyphens_prefixes_and_persons_keep_only_the_boundaries_they_are_sure_of() -> None:
    assert term_triggers("narco-trafic") == [("trafic", False, True)]
    assert term_triggers("narcotrafi", prefix=True) == [("narcotrafi", True, False)]
    assert term_triggers("l'OFDT") == [("ofdt", True, True)]
    assert set(term_triggers("Amine Kessaci", every_word=True)) == {
        ("amine", True, True),
        ("kessaci", True, True),
    }
    hyphenated = Entry("narco", "topic", aliases=("narco-trafic",))
    assert _hits(hyphenated, "Le narcotrafic progresse.") and _hits(hyphenated, "Le narco-trafic progresse.")
    assert not _hits(hyphenated, "Les narcotrafics progressent.")
    assert _hits(Entry("n", "topic", prefixes=("narcotrafi",)), "des narcotrafiquants")
    # A character the folding drops inside a word gives no boundary to count on.
    assert term_triggers("narco\xadtrafic") == [("trafic", False, True)]


def test_every_entry_found_in_the_seeds_and_the_dev_set_holds_one_of_its_triggers() -> None:
    watchlist = load_default_watchlist()
    matcher = Matcher(watchlist)
    seeds = [seed_item(s) for s in read_seeds(seeds_dir())]
    texts = [(s.title, s.summary, s.content) for s in seeds]
    if DEV_ITEMS.exists():
        for line in DEV_ITEMS.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            texts.append((item["title"], item.get("summary", ""), item.get("content", "") or ""))
    index = TriggerIndex([triggers_of([e]) for e in watchlist.entries])
    position = {e.name: i for i, e in enumerate(watchlist.entries)}
    checked = 0
    for title, summary, content in texts:
        found = {
            m.entry for m in matcher.find_fields(dict(zip(FIELDS, (title, summary, content), strict=True)))
        }
        triggered = index.changes_in(fold_key(f"{title}\n{summary}\n{content}"))
        assert {position[name] for name in found} <= triggered, title
        checked += len(found)
    assert checked > 50
    assert len(texts) >= 5
