"""Matching throughput (Vigie's Matcher vs one regex per alias) and re-scoring 200,000 stored articles.

Run from the repository root: ``/work/venv/bin/python bench/matching.py [--naive-sample N] [--repeat N]
[--rescore-repeat N] [--no-rescore] [--profile]``.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _fixtures as fx

from monitor.core.matching.folding import fold, fold_key
from monitor.core.matching.matcher import Matcher
from monitor.core.matching.watchlist import Entry, Watchlist

N_ARTICLES = 20_000


class NaiveMatcher:
    """One compiled regex per term, run over the folded text of each field (the folded keys of every alias,
    case-sensitive aliases included, whole words; prefixes run to the end of the word).

    ``tuned=False`` is the textbook form ``\\bterm\\b``. ``tuned=True`` starts the pattern with the literal
    (``term(?!\\w)``), which lets the regex engine skip ahead with a fast literal search, and checks the left word
    boundary in Python: the strongest one-regex-per-alias matcher we know, measured so that the ratio is not
    flattered by a weak baseline.
    """

    def __init__(self, watchlist: Watchlist, *, tuned: bool = False) -> None:
        self.tuned = tuned
        self.patterns: list[tuple[str, re.Pattern[str]]] = []
        for entry in watchlist.entries:
            for alias in (*entry.terms(), *entry.case_sensitive_aliases):
                key = re.escape(fold_key(alias))
                self.patterns.append(
                    (entry.name, re.compile(key + r"(?!\w)" if tuned else r"\b" + key + r"\b"))
                )
            for prefix in entry.prefixes:
                key = re.escape(fold_key(prefix))
                self.patterns.append(
                    (entry.name, re.compile(key + r"\w*" if tuned else r"\b" + key + r"\w*"))
                )

    def assess(self, title: str, summary: str, content: str) -> list[tuple[str, str, int, int]]:
        found = []
        for field, text in (("title", title), ("summary", summary), ("content", content)):
            folded = fold(text).text
            for name, pattern in self.patterns:
                for m in pattern.finditer(folded):
                    start = m.start()
                    if self.tuned and start > 0 and folded[start - 1].isalnum():
                        continue
                    found.append((name, field, start, m.end()))
        return found


def make_articles(n: int, seed: int = 2026) -> list[tuple[str, str, str]]:
    wl = fx.bench_watchlist()
    gen = fx.TextGenerator(seed, fx.watchlist_terms(wl))
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        lang = "fr" if rng.random() < 0.6 else "en"
        title = gen.words(rng.randint(6, 14), lang)
        summary = gen.words(rng.randint(30, 60), lang)
        content = gen.text(3000 - len(title) - len(summary), lang)
        out.append((title, summary, content))
    return out


def throughput(assess, articles, repeat: int) -> tuple[float, list[float], int]:
    """(median seconds per run, all runs, total hits of the last run)."""
    runs = []
    hits = 0
    for _ in range(repeat):
        t = time.perf_counter()
        hits = 0
        for title, summary, content in articles:
            result = assess(title, summary, content)
            hits += len(result.matches) if hasattr(result, "matches") else len(result)
        runs.append(time.perf_counter() - t)
    return fx.median(runs), runs, hits


def bench_matching(args: argparse.Namespace) -> None:
    wl = fx.bench_watchlist()
    t = time.perf_counter()
    matcher = Matcher(wl)
    build_vigie = time.perf_counter() - t
    articles = make_articles(N_ARTICLES)
    mb = sum(len((a + b + c).encode()) for a, b, c in articles) / 1e6
    print(
        f"watchlist: {len(wl.entries)} entries, {wl.alias_count()} aliases ({matcher.term_count} automaton terms)"
    )
    print(
        f"articles: {len(articles):,}, {mb:.1f} MB of text ({mb * 1e3 / len(articles):.2f} KB each), 60% French"
    )
    print(f"Vigie matcher built in {build_vigie * 1e3:.0f} ms")

    v_med, v_runs, v_hits = throughput(matcher.assess, articles, args.repeat)
    v_rate = len(articles) / v_med
    print(
        f"Vigie Matcher.assess: all {len(articles):,} articles, median of {args.repeat} runs {v_med:.2f} s "
        f"(runs {', '.join(f'{r:.2f}' for r in v_runs)}) -> {v_rate:,.0f} articles/s, {mb / v_med:.2f} MB/s; "
        f"{v_hits:,} kept matches"
    )
    for tuned, size in ((False, args.naive_sample), (True, args.tuned_sample)):
        naive = NaiveMatcher(wl, tuned=tuned)
        label = "tuned naive (literal-first regex)" if tuned else "naive (\\bterm\\b regex)"
        sample = articles[:size]
        s_mb = sum(len((a + b + c).encode()) for a, b, c in sample) / 1e6
        n_med, n_runs, n_hits = throughput(naive.assess, sample, args.repeat)
        n_rate = len(sample) / n_med
        sv_med, _, sv_hits = throughput(matcher.assess, sample, args.repeat)
        print(
            f"{label}, {len(naive.patterns)} regexes: first {len(sample):,} of the same articles, median of "
            f"{args.repeat} runs {n_med:.2f} s (runs {', '.join(f'{r:.2f}' for r in n_runs)}) -> "
            f"{n_rate:,.1f} articles/s, {s_mb / n_med:.3f} MB/s; {n_hits:,} raw hits (Vigie: {sv_hits:,} kept)"
        )
        print(
            f"RATIO Vigie / {label}: {n_med / sv_med:.1f}x on the identical {len(sample):,}-article sample "
            f"(Vigie {sv_med:.2f} s), {v_rate / n_rate:.1f}x against Vigie's all-20,000 rate (target >= 20x)"
        )

    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        for title, summary, content in articles[:2000]:
            matcher.assess(title, summary, content)
        prof.disable()
        print("\ncProfile of Matcher.assess over 2,000 articles (top 12 by own time):")
        pstats.Stats(prof).sort_stats("tottime").print_stats(12)


def bench_rescore(args: argparse.Namespace) -> None:
    """The fixture's articles start unscored. Each run first scores them all (every row written: the worst case,
    printed), then times the edit: one entry added to the watchlist, which changes only the articles that name it."""
    from monitor.core.models import ArticleQuery
    from monitor.core.service import VigieCore
    from monitor.paths import AppPaths

    source = fx.profile_200k()
    runs = []
    count = 0
    for i in range(args.rescore_repeat):
        work = fx.copy_profile(source, fx.BENCH_DIR / "rescore")
        core = VigieCore(AppPaths(work))
        total = core.store.count_all()
        t = time.perf_counter()
        core.rescore()
        first = time.perf_counter() - t
        print(
            f"  run {i + 1}: first scoring of the unscored fixture (every row rewritten) {first:.1f} s",
            flush=True,
        )
        edited = core.watchlist.with_entry(
            Entry(
                name=f"Bench edit {i}", kind="person", aliases=("Mariton Beladi", "Zoulou Bench"), weight=5.0
            )
        )
        t = time.perf_counter()
        if args.profile and i == 0:
            prof = cProfile.Profile()
            prof.enable()
            count = core.replace_watchlist(edited)
            prof.disable()
        else:
            count = core.replace_watchlist(edited)
        runs.append(time.perf_counter() - t)
        highlighted = core.store.count(ArticleQuery(highlighted_only=True))
        named = core.store.count(ArticleQuery(entry=f"Bench edit {i}"))
        print(
            f"  run {i + 1}: re-score after the edit {runs[-1]:.1f} s for {count:,} articles ({total:,} stored, "
            f"{named:,} name the new entry, {highlighted:,} highlighted after)",
            flush=True,
        )
        # A heavy edit: a new entry on a word in 60% of the fixture's articles, so 120,000 rows are rewritten.
        t = time.perf_counter()
        core.replace_watchlist(
            edited.with_entry(Entry(name="Police (bench)", kind="topic", aliases=("police",)))
        )
        heavy = time.perf_counter() - t
        named = core.store.count(ArticleQuery(entry="Police (bench)"))
        core.close()
        print(
            f"  run {i + 1}: re-score after a heavy edit {heavy:.1f} s ({named:,} articles name the new entry)",
            flush=True,
        )
    med = fx.median(runs)
    print(
        f"RESCORE after a watchlist edit (VigieCore.replace_watchlist -> rescore), default watchlist + 1 entry: "
        f"{count:,} articles, median of {len(runs)} run(s) {med:.1f} s, {count / med:,.0f} articles/s "
        f"(target < 30 s)"
    )
    if args.profile:
        print(
            "\ncProfile of the first re-score in this process (top 15 by own time; the workers are not profiled):"
        )
        pstats.Stats(prof).sort_stats("tottime").print_stats(15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="runs per throughput figure (median)")
    parser.add_argument(
        "--naive-sample",
        type=int,
        default=200,
        help="articles the textbook naive matcher runs over (about 75 ms each: all 20,000 take 25 min)",
    )
    parser.add_argument(
        "--tuned-sample", type=int, default=2000, help="articles the tuned naive matcher runs over"
    )
    parser.add_argument("--rescore-repeat", type=int, default=1)
    parser.add_argument("--no-rescore", action="store_true")
    parser.add_argument("--no-matching", action="store_true")
    parser.add_argument("--profile", action="store_true", help="print cProfile top functions")
    args = parser.parse_args()
    print(f"machine: {fx.machine()}")
    if not args.no_matching:
        bench_matching(args)
    if not args.no_rescore:
        bench_rescore(args)


if __name__ == "__main__":
    main()
