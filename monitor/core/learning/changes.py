"""Candidate watchlist changes drawn from the judged articles the watchlist disagrees with.

A judged article disagrees when the analyst's judgement and the watchlist's own highlight differ: judged not
relevant but scored over the threshold (a false positive), or judged relevant but scored under it (a false
negative). The matcher's assessment of each one says which entries counted, which were found but dropped for
want of their context, and how far the score is from the threshold; each candidate change is built to fix that
one article, and checked on it with a matcher compiled from the changed watchlist:

- a false positive: lower the weight of an entry that counted, just enough to fall under the threshold; or make
  such an entry count only with a context (a kind, or an entry that counts in the articles judged relevant)
  that this article lacks;
- a false negative: raise the weight of an entry that counted, just enough; count an entry that was found but
  dropped for want of its context without that context; add a name the article (and others judged relevant)
  names as an alias of the entry it resembles, or as a new entry weighted just enough;
- the scope (:mod:`monitor.core.matching.scope`): a false positive that a place of the scope put in scope takes
  that place out of it, or, when the watchlist has no scope, gets one made of the countries the articles judged
  relevant name; a false negative set aside as out of scope ("out of scope: Brussels, Belgium") puts the place
  it names, or its country, in the scope.

Whether a candidate is worth proposing is decided over every stored article (:mod:`.effect`): these are only
the changes that would fix at least one judged article.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import re
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from monitor.core.learning.triggers import Trigger, triggers_of
from monitor.core.matching.folding import fold_key
from monitor.core.matching.matcher import Matcher
from monitor.core.matching.places import Place, gazetteer
from monitor.core.matching.scope import FIELD_WEIGHT, SCOPED_KINDS, CompiledScope
from monitor.core.matching.suggest import suggest_entries
from monitor.core.matching.watchlist import KINDS, Entry, Watchlist, WatchlistError
from monitor.core.models import FIELDS, Assessment

log = logging.getLogger(__name__)

Build = Callable[[Watchlist], Matcher]

WEIGHT_STEP = 0.5  # proposed weights are multiples of this: a weight the analyst can read and remember
SUGGESTED_NAMES = 8  # names drawn from the false negatives' texts
CONTEXT_NAMES = 3  # entries counting in relevant articles, tried as a context
DRAWN_FROM = 40  # disagreeing articles changes are drawn from
MEMOISED = 32  # compiled watchlists kept while drawing
_WORD = re.compile(r"\w+")
# Between changes that fix as many judged articles and change as many other highlights, the narrowest first: an
# alias or a context touches only the articles that name the entry in a given way; a weight, all of them.
# A scope change touches only the articles where a topic or keyword counts and that name the place.
KIND_ORDER = ("alias", "context", "scope", "weight", "entry", "no-context")
MAX_OUTSIDE = 4  # places a false negative names outside the scope, tried as additions
SCOPE_COUNTRIES = (
    3  # countries the judged-relevant articles name, tried as a new scope (the first, two, three)
)


@dataclass(frozen=True)
class Judged:
    """A judged article: its text, the judgement and what the current watchlist makes of it."""

    id: int
    title: str
    summary: str
    content: str
    relevant: bool
    assessment: Assessment

    @property
    def disagrees(self) -> bool:
        return self.assessment.highlighted != self.relevant

    @property
    def judgement(self) -> str:
        return "relevant" if self.relevant else "not-relevant"

    def texts(self) -> tuple[str, str, str]:
        return self.title, self.summary, self.content


@dataclass(frozen=True)
class Change:
    """One watchlist change and the watchlist it gives.

    Attributes:
        kind: one of KIND_ORDER.
        entry: the name of the entry it changes or adds.
        description: the change in words ("lower the weight of ...").
        watchlist: the whole watchlist once changed.
        triggers: folded words (with the word boundaries they are sure to have), one of which every article
            whose assessment may change holds: an article that holds none is scored alike before and after (the
            evaluation skips it; see :mod:`.triggers`).
    """

    kind: str
    entry: str
    description: str
    watchlist: Watchlist
    triggers: tuple[Trigger, ...]


def counted_entries(assessment: Assessment) -> list[str]:
    """The entries that count toward the score, in order of first mention."""
    return list(dict.fromkeys(m.entry for m in assessment.matches))


def with_entry(watchlist: Watchlist, old_name: str, entry: Entry) -> Watchlist:
    """The watchlist with the entry called `old_name` replaced (or, when absent, `entry` appended), in place.

    dataclasses.replace keeps whatever else the watchlist file holds beside its entries."""
    if watchlist.get(old_name) is None:
        entries = (*watchlist.entries, entry)
    else:
        entries = tuple(entry if e.name == old_name else e for e in watchlist.entries)
    return dataclasses.replace(watchlist, entries=entries)


def memoised(build: Build) -> Build:
    """`build` compiling each distinct watchlist once: the same change is drawn from several articles."""
    compiled: OrderedDict[str, Matcher] = OrderedDict()

    def cached(watchlist: Watchlist) -> Matcher:
        key = watchlist.fingerprint
        if key in compiled:
            compiled.move_to_end(key)
        else:
            compiled[key] = build(watchlist)
            if len(compiled) > MEMOISED:  # a compiled watchlist holds its automaton: keep memory bounded
                compiled.popitem(last=False)
        return compiled[key]

    return cached


def candidate_changes(watchlist: Watchlist, build: Build, judged: Sequence[Judged]) -> list[Change]:
    """Every change that fixes at least one disagreeing judged article (checked on it), without repeats.

    Changes are drawn from the DRAWN_FROM most recently stored disagreeing articles (the highest ids), which
    bounds the work when hundreds disagree; every judged article still counts when the changes are weighed."""
    base = build(watchlist)
    found: dict[str, Change] = {}

    def keep(change: Change | None) -> None:
        if change is not None and change.watchlist.fingerprint != watchlist.fingerprint:
            found.setdefault(change.watchlist.fingerprint, change)

    relevant_counted = [counted_entries(j.assessment) for j in judged if j.relevant]
    drawn_from = sorted((j for j in judged if j.disagrees), key=lambda j: -j.id)[:DRAWN_FROM]
    false_negatives = [j for j in drawn_from if j.relevant]
    for item in drawn_from:
        for name in counted_entries(item.assessment):
            entry = watchlist.get(name)
            if entry is None:
                continue
            keep(_reweighted(watchlist, build, base, entry, item))
            if not item.relevant and not entry.context:
                for change in _contexts(watchlist, build, entry, item, relevant_counted):
                    keep(change)
        if item.relevant:
            for change in _without_context(watchlist, build, base, item):
                keep(change)
    for change in _names(watchlist, build, base.threshold, false_negatives):
        keep(change)
    for change in _scopes(watchlist, build, judged, drawn_from):
        keep(change)
    log.info("%d candidate watchlist changes", len(found))
    return list(found.values())


def _fmt(weight: float) -> str:
    return f"{weight:g}"


def _a(ref: str) -> str:
    """A context reference in words: "a person", "an organisation", or an entry's name quoted."""
    if ref not in KINDS:
        return repr(ref)
    return f"an {ref}" if ref[0] in "aeiou" else f"a {ref}"


