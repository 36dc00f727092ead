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
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from monitor.core.matching.folding import fold_key
from monitor.core.matching.matcher import Matcher
from monitor.core.matching.watchlist import Entry, Watchlist

logger = logging.getLogger(__name__)

__all__ = ["NLP_MODEL", "Suggestion", "nlp_available", "suggest_entries"]

NLP_MODEL = "fr_core_news_sm"


def _words(text: str) -> frozenset[str]:
    """A set of words from a whitespace-separated block (long lists read better as prose than as literals)."""
    return frozenset(text.split())


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

# Only openers (quotes, brackets, bullets) since the start, or a colon or dash that opens a heading's tail.
_SENTENCE_START = re.compile(r"(?:^|[:;!?.—–-])[\s\"'“”«»‘’(\[*•]*$")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?…])\s+|\n+")
# Words with inner apostrophes and hyphens; elided articles (d', l', qu') are split off below.
_TOKEN = re.compile(r"[^\W_][\w'’\-‐‑.]*[^\W_]|[^\W_]")
_ELISION = re.compile(r"^(?:[dDlLjJmMnNsStT]|[qQ]u|[lL]orsqu|[pP]uisqu|[jJ]usqu)['’](?=\w)")

_PARTICLES = _words(
    """
de d' du des la le Le La les van von der den al el di da dos del y et
"""
)
_ELIDED = frozenset({"d'", "l'"})
# Lower-case words that may join two capitalised parts of one name ("Centre for Drugs and Drug Addiction").
_CONNECTORS = frozenset({"of", "for", "on", "and", "the", "et"})
_TITLES = _words(
    """
m. mme mlle me dr dr. pr pr. mr mr. mrs mrs. ms ms. sir dame president président présidente prime
minister ministers ministre interior justice foreign senator senators sénateur sénatrice mayor maire
judge juge prosecutor procureur procureure general général commissioner commissaire professor
professeur deputy député députée secretary chancellor pope king queen prince princess captain
colonel lieutenant sergeant préfet préfète prefect rapporteur activist militant militante lawyer
avocat avocate expert researcher chercheur chercheuse candidate candidat frère brother sister sœur
saint
"""
)
_PERSON_CUES = _TITLES | _words(
    """
mother father son daughter mère père fils fille student étudiant étudiante colleague collègue leader
chef officer analyst journalist journaliste victim victime suspect inmate trafficker fugitive
prisoner cousin uncle oncle founder fondateur fondatrice spokesman spokeswoman porte-parole said
says told explains explique déclare affirme estime selon according photographer writer author auteur
elder older younger senators insight
"""
)
_ORG_WORDS = _words(
    """
association parquet office ministère ministry senate sénat commission police gendarmerie university
université mafia clan party parti rassemblement union agency agence centre center observatory
observatoire direction council conseil court cour tribunal assembly assemblée parliament parlement
bank banque group groupe company club fc olympique juridiction brigade institute institut foundation
fondation federation fédération network réseau cartel gang organisation organization monde
libération figaro times post news information press presse
"""
)
_PERSON_AFTER = frozenset({"said", "says", "told", "explains", "estime", "explique", "déclare", "affirme"})
_ORG_CUES = _words(
    """
association organisation organization group groupe gang clan network réseau party parti office
agency ngo company club called nommée appelée baptisée
"""
)
_PLACE_CUES = frozenset({"in", "à", "at", "near", "from", "en", "au", "aux", "dans", "vers", "of"})
_PLACE_AFTER = _words(
    """
district region city port airport quartier neighbourhood neighborhood area province county
"""
)
_PLACE_BEFORE = frozenset({"city", "port", "ville", "région", "region", "town", "village", "commune"})
_PLACE_INFIXES = ("-sur-", "-en-", "-le-", "-la-", "-les-", "-de-", "Saint-", "Sainte-")
_STOP_ACRONYMS = _words(
    """
FAQ AFP AP TV OK PDF URL CCTV II III IV XXL CEO Q A I PS NB USD EUR HTML RSS
"""
)
# Capitalised words that open sentences or headings but name nothing (English and French).
_COMMON = _words(
    """
a an the in on at for from with without after before as while when where what why how who which this
that these those it its he she they we you i our their his her my your is are was were be been has
have had do does did will would can could should may might must not no yes but and or if so then
there here however meanwhile furthermore moreover despite although though because since according
both many most some all any each every other another such also currently contrary logically secretly
indeed still yet just only even first second third last next new more less q le la les un une des du
de au aux et ou mais donc ni car si quand comme lorsque alors ainsi puis ensuite enfin selon après
avant pendant depuis dans sur sous pour par avec sans chez il elle ils elles nous vous je ce cet
cette ces son sa ses leur leurs notre nos votre vos mon ma mes qui que quoi dont où plus moins très
tout tous toute toutes aucun aucune chaque certains certaines plusieurs oui non pas mr mrs ms dr pro
tip know expert insight frequently asked questions future trends role impact rise increased
expansion focus strengthened broader threats escalation background political involvement
implications well now once again january february march april june july august september october
november december monday tuesday wednesday thursday friday saturday sunday janvier février mars
avril mai juin juillet août septembre octobre novembre décembre lundi mardi mercredi jeudi vendredi
samedi dimanche
"""
)
_FIRST_NAMES = _words(
    """
mehdi amine brahim mohamed mohammed ahmed ali karim rachid nabil samir farid yassine sofiane bilal
ilyes nadia fatima leila yasmina samia sabrina nour omar hakim walid mourad hamza youssef abdel
abdelkader nicolas michel bernard emmanuel sébastien gérald laurent marine benoît jérôme étienne
etienne isabelle marc gilles guillaume hans jean pierre paul jacques françois françoise philippe
alain patrick christophe frédéric olivier thierry éric eric david daniel stéphane pascal didier
bruno vincent julien antoine thomas alexandre maxime arnaud mathieu matthieu romain hugo lucas louis
léa emma chloé camille manon sarah julie marie anne catherine nathalie sophie sandrine valérie
véronique christine martine sylvie laure vanessa ségolène rachida najat agnès élisabeth elisabeth
édouard edouard gabriel jordan franck raphaël rémi rémy fabien cédric lionel yannick john james
robert william richard charles joseph george michael mark peter andrew steven kevin brian edward
mary patricia jennifer linda elizabeth susan jessica karen nancy lisa betty margaret sandra ashley
emily donna ursula giorgia olaf friedrich viktor pedro mario giuseppe
"""
)


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


