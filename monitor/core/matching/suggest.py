"""Propose watchlist entries from a corpus: the names of people, organisations and places it talks about.

The heuristic stands alone (no model needed):

- boilerplate is dropped first: comment prompts ("Leave a comment", "Share your thoughts"), "You may also
  like", "Read more", "Subscribe", photo credits ("Photo:", "©", "AFP", a caption's "| Name / Agency" tail);
- candidates are runs of capitalised words, which may contain French particles ("Office Central de Lutte
  Contre la Criminalité Organisée", "Aix-en-Provence"), and acronyms (PNACO, OFAST, RAID, DZ); titles in front
  of a name ("Prime Minister", "Senator", "M.", "Mme") are cut off and count as evidence that it is a person;
- capitalised words that only ever open a sentence and also occur in lower case ("After", "Despite",
  "Logically") are common words, not names; Title Case headlines only confirm names found in running text;
- "LONG NAME (ACRONYM)" gives the acronym with the long name as an alias;
- the kind is voted from cues: titles and first names for people; acronyms and words such as association,
  parquet, office, ministère, Senate for organisations; "in X", "à X", "port of X" for places.

When spaCy and its ``fr_core_news_sm`` model are importable, their PER/ORG/LOC entities are added as
candidates and as kind evidence. Candidates already covered by an existing watchlist entry are dropped (or
marked, on request).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from monitor.core.matching.candidates import Collector, common_phrase, consolidate, guess_kind, is_acronym
from monitor.core.matching.folding import fold_key
from monitor.core.matching.matcher import Matcher
from monitor.core.matching.name_filters import known_first_names, rejection
from monitor.core.matching.watchlist import Entry, Watchlist

logger = logging.getLogger(__name__)

__all__ = [
    "NLP_MODEL",
    "Suggestion",
    "collect",
    "load_nlp",
    "nlp_available",
    "select_suggestions",
    "suggest_entries",
]

NLP_MODEL = "fr_core_news_sm"


_BOILERPLATE = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^\s*(share|partager|subscribe|s'abonner|abonnez-vous|read more|read also|"
        r"lire (aussi|la suite|plus)|à lire aussi|you may also like|vous aimerez aussi|related( articles)?|"
        r"sponsored|advertisement|publicité|follow us|suivez-nous|sign up|newsletter)\b",
        r"\bleave a (comment|reply)\b",
        r"\bplease enter your\b",
        r"\bshare your (thoughts|opinions?|views)\b",
        r"\bin the comments\b",
        r"\bour community starts with you\b",
        r"\bsubscribe to\b",
        r"\bbe part of the conversation\b",
        r"©",
        r"\(c\)\s*\d{4}",
        r"\bphotos?\s*:",
        r"\bcr[ée]dits?( photo)?\s*:",
        r"\ball rights reserved\b",
        r"\btous droits réservés\b",
        r"\bvia wikimedia\b",
        r"\bgetty images\b",
        r"^\s*(photo|illustration|image)\b",
    )
]
# Credits that only mark a line as boilerplate when the line is short (a caption, not a sentence quoting the
# agency).
_SHORT_CREDIT = re.compile(r"\b(AFP|Reuters|AP|Getty|Sipa|Maxppp|Hans Lucas|ANP|Belga)\b")
_CAPTION_CREDIT = re.compile(r"\s\|\s[^|]*$")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?…])\s+|\n+")


@dataclass(frozen=True)
class Suggestion:
    """A candidate entry for the watchlist.

    Attributes:
        name: the most frequent written form.
        kind_guess: one of the watchlist kinds (keyword when nothing points elsewhere).
        count: how many times it occurs in the corpus (boilerplate excluded).
        examples: up to three sentences where it occurs.
        aliases: other forms seen (spelling variants, the long form of an acronym).
        existing: the watchlist entry that already covers it, when ``include_existing`` asked to keep those.
    """

    name: str
    kind_guess: str
    count: int
    examples: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    existing: str | None = None

    def to_entry(self, weight: float = 1.0) -> Entry:
        """A watchlist entry built from the suggestion (the analyst reviews weight and context)."""
        aliases = tuple(dict.fromkeys((self.name, *self.aliases)))
        return Entry(
            name=self.name,
            kind=self.kind_guess,
            aliases=aliases,
            weight=weight,
            note=f"Suggested from the corpus ({self.count} mentions).",
        )


# _BOILERPLATE regrouped for speed (the name index reads every sentence of every highlighted article): the
# patterns that open the sentence, tried once at its start; the others, where a word starts with one of their
# first letters (a lookahead that rules out most positions at once), or at a "©" or "(". Tests check that they
# agree with the list.
_BOILERPLATE_OPENING = re.compile(
    r"\s*(?:(?:share|partager|subscribe|s'abonner|abonnez-vous|read more|read also|lire (?:aussi|la suite|plus)|"
    r"à lire aussi|you may also like|vous aimerez aussi|related(?: articles)?|sponsored|advertisement|publicité|"
    r"follow us|suivez-nous|sign up|newsletter)\b|(?:photo|illustration|image)\b)",
    re.IGNORECASE,
)
_BOILERPLATE_ANYWHERE = re.compile(
    r"(?=[lpsiobcatvg©(])(?:\b(?:leave a (?:comment|reply)\b|please enter your\b|"
    r"share your (?:thoughts|opinions?|views)\b|in the comments\b|our community starts with you\b|subscribe to\b|"
    r"be part of the conversation\b|photos?\s*:|cr[ée]dits?(?: photo)?\s*:|all rights reserved\b|"
    r"tous droits réservés\b|via wikimedia\b|getty images\b)|©|\(c\)\s*\d{4})",
    re.IGNORECASE,
)


def _is_boilerplate(sentence: str) -> bool:
    if _BOILERPLATE_OPENING.match(sentence) or _BOILERPLATE_ANYWHERE.search(sentence):
        return True
    return len(sentence.split()) <= 12 and bool(_SHORT_CREDIT.search(sentence))


def _clean_lines(text: str) -> list[str]:
    lines = []
    for raw in text.splitlines():
        line = _CAPTION_CREDIT.sub("", raw) if " | " in raw and "/" in raw.rsplit(" | ", 1)[-1] else raw
        line = re.sub(r"^\s*[QA]\s*:\s*", "", line)
        if line.strip():
            lines.append(line.strip())
    return lines


def _title_cased(line: str) -> bool:
    """A short line In Title Case: a headline or a heading, whose capitals do not mark names."""
    if len(line.split()) > 14 or re.search(r"[.;!?]\s+\S", line):
        return False
    words = re.findall(r"[^\W\d_]{4,}", line)
    return len(words) >= 3 and sum(w[0].isupper() for w in words) / len(words) >= 0.75


_nlp_cache: dict[str, Any] = {}


def _load_nlp() -> Any | None:
    """The spaCy pipeline, or None when spaCy or the model is not installed."""
    if "nlp" not in _nlp_cache:
        try:
            import spacy  # optional dependency: pip install vigie[nlp]

            _nlp_cache["nlp"] = spacy.load(NLP_MODEL)
        except Exception as exc:  # ImportError, OSError (model missing), or a broken install
            logger.info("spaCy NER unavailable (%s); using the heuristic alone", exc)
            _nlp_cache["nlp"] = None
    return _nlp_cache["nlp"]


def nlp_available() -> bool:
    """Whether spaCy and the fr_core_news_sm model can be loaded."""
    return _load_nlp() is not None


class _ExistingLookup:
    """Which watchlist entry already covers a written form: same folded text as one of its terms, a word a
    prefix term covers, or the matcher finding an entry over the whole form."""

    def __init__(self, watchlist: Watchlist) -> None:
        self._terms: dict[str, str] = {}
        self._prefixes: list[tuple[str, str]] = []
        for entry in watchlist.entries:
            self._terms.setdefault(fold_key(entry.name), entry.name)
            for term in (*entry.terms(), *entry.case_sensitive_aliases):
                self._terms.setdefault(fold_key(term), entry.name)
            self._prefixes.extend((fold_key(p), entry.name) for p in entry.prefixes)
        self._matcher = Matcher(watchlist)

    def entry_for(self, form: str) -> str | None:
        key = fold_key(form)
        if key in self._terms:
            return self._terms[key]
        for prefix, name in self._prefixes:
            if key.startswith(prefix) and " " not in key[len(prefix) :]:
                return name
        for m in self._matcher.find(form, "summary"):
            if m.start == 0 and m.end == len(form):
                return m.entry
        return None


def suggest_entries(
    texts: Iterable[str],
    existing: Watchlist | None = None,
    use_nlp: bool | None = None,
    *,
    include_existing: bool = False,
    min_count: int = 1,
    limit: int | None = None,
) -> list[Suggestion]:
    """Candidate watchlist entries found in ``texts``, most frequent first.

    Args:
        texts: documents (a headline and body each, plain text).
        existing: a watchlist whose entries should not be proposed again.
        use_nlp: True to require spaCy NER (RuntimeError if unavailable), False to skip it, None to use it
            when installed.
        include_existing: keep candidates an existing entry covers, with ``existing`` set to that entry's
            name.
        min_count: drop candidates seen fewer times.
        limit: keep at most this many suggestions.
    """
    nlp = None
    if use_nlp or use_nlp is None:
        nlp = _load_nlp()
        if nlp is None and use_nlp:
            raise RuntimeError(f"spaCy NER needs spacy and the {NLP_MODEL} model: pip install 'vigie[nlp]'")
    collector = collect(texts, nlp)
    return select_suggestions(
        collector, existing, include_existing=include_existing, min_count=min_count, limit=limit, nlp=nlp
    )


def collect(texts: Iterable[str], nlp: Any | None = None) -> Collector:
    """The candidates of `texts` (boilerplate left out), with spaCy's entities when `nlp` is a pipeline."""
    collector = Collector()
    for text in texts:
        for line in _clean_lines(text):
            running = not _title_cased(line)
            for sentence in _SENTENCE_SPLIT.split(line):
                sentence = sentence.strip()
                if not sentence or _is_boilerplate(sentence):
                    continue
                collector.scan(sentence, running=running)
                if nlp is not None:
                    for ent in nlp(sentence).ents:
                        collector.add_entity(ent.text, ent.label_, sentence, running=running)
    return collector


