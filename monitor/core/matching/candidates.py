"""Candidate names in running text: tokens, runs of capitalised words, titles and particles, acronyms with
their long forms, and the evidence that votes each candidate's kind (see suggest.py for the whole method)."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from monitor.core.matching.folding import fold_key
from monitor.core.matching.wordlists import (
    COMMON_WORDS,
    CONNECTORS,
    DETERMINERS,
    FIRST_NAMES,
    ORG_CUES,
    ORG_WORDS,
    PARTICLES,
    PERSON_AFTER,
    PERSON_CUES,
    PLACE_AFTER,
    PLACE_BEFORE,
    PLACE_CUES,
    STOP_ACRONYMS,
    TITLES,
)

# Only openers (quotes, brackets, bullets) and spaces since the start, or since a sentence end, a colon or a dash
# that opens a heading's tail (_opens_sentence).
_OPENERS = frozenset("\"'“”«»‘’([*•")
_SENTENCE_ENDS = frozenset(":;!?.—–-")
# Words with inner apostrophes and hyphens; elided articles (d', l', qu') are split off below.
_TOKEN = re.compile(r"[^\W_][\w'’\-‐‑.]*[^\W_]|[^\W_]")
_ELISION = re.compile(r"^(?:[dDlLjJmMnNsStT]|[qQ]u|[lL]orsqu|[pP]uisqu|[jJ]usqu)['’](?=\w)")

# Words whose final dot is theirs: initials ("U.S."), and titles ("M.", "Dr.").
_DOTTED = re.compile(r"(?:[A-Z]\.)+|M\.|Dr\.|Mr\.|Mrs\.|Pr\.")
# The elided articles _tokens splits off ("d'Aix" -> "d'", "Aix"), as it writes them.
_ELIDED = frozenset({"d'", "l'"})
# Hyphenated parts of place names ("Aix-en-Provence", "Saint-Denis").
_PLACE_INFIXES = ("-sur-", "-en-", "-le-", "-la-", "-les-", "-de-", "Saint-", "Sainte-")


@dataclass
class Candidate:
    """Everything seen of one name (its forms folded together) across the corpus."""

    forms: Counter = field(default_factory=Counter)
    count: int = 0
    running_text: int = 0  # occurrences outside Title Case headlines
    not_initial: int = 0  # occurrences not at a sentence start
    evidence: Counter = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    aliases: Counter = field(default_factory=Counter)


def _tokens(sentence: str) -> list[tuple[str, int, int]]:
    """Words with their spans; elided articles become their own particle token ("d'", "l'")."""
    if "'" not in sentence and "’" not in sentence:
        # Most sentences: no elision nor possessive (both need an apostrophe), and a token ends with a letter or
        # a digit, never with the dot stripped below.
        return [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(sentence)]
    out: list[tuple[str, int, int]] = []
    for m in _TOKEN.finditer(sentence):
        word = m.group()
        if "'" not in word and "’" not in word:
            out.append((word, m.start(), m.end()))  # as above
            continue
        start = m.start()
        elided = _ELISION.match(word)
        if elided:
            out.append((elided.group().replace("’", "'").lower(), start, start + elided.end()))
            word, start = word[elided.end() :], start + elided.end()
        if word.endswith(("'s", "’s")):  # a possessive
            word = word[:-2]
        if word.endswith(".") and not _DOTTED.fullmatch(word):
            word = word.rstrip(".")
        if word:
            out.append((word, start, start + len(word)))
    return out


def _opens_sentence(sentence: str, position: int) -> bool:
    """Whether only openers and whitespace stand between `position` and the sentence's start or the last sentence
    end, colon or dash before it: what ``re.search(r"(?:^|[:;!?.—–-])[\\s\"'“”«»‘’(\\[*•]*$", sentence[:position])``
    says, without copying the sentence for each name."""
    k = position
    while k > 0:
        ch = sentence[k - 1]
        if ch in _OPENERS or ch.isspace():
            k -= 1
            continue
        return ch in _SENTENCE_ENDS
    return True


def is_acronym(word: str) -> bool:
    """Two to eight characters whose letters (at least two) are all capitals: "RAID", "DZ", "OFAST"."""
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters) and len(word) <= 8


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper()


def _looks_like_place(name: str) -> bool:
    return any(infix in name for infix in _PLACE_INFIXES)


def _acronym_long_form(words: list[str], acronym: str) -> str | None:
    """The words before "(ACRONYM)": those whose initials spell it when they do, else the run of words after
    the last determiner ("the national organised crime prosecution office (PNACO)": a French acronym for an
    English description)."""
    window = words[-(len(acronym) + 5) :]
    for i, w in enumerate(window):
        if w[:1].lower() == acronym[0].lower() and w.lower() not in PARTICLES:
            span = window[i:]
            initials = "".join(x[0].lower() for x in span if x.lower() not in PARTICLES and x not in _ELIDED)
            if len(span) >= 2 and sum(c in initials for c in acronym.lower()) >= max(2, len(acronym) - 2):
                return " ".join(span).replace("' ", "'")
    run: list[str] = []
    for w in reversed(words[-8:]):
        if w.lower() in DETERMINERS:
            break
        run.insert(0, w)
    return " ".join(run).replace("' ", "'") if len(run) >= 2 else None


_NER_KINDS = {"PER": "person", "PERSON": "person", "ORG": "organisation", "LOC": "place", "GPE": "place"}


class Collector:
    """Scans sentences and gathers the candidates they name, with the lower-case words seen."""

    def __init__(self) -> None:
        self.candidates: dict[str, Candidate] = defaultdict(Candidate)
        self.lower_words: Counter = Counter()
        self._last: tuple[str, int] | None = (
            None  # the last name emitted in the current sentence, and its end
        )

    def add(self, name: str, sentence: str, *, running: bool, initial: bool, evidence: Iterable[str]) -> None:
        name = name.strip(" -'’")
        if len(name) < 2 or not any(c.isalpha() for c in name):
            return
        key = fold_key(name)
        cand = self.candidates[key]
        cand.forms[name] += 1
        cand.count += 1
        cand.running_text += running
        cand.not_initial += not initial
        cand.evidence.update(evidence)
        if len(cand.examples) < 3 and sentence not in cand.examples:
            cand.examples.append(sentence if len(sentence) <= 240 else sentence[:237] + "...")

    def scan(self, sentence: str, *, running: bool) -> None:
        tokens = _tokens(sentence)
        words = [t[0] for t in tokens]
        self.lower_words.update([w.casefold() for w in words if w.islower()])
        self._last = None

        def joined(a: int, b: int) -> bool:
            """Only spaces between two tokens: a name never runs across punctuation."""
            return not sentence[tokens[a][2] : tokens[b][1]].strip()

        i = 0
        n = len(tokens)
        while i < n:
            if not words[i][:1].isupper() or words[i] in _ELIDED:  # not capitalised, or an elided article
                i += 1
                continue
            j = i + 1
            while j < n and joined(j - 1, j):
                if words[j][:1].isupper() and words[j] not in {"Le", "La"}:
                    j += 1
                    continue
                k = j
                while (
                    k < n
                    and k - j < 2
                    and (words[k] in PARTICLES or words[k] in CONNECTORS)
                    and joined(k - 1, k)
                ):
                    k += 1
                if k > j and k < n and _is_capitalised(words[k]) and joined(k - 1, k):
                    j = k + 1
                else:
                    break
            for a, b in self._split_on_connectors(words, i, j):
                self._emit(sentence, tokens, words, a, b, running=running)
            i = j

    @staticmethod
    def _split_on_connectors(words: list[str], i: int, j: int) -> list[tuple[int, int]]:
        """English connectors (of, for, and...) stay inside organisation names only: "European Monitoring
        Centre for Drugs and Drug Addiction" is one name, "Jérôme Durain and Etienne Blanc" two."""
        span = words[i:j]
        if not any(w in CONNECTORS for w in span) or any(w.lower() in ORG_WORDS for w in span):
            return [(i, j)]
        parts: list[tuple[int, int]] = []
        start = i
        for k in range(i, j):
            if words[k] in CONNECTORS:
                if k > start:
                    parts.append((start, k))
                start = k + 1
        if j > start:
            parts.append((start, j))
        return parts

    def _emit(
        self,
        sentence: str,
        tokens: list[tuple[str, int, int]],
        words: list[str],
        i: int,
        j: int,
        *,
        running: bool,
    ) -> None:
        """Add the name of tokens i..j-1 (`words` are the tokens' words), less its titles and particles."""
        evidence: list[str] = []
        initial = _opens_sentence(sentence, tokens[i][1])
        # Leading titles: "Prime Minister", "Senator", "M.", "Interior Minister".
        titled = False
        while i < j and words[i].lower() in TITLES:
            titled = True
            i += 1
            initial = False
        # Sentence-initial function words: "In Marseille" -> "Marseille" (with a place cue).
        while i < j and words[i].lower() in COMMON_WORDS:
            if words[i].lower() in PLACE_CUES:
                evidence.append("place")
            i += 1
            initial = True
        # Trailing particles never end a name.
        while j > i and (words[j - 1] in PARTICLES or words[j - 1] in {"d'", "l'"}):
            j -= 1
        if i >= j:
            return
        span_words = words[i:j]
        name = sentence[tokens[i][1] : tokens[j - 1][2]]
        before = [w.lower() for w in words[max(0, i - 3) : i]]
        after = words[j].lower() if j < len(words) else ""
        prev = before[-1] if before else ""
        if len(span_words) == 1 and is_acronym(span_words[0]):
            if span_words[0] in STOP_ACRONYMS:
                return
            evidence.append("organisation")
        org_named = any(w.lower() in ORG_WORDS for w in span_words)
        if org_named or prev in ORG_CUES:
            evidence.append("organisation")
        if not org_named and (titled or prev in PERSON_CUES or after in PERSON_AFTER):
            evidence.append("person")
        if span_words[0].lower() in FIRST_NAMES:
            evidence.extend(["person", "person"] if len(span_words) >= 2 else ["person"])
        port_of = prev == "of" and len(before) >= 2 and before[-2] in PLACE_BEFORE
        if (
            (prev in PLACE_CUES and prev != "of")
            or port_of
            or after in PLACE_AFTER
            or _looks_like_place(name)
        ):
            evidence.append("place")
        self.add(name, sentence, running=running, initial=initial, evidence=evidence)
        # "LONG NAME (ACRONYM)": the acronym, with the long form as an alias.
        opening = sentence[: tokens[i][1]].rstrip() if len(span_words) == 1 and "(" in sentence else ""
        if opening.endswith("(") and sentence[tokens[i][2] :].lstrip().startswith(")"):
            long_form = None
            if self._last and opening[:-1].rstrip() and len(opening[:-1].rstrip()) == self._last[1]:
                long_form = self._last[0]
            elif i > 0:
                long_form = _acronym_long_form(words[:i], span_words[0])
            # Only a name that add() kept: a one-letter "(P)" is refused there and gets no candidate here.
            acronym = self.candidates.get(fold_key(name.strip(" -'’")))
            if acronym is not None and long_form and fold_key(long_form) != fold_key(name):
                acronym.aliases[long_form] += 1
        self._last = (name, tokens[j - 1][2])

    def add_entity(self, text: str, label: str, sentence: str, *, running: bool) -> None:
        kind = _NER_KINDS.get(label)
        if kind:
            self.add(text, sentence, running=running, initial=False, evidence=[kind, kind])