@dataclass
class _Candidate:
    forms: Counter = field(default_factory=Counter)
    count: int = 0
    running_text: int = 0  # occurrences outside Title Case headlines
    not_initial: int = 0  # occurrences not at a sentence start
    evidence: Counter = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    aliases: Counter = field(default_factory=Counter)


def _is_boilerplate(sentence: str) -> bool:
    if any(p.search(sentence) for p in _BOILERPLATE):
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


def _tokens(sentence: str) -> list[tuple[str, int, int]]:
    """Words with their spans; elided articles become their own particle token ("d'", "l'")."""
    out: list[tuple[str, int, int]] = []
    for m in _TOKEN.finditer(sentence):
        word, start = m.group(), m.start()
        elided = _ELISION.match(word)
        if elided:
            out.append((elided.group().replace("’", "'").lower(), start, start + elided.end()))
            word, start = word[elided.end() :], start + elided.end()
        possessive = re.search(r"['’]s$", word)
        if possessive:
            word = word[: possessive.start()]
        word = word.rstrip(".") if not re.fullmatch(r"(?:[A-Z]\.)+|M\.|Dr\.|Mr\.|Mrs\.|Pr\.", word) else word
        if word:
            out.append((word, start, start + len(word)))
    return out


def _is_acronym(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters) and len(word) <= 8


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper()


def _looks_like_place(name: str) -> bool:
    return any(infix in name for infix in _PLACE_INFIXES)


_DETERMINERS = _words(
    """
the a an its their le la les l' un une du des au by of par de
"""
)


def _acronym_long_form(words: list[str], acronym: str) -> str | None:
    """The words before "(ACRONYM)": those whose initials spell it when they do, else the run of words after
    the last determiner ("the national organised crime prosecution office (PNACO)": a French acronym for an
    English description)."""
    window = words[-(len(acronym) + 5) :]
    for i, w in enumerate(window):
        if w[:1].lower() == acronym[0].lower() and w.lower() not in _PARTICLES:
            span = window[i:]
            initials = "".join(x[0].lower() for x in span if x.lower() not in _PARTICLES and x not in _ELIDED)
            if len(span) >= 2 and sum(c in initials for c in acronym.lower()) >= max(2, len(acronym) - 2):
                return " ".join(span).replace("' ", "'")
    run: list[str] = []
    for w in reversed(words[-8:]):
        if w.lower() in _DETERMINERS:
            break
        run.insert(0, w)
    return " ".join(run).replace("' ", "'") if len(run) >= 2 else None


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


_NER_KINDS = {"PER": "person", "PERSON": "person", "ORG": "organisation", "LOC": "place", "GPE": "place"}


