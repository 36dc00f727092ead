"""The candidate names of one article, as the name index stores them (storage/name_index.py), and the collector
rebuilt from the rows of many articles (signals/emerging.py).

The suggestion heuristic (suggest.py) gathers what it knows of a name in a Collector: its written forms, its
mentions, how many of them are in running text and not at a sentence start, the evidence voting its kind, the long
forms of an acronym; and the lower-case words of the corpus. All of it is a sum over articles, so each article's
share can be computed once, when the article is stored (in the parser processes of a large poll), and the
emerging names of a period add up the shares of its articles instead of reading their text again. What needs
the whole corpus (consolidating acronyms and surnames, first names alone, common words) runs on the sum, as
before.

Single words that are never proposed whatever the corpus (known first names alone, common words, nationalities:
name_filters.rejection) are left out of the rows: they are most of an article's capitalised words.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence

from monitor.core.matching.candidates import Candidate, Collector, is_acronym
from monitor.core.matching.folding import fold_key
from monitor.core.matching.name_filters import never_alone
from monitor.core.matching.suggest import collect, load_nlp
from monitor.core.models import ArticleNames, NameRow

FORM_SEP = "\x1f"  # between a form and its count
ITEM_SEP = "\x1e"  # between two (form, count) items, also what group_concat joins the rows' lists with
KINDS = ("person", "organisation", "place")


def _encode(counter: Counter) -> str:
    return ITEM_SEP.join(f"{form}{FORM_SEP}{n}" for form, n in counter.items())


def _decode(text: str | None, into: Counter) -> None:
    if not text:
        return
    # A name's rows repeat the same few items ("Karim Zeroual\x1f1" in hundreds of articles): count them first.
    for item, times in Counter(text.split(ITEM_SEP)).items():
        form, _, n = item.rpartition(FORM_SEP)
        if form:
            into[form] += int(n or 1) * times


def article_names(title: str, summary: str, content: str, *, use_nlp: bool | None = False) -> ArticleNames:
    """One article's rows for the name index and its lower-case words. spaCy's entities join when `use_nlp` (and
    it is installed): off by default, a parser process has no time for it."""
    text = f"{title}\n\n{summary}\n\n{content}"
    collector = collect([text], load_nlp() if use_nlp or use_nlp is None else None)
    rows: list[NameRow] = []
    for key, cand in collector.candidates.items():
        if not cand.forms:
            continue
        name = cand.forms.most_common(1)[0][0]
        if " " not in key and not is_acronym(name) and never_alone(key):
            continue
        rows.append(
            (
                key,
                _encode(cand.forms),
                cand.count,
                cand.running_text,
                cand.not_initial,
                *(cand.evidence[k] for k in KINDS),
                _encode(cand.aliases),
            )
        )
    return tuple(rows), tuple(sorted(collector.lower_words))


AggregateRow = tuple[str, str, int, int, int, int, int, int, str | None]


def collector_from(
    rows: Sequence[AggregateRow], lower_words: Iterable[str] = (), min_count: int = 2
) -> Collector:
    """A Collector as if the articles behind `rows` had been scanned together, for select_suggestions with
    `min_count`: rows are (key, forms, mentions, running, not initial, person, organisation, place, aliases) summed
    by key (forms and aliases concatenated with ITEM_SEP). `lower_words` are the lower-case words the caller knows
    the corpus to contain.

    Most names are seen once: such a name can only matter as a person (its first name is then no name alone) or
    as the long form an acronym takes in (consolidate); the others are left out, which changes no suggestion."""
    long_forms: set[str] = set()
    for row in rows:
        if row[8]:
            long_forms.update(fold_key(form) for form in _items(row[8]))  # as consolidate finds them
    collector = Collector()
    for key, forms, count, running, not_initial, person, organisation, place, aliases in rows:
        if count < min_count and not aliases and person <= organisation and key not in long_forms:
            continue
        cand = Candidate()
        _decode(aliases, cand.aliases)
        _decode(forms, cand.forms)
        cand.count, cand.running_text, cand.not_initial = int(count), int(running), int(not_initial)
        for kind, n in zip(KINDS, (person, organisation, place), strict=True):
            if n:
                cand.evidence[kind] = int(n)
        collector.candidates[key] = cand
    collector.lower_words.update(lower_words)
    return collector


def _items(text: str) -> Iterator[str]:
    """The forms of an encoded list."""
    for item in text.split(ITEM_SEP):
        form = item.rpartition(FORM_SEP)[0]
        if form:
            yield form


def words_to_check(name: str) -> list[str]:
    """The folded words of `name` whose lower-case use makes it a common phrase (candidates.common_phrase)."""
    return [w.casefold() for w in re.findall(r"[^\W\d_]+", name)]


@functools.lru_cache(maxsize=1 << 16)  # a name is keyed again at each look-up of its forms
def name_key(form: str) -> str:
    """The key a written form is indexed under."""
    return fold_key(form.strip(" -'’"))