def _reweighted(
    watchlist: Watchlist, build: Build, base: Matcher, entry: Entry, item: Judged
) -> Change | None:
    """The weight of `entry` moved, in steps of WEIGHT_STEP, just far enough for `item` to follow its
    judgement. The score is linear in one entry's weight, so two scores give the weight to aim at."""
    up = item.relevant
    score = item.assessment.score
    zero = build(with_entry(watchlist, entry.name, dataclasses.replace(entry, weight=0.0))).assess(
        *item.texts()
    )
    if entry.weight > 0:
        unit = (score - zero.score) / entry.weight
    else:
        one = dataclasses.replace(entry, weight=1.0)
        unit = build(with_entry(watchlist, entry.name, one)).assess(*item.texts()).score - zero.score
    if unit <= 0:
        return None
    aim = (base.threshold - zero.score) / unit
    if up:
        weight = max(math.ceil(aim / WEIGHT_STEP - 1e-9) * WEIGHT_STEP, entry.weight + WEIGHT_STEP)
    else:
        weight = min(math.floor(aim / WEIGHT_STEP - 1e-9) * WEIGHT_STEP, entry.weight - WEIGHT_STEP)
    for _ in range(3):  # the score is rounded: a step more when the aim fell on the threshold
        if weight < 0:
            return None
        changed = with_entry(watchlist, entry.name, dataclasses.replace(entry, weight=weight))
        if build(changed).assess(*item.texts()).highlighted == up:
            verb = "raise" if up else "lower"
            extra = " (it no longer counts)" if weight == 0 else ""
            return Change(
                "weight",
                entry.name,
                f"{verb} the weight of {entry.name!r} from {_fmt(entry.weight)} to {_fmt(weight)}{extra}",
                changed,
                triggers_of([entry]),
            )
        weight += WEIGHT_STEP if up else -WEIGHT_STEP
    return None