class _Collector:
    def __init__(self) -> None:
        self.candidates: dict[str, _Candidate] = defaultdict(_Candidate)
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
        self.lower_words.update(w.casefold() for w in words if w.islower())
        self._last = None

        def joined(a: int, b: int) -> bool:
            """Only spaces between two tokens: a name never runs across punctuation."""
            return not sentence[tokens[a][2] : tokens[b][1]].strip()

        i = 0
        n = len(tokens)
        while i < n:
            if not _is_capitalised(words[i]) or words[i] in _ELIDED:
                i += 1
                continue
            j = i + 1
            while j < n and joined(j - 1, j):
                if _is_capitalised(words[j]) and words[j] not in {"Le", "La"}:
                    j += 1
                    continue
                k = j
                while (
                    k < n
                    and k - j < 2
                    and (words[k] in _PARTICLES or words[k] in _CONNECTORS)
                    and joined(k - 1, k)
                ):
                    k += 1
                if k > j and k < n and _is_capitalised(words[k]) and joined(k - 1, k):
                    j = k + 1
                else:
                    break
            for a, b in self._split_on_connectors(words, i, j):
                self._emit(sentence, tokens, a, b, running=running)
            i = j

    @staticmethod
    def _split_on_connectors(words: list[str], i: int, j: int) -> list[tuple[int, int]]:
        """English connectors (of, for, and...) stay inside organisation names only: "European Monitoring
        Centre for Drugs and Drug Addiction" is one name, "Jérôme Durain and Etienne Blanc" two."""
        span = words[i:j]
        if not any(w in _CONNECTORS for w in span) or any(w.lower() in _ORG_WORDS for w in span):
            return [(i, j)]
        parts: list[tuple[int, int]] = []
        start = i
        for k in range(i, j):
            if words[k] in _CONNECTORS:
                if k > start:
                    parts.append((start, k))
                start = k + 1
        if j > start:
            parts.append((start, j))
        return parts

    def _emit(
        self, sentence: str, tokens: list[tuple[str, int, int]], i: int, j: int, *, running: bool
    ) -> None:
        words = [t[0] for t in tokens]
        evidence: list[str] = []
        initial = _SENTENCE_START.search(sentence[: tokens[i][1]]) is not None
        # Leading titles: "Prime Minister", "Senator", "M.", "Interior Minister".
        titled = False
        while i < j and words[i].lower() in _TITLES:
            titled = True
            i += 1
            initial = False
        # Sentence-initial function words: "In Marseille" -> "Marseille" (with a place cue).
        while i < j and words[i].lower() in _COMMON:
            if words[i].lower() in _PLACE_CUES:
                evidence.append("place")
            i += 1
            initial = True
        # Trailing particles never end a name.
        while j > i and (words[j - 1] in _PARTICLES or words[j - 1] in {"d'", "l'"}):
            j -= 1
        if i >= j:
            return
        span_words = words[i:j]
        name = sentence[tokens[i][1] : tokens[j - 1][2]]
        before = [w.lower() for w in words[max(0, i - 3) : i]]
        after = words[j].lower() if j < len(words) else ""
        prev = before[-1] if before else ""
        if len(span_words) == 1 and _is_acronym(span_words[0]):
            if span_words[0] in _STOP_ACRONYMS:
                return
            evidence.append("organisation")
        org_named = any(w.lower() in _ORG_WORDS for w in span_words)
        if org_named or prev in _ORG_CUES:
            evidence.append("organisation")
        if not org_named and (titled or prev in _PERSON_CUES or after in _PERSON_AFTER):
            evidence.append("person")
        if span_words[0].lower() in _FIRST_NAMES:
            evidence.extend(["person", "person"] if len(span_words) >= 2 else ["person"])
        port_of = prev == "of" and len(before) >= 2 and before[-2] in _PLACE_BEFORE
        if (
            (prev in _PLACE_CUES and prev != "of")
            or port_of
            or after in _PLACE_AFTER
            or _looks_like_place(name)
        ):
            evidence.append("place")
        self.add(name, sentence, running=running, initial=initial, evidence=evidence)
        # "LONG NAME (ACRONYM)": the acronym, with the long form as an alias.
        opening = sentence[: tokens[i][1]].rstrip()
        if (
            len(span_words) == 1
            and opening.endswith("(")
            and sentence[tokens[i][2] :].lstrip().startswith(")")
        ):
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


def _common_phrase(name: str, cand: _Candidate, lower_words: Counter) -> bool:
    """Capitalised common words ("Law Enforcement", "Ports" in a heading): every word also occurs in lower
    case in the corpus and nothing says it names a person or an organisation."""
    if _is_acronym(name) or cand.evidence["person"] or cand.evidence["organisation"]:
        return False
    words = [w for w in re.findall(r"[^\W\d_]+", name) if w not in _PARTICLES]
    return bool(words) and all(lower_words[w.casefold()] > 0 for w in words)


def _consolidate(collector: _Collector) -> None:
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


def _guess_kind(cand: _Candidate, name: str) -> str:
    if not cand.evidence:
        if _is_acronym(name):
            return "organisation"
        return "keyword"
    best = max(cand.evidence.items(), key=lambda kv: (kv[1], kv[0] == "person"))
    return best[0]


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
    collector = _Collector()
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

    _consolidate(collector)
    lookup = _ExistingLookup(existing) if existing is not None else None
    out: list[Suggestion] = []
    for cand in collector.candidates.values():
        if not cand.forms or cand.count < min_count or not cand.running_text:
            continue
        name = cand.forms.most_common(1)[0][0]
        is_single = " " not in name and not _is_acronym(name)
        if is_single and not cand.not_initial:
            continue  # only ever opens a sentence or a heading: most likely a common word
        if _common_phrase(name, cand, collector.lower_words):
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
                kind_guess=_guess_kind(cand, name),
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