def load_nlp() -> Any | None:
    """spaCy's pipeline when installed, else None (the heuristic alone)."""
    return _load_nlp()


def select_suggestions(
    collector: Collector,
    existing: Watchlist | None = None,
    *,
    include_existing: bool = False,
    min_count: int = 1,
    limit: int | None = None,
    nlp: Any | None = None,
) -> list[Suggestion]:
    """The suggestions among `collector`'s candidates (consolidated here): what suggest_entries returns. The
    collector may come from texts (`collect`) or from the per-article name index (signals)."""
    consolidate(collector)
    lookup = _ExistingLookup(existing) if existing is not None else None
    # Full names known from the corpus (a person's) or from the watchlist: their first names alone are no name.
    full_names = [
        c.forms.most_common(1)[0][0]
        for c in collector.candidates.values()
        if c.forms and (c.evidence["person"] > c.evidence["organisation"])
    ]
    if existing is not None:
        full_names += [t for e in existing.entries if e.kind == "person" for t in (e.name, *e.terms())]
    first_names = known_first_names(full_names)
    out: list[Suggestion] = []
    for cand in collector.candidates.values():
        if not cand.forms or cand.count < min_count or not cand.running_text:
            continue
        name = cand.forms.most_common(1)[0][0]
        is_single = " " not in name and not is_acronym(name)
        if is_single and not cand.not_initial:
            continue  # only ever opens a sentence or a heading: most likely a common word
        if common_phrase(name, cand, collector.lower_words) or rejection(name, cand, first_names):
            continue
        covered_by = None
        if lookup is not None:
            covered_by = next(
                filter(None, (lookup.entry_for(f) for f in (name, *cand.forms, *cand.aliases))), None
            )
            if covered_by and not include_existing:
                continue
        aliases = [f for f, _ in cand.forms.most_common() if f != name] + [
            a for a, _ in cand.aliases.most_common()
        ]
        out.append(
            Suggestion(
                name=name,
                kind_guess=guess_kind(cand, name),
                count=cand.count,
                examples=tuple(cand.examples),
                aliases=tuple(dict.fromkeys(aliases)),
                existing=covered_by,
            )
        )
    out.sort(key=lambda s: (-s.count, s.name.casefold()))
    if limit is not None:
        out = out[:limit]
    logger.info("suggested %d entries (nlp=%s)", len(out), nlp is not None)
    return out