def _contexts(
    watchlist: Watchlist, build: Build, entry: Entry, item: Judged, relevant_counted: list[list[str]]
) -> Iterable[Change]:
    """`entry` made to count only with a context the false positive `item` lacks: a kind that no other entry
    of the article has, all such kinds at once, or an entry that counts beside it in relevant articles."""
    present = {m.entry: m.kind for m in item.assessment.matches if m.entry != entry.name}
    missing_kinds = [k for k in KINDS if k not in present.values()]
    beside: dict[str, int] = {}
    for names in relevant_counted:
        if entry.name in names:
            for name in names:
                if name != entry.name and name not in present:
                    beside[name] = beside.get(name, 0) + 1
    options: list[tuple[str, ...]] = [(k,) for k in missing_kinds]
    if len(missing_kinds) > 1:
        options.append(tuple(missing_kinds))
    options += [(n,) for n, _ in sorted(beside.items(), key=lambda x: (-x[1], x[0]))[:CONTEXT_NAMES]]
    for context in options:
        changed = with_entry(watchlist, entry.name, dataclasses.replace(entry, context=context))
        if not build(changed).assess(*item.texts()).highlighted:
            words = " or ".join(_a(ref) for ref in context)
            yield Change(
                "context",
                entry.name,
                f"count {entry.name!r} only with {words} in the same article (a context)",
                changed,
                triggers_of([entry]),
            )


def _without_context(watchlist: Watchlist, build: Build, base: Matcher, item: Judged) -> Iterable[Change]:
    """The entries the false negative `item` names but which were dropped for want of their context, each
    counted without it."""
    raw = base.find_fields(dict(zip(FIELDS, item.texts(), strict=True)))
    counted = set(counted_entries(item.assessment))
    for name in dict.fromkeys(m.entry for m in raw):
        entry = watchlist.get(name)
        if name in counted or entry is None or not entry.context:
            continue
        changed = with_entry(watchlist, name, dataclasses.replace(entry, context=()))
        if build(changed).assess(*item.texts()).highlighted:
            yield Change(
                "no-context",
                name,
                f"count {name!r} without its context ({', '.join(entry.context)})",
                changed,
                triggers_of([entry]),
            )


def _names(
    watchlist: Watchlist, build: Build, threshold: float, false_negatives: Sequence[Judged]
) -> Iterable[Change]:
    """Names the false negatives share (most mentioned first), each added as an alias of the entry whose name
    shares a word with it, or as a new entry weighted just enough for one of them."""
    if not false_negatives:
        return
    texts = [f"{j.title}\n\n{j.summary}\n\n{j.content}" for j in false_negatives]
    suggestions = suggest_entries(texts, existing=watchlist, use_nlp=False, limit=SUGGESTED_NAMES)
    for suggestion in suggestions:
        name = suggestion.name
        words = {w for w in _WORD.findall(fold_key(name)) if len(w) >= 4}
        for entry in watchlist.entries:
            terms = (entry.name, *entry.aliases, *entry.case_sensitive_aliases)
            if words & {w for t in terms for w in _WORD.findall(fold_key(t))}:
                yield from _alias(watchlist, build, entry, name, false_negatives)
                break
        yield from _new_entry(watchlist, build, threshold, name, suggestion.kind_guess, false_negatives)


def _alias(
    watchlist: Watchlist, build: Build, entry: Entry, name: str, false_negatives: Sequence[Judged]
) -> Iterable[Change]:
    # An entry without terms of its own matches its name: keep the name when giving it its first alias.
    own = entry.aliases or entry.case_sensitive_aliases or entry.prefixes
    aliases = (*entry.aliases, name) if own else (entry.name, name)
    try:
        extended = dataclasses.replace(entry, aliases=aliases)
        changed = with_entry(watchlist, entry.name, extended)
    except WatchlistError:
        return
    matcher = build(changed)
    if any(matcher.assess(*j.texts()).highlighted for j in false_negatives):
        # The words of the new alias too: it may share with the entry a word that is not the longest of its terms.
        yield Change(
            "alias",
            entry.name,
            f"add {name!r} as an alias of {entry.name!r}",
            changed,
            triggers_of([entry, extended]),
        )


def _new_entry(
    watchlist: Watchlist,
    build: Build,
    threshold: float,
    name: str,
    kind: str,
    false_negatives: Sequence[Judged],
) -> Iterable[Change]:
    """`name` as a new entry, weighted just enough (in steps of WEIGHT_STEP) for one false negative."""
    for item in false_negatives:
        missing = threshold - item.assessment.score
        weight = max(WEIGHT_STEP, math.ceil(missing / WEIGHT_STEP - 1e-9) * WEIGHT_STEP)
        for _ in range(3):
            entry = Entry(name=name, kind=kind, weight=weight, note="Proposed from the analyst's judgements.")
            try:
                changed = with_entry(watchlist, name, entry)
            except WatchlistError:  # a name the list cannot take (a kind's name, an existing name)
                return
            if build(changed).assess(*item.texts()).highlighted:
                yield Change(
                    "entry",
                    name,
                    f"add the entry {name!r} ({kind}, weight {_fmt(weight)})",
                    changed,
                    triggers_of([entry]),
                )
                return
            weight += WEIGHT_STEP