def common_phrase(name: str, cand: Candidate, lower_words: Counter) -> bool:
    """Capitalised common words ("Law Enforcement", "Ports" in a heading): every word also occurs in lower
    case in the corpus and nothing says it names a person or an organisation."""
    if is_acronym(name) or cand.evidence["person"] or cand.evidence["organisation"]:
        return False
    words = [w for w in re.findall(r"[^\W\d_]+", name) if w not in PARTICLES]
    return bool(words) and all(lower_words[w.casefold()] > 0 for w in words)


def consolidate(collector: Collector) -> None:
    """Fold a long form into its acronym ("OCCLCO" takes "Office Central de Lutte..."), and let a surname used
    alone inherit the person evidence of the full names it ends ("Kessaci" after "Amine Kessaci")."""
    cands = collector.candidates
    for cand in list(cands.values()):
        for alias in list(cand.aliases):
            other = cands.get(fold_key(alias))
            if other is not None and other is not cand:
                cand.count += other.count
                cand.running_text += other.running_text
                cand.not_initial += other.not_initial
                cand.evidence.update(other.evidence)
                del cands[fold_key(alias)]
    surnames: Counter = Counter()
    for key, cand in cands.items():
        parts = key.split(" ")
        if len(parts) >= 2 and cand.evidence["person"] > cand.evidence["organisation"]:
            surnames[parts[-1]] += cand.evidence["person"]
    for key, cand in cands.items():
        if " " not in key and surnames[key]:
            cand.evidence["person"] += surnames[key]


def guess_kind(cand: Candidate, name: str) -> str:
    if not cand.evidence:
        if is_acronym(name):
            return "organisation"
        return "keyword"
    best = max(cand.evidence.items(), key=lambda kv: (kv[1], kv[0] == "person"))
    return best[0]
