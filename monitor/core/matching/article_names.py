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

import re
from collections import Counter
from collections.abc import Iterable

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
    for item in text.split(ITEM_SEP):
        form, _, n = item.rpartition(FORM_SEP)
        if form:
            into[form] += int(n or 1)


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
    rows: Iterable[AggregateRow], lower_words: Iterable[str] = (), min_count: int = 2
) -> Collector:
    """A Collector as if the articles behind `rows` had been scanned together: rows are (key, forms, mentions,
    running, not initial, person, organisation, place, aliases) summed by key (forms and aliases concatenated
    with ITEM_SEP). `lower_words` are the lower-case words the caller knows the corpus to contain."""
    collector = Collector()
    for key, forms, count, running, not_initial, person, organisation, place, aliases in rows:
        cand = Candidate()
        _decode(aliases, cand.aliases)
        # Only a name that may be proposed (seen twice, or an acronym with a long form to take in) or that names a
        # person (its first name is then no name alone) needs its forms; most names are seen once.
        if count >= min_count or aliases or person > organisation:
            _decode(forms, cand.forms)
        else:
            cand.forms[forms.split(FORM_SEP, 1)[0]] = int(count)
        cand.count, cand.running_text, cand.not_initial = int(count), int(running), int(not_initial)
        for kind, n in zip(KINDS, (person, organisation, place), strict=True):
            if n:
                cand.evidence[kind] = int(n)
        collector.candidates[key] = cand
    collector.lower_words.update(lower_words)
    return collector


def words_to_check(name: str) -> list[str]:
    """The folded words of `name` whose lower-case use makes it a common phrase (candidates.common_phrase)."""
    return [w.casefold() for w in re.findall(r"[^\W\d_]+", name)]


def name_key(form: str) -> str:
    """The key a written form is indexed under."""
    return fold_key(form.strip(" -'’"))