def _scopes(
    watchlist: Watchlist, build: Build, judged: Sequence[Judged], drawn_from: Sequence[Judged]
) -> Iterable[Change]:
    """Scope changes, each checked on the disagreeing article it is drawn from.

    A scope decides only whether topics and keywords count, so every article whose assessment a scope change
    may turn holds one of them: their trigger words are the change's (an exact bound, see :mod:`.triggers`)."""
    scoped = [e for e in watchlist.entries if e.kind in SCOPED_KINDS]
    if not scoped:
        return
    triggers = triggers_of(scoped)
    countries: list[str] | None = None  # for a watchlist without a scope, worked out on first need
    for item in drawn_from:
        if not item.relevant and any(m.kind in SCOPED_KINDS for m in item.assessment.matches):
            if watchlist.scope:
                # Taking out the only place would leave no scope, the whole world: it never removes a highlight.
                removable = watchlist.scope if len(watchlist.scope) > 1 else ()
                options = [
                    (name, tuple(n for n in watchlist.scope if n != name), f"take {name} out of the scope")
                    for name in removable
                ]
            else:
                if countries is None:
                    countries = _countries_named([j for j in judged if j.relevant])
                options = [
                    (
                        names[-1],
                        names,
                        f"add a scope: {', '.join(names)} (topics and keywords count only there)",
                    )
                    for names in (
                        tuple(countries[: k + 1]) for k in range(min(SCOPE_COUNTRIES, len(countries)))
                    )
                ]
        elif item.relevant and "out of scope:" in item.assessment.explanation:
            options = [
                (name, (*watchlist.scope, name), f"add {name} to the scope")
                for name in _outside_places(watchlist, item)
            ]
        else:
            continue
        for name, places, description in options:
            try:
                changed = watchlist.with_scope(places)
            except WatchlistError:  # a name the gazetteer cannot take back (it found it under another form)
                continue
            if build(changed).assess(*item.texts()).highlighted == item.relevant:
                yield Change("scope", name, description, changed, triggers)


def _mentions(item: Judged) -> list[tuple[float, str, tuple[Place, ...]]]:
    """The places `item` names: (weight of the field, the words as written, the places they may be)."""
    places = gazetteer()
    return [
        (FIELD_WEIGHT.get(field, 0.5), mention.text, mention.places)
        for field, text in zip(FIELDS, item.texts(), strict=True)
        if text
        for mention in places.find(text, field)
    ]


def _countries_named(relevant: Sequence[Judged]) -> list[str]:
    """The countries the articles judged relevant name (a city or region stands for its country), the most
    named first: the candidate scope of a watchlist that has none."""
    places = gazetteer()
    weights: dict[str, float] = {}
    for item in relevant:
        for weight, _, found in _mentions(item):
            codes = {p.country for p in found if p.country}
            if len(codes) == 1:  # a name several countries share says nothing of where the story is
                code = codes.pop()
                weights[code] = weights.get(code, 0.0) + weight
    order = sorted(weights, key=lambda c: (-weights[c], c))
    return [places.country_name(code) for code in order]


def _outside_places(watchlist: Watchlist, item: Judged) -> list[str]:
    """The places a false negative set aside as out of scope names, the weightiest first, each followed by its
    country: the narrowest addition to the scope, then the broader one; the weighing picks between them."""
    places = gazetteer()
    covered = _scope_check(watchlist)
    weights: dict[str, float] = {}
    for weight, text, found in _mentions(item):
        specific = [p for p in found if p.kind != "continent"]
        if not specific or any(covered(p) for p in specific):
            continue
        names = [text]
        codes = {p.country for p in specific if p.country}
        if len(codes) == 1:
            names.append(places.country_name(codes.pop()))
        for name in names:
            weights[name] = weights.get(name, 0.0) + weight
    return sorted(weights, key=lambda n: -weights[n])[:MAX_OUTSIDE]


def _scope_check(watchlist: Watchlist) -> Callable[[Place], bool]:
    """Whether a place is covered by the watchlist's scope (nothing is when it has none)."""
    if not watchlist.scope:
        return lambda _place: False
    scope = CompiledScope(watchlist.scope, (e.name for e in watchlist.entries if e.kind == "place"))
    return scope.covers
