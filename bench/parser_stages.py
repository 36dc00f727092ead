"""The parser processes' work, stage by stage, in one process: the CPU of each step of a worker's function over the
items of bench/ingest.py's first poll (500 feeds x 40 items by default), and a record of what each step made.

Run from the repository root: ``python bench/parser_stages.py [--feeds 500] [--items 40] [--repeat 1]
[--record FILE] [--compare FILE] [--profile]``.

The stages are those of monitor.core.polling.poller._parse_and_assess: parse_feed (feedparser, then plain text,
safe HTML and languages), the matcher (watchlist, namesakes, context, the scope's places), the word forms, the
names of the highlighted items and the story features; "feedparser alone" is feedparser.parse on the same
bytes (not part of the worker's sum). The sum of the stages is the CPU the poll's parser processes spend on these
feeds (bench/ingest.py prints that total; it also counts the processes' start and the pickling of results).

``--record FILE`` writes one line per item: a digest of each stage's output (every field of the parsed item, the
assessment with its matches and explanation, the word forms, the name rows and lower-case words, the story
features), for these feeds and for the feeds of the evaluation sets beside the checkout
(../shared/eval/*/feeds, or --eval) and the shipped seeds. ``--compare FILE`` makes the same record and prints
every item whose output differs from FILE's: a change that must not change a result is checked that way (record
before, compare after).
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import pstats
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import astuple
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _fixtures as fx
import feedparser
from _feedserver import feed_bytes

from monitor.core.matching.article_names import article_names
from monitor.core.matching.matcher import Matcher
from monitor.core.parsing.feeds import parse_feed
from monitor.core.parsing.seeds import read_seeds
from monitor.core.parsing.wordforms import index_forms
from monitor.core.service import VigieCore
from monitor.core.stories.text import story_features
from monitor.paths import AppPaths

STAGES = ("parse_feed", "assess", "word forms", "names", "story features")
EVAL_SETS = fx.ROOT.parent / "shared" / "eval"
SEEDS = fx.ROOT / "seeds"
FETCHED_AT = datetime(2026, 12, 1, tzinfo=UTC)


def shipped_matcher() -> Matcher:
    """The matcher of a new profile: the shipped watchlist with its scope, as bench/ingest.py polls with."""
    with tempfile.TemporaryDirectory(prefix="vigie-stages-") as folder:
        core = VigieCore(AppPaths(Path(folder)))
        try:
            return core.matcher
        finally:
            core.close()


def _digest(value: object) -> str:
    return hashlib.sha1(repr(value).encode("utf-8")).hexdigest()[:16]


def run_stages(
    docs: list[tuple[str, bytes]], matcher: Matcher, cpu: dict[str, float], record: list[str] | None
) -> int:
    """Each worker stage over every item of `docs` ((url, bytes)), its CPU added to `cpu`; the digests of what
    each stage made appended to `record` when given. Returns the number of items."""
    clock = time.process_time
    items = 0
    for url, doc in docs:
        t = clock()
        parsed = parse_feed(doc, url=url, headers={}, fetched_at=FETCHED_AT)
        cpu["parse_feed"] += clock() - t
        t = clock()
        assessments = [matcher.assess(i.title, i.summary, i.content) for i in parsed.items]
        cpu["assess"] += clock() - t
        t = clock()
        forms = [index_forms(i.title, i.summary, i.content, i.lang) for i in parsed.items]
        cpu["word forms"] += clock() - t
        t = clock()
        names = [
            article_names(i.title, i.summary, i.content) if a.highlighted else None
            for i, a in zip(parsed.items, assessments, strict=True)
        ]
        cpu["names"] += clock() - t
        t = clock()
        features = [story_features(i.title, i.summary, i.content, lang_hint=i.lang) for i in parsed.items]
        cpu["story features"] += clock() - t
        items += len(parsed.items)
        if record is not None:
            record.append(f"{url}\tfeed\t{_digest((parsed.title, parsed.link, parsed.lang, parsed.error))}")
            encoded = [(f.lang, f.encode()) for f in features]  # sets, whose order changes from run to run
            for n, parts in enumerate(zip(parsed.items, assessments, forms, names, encoded, strict=True)):
                record.append(f"{url}#{n}\t" + "\t".join(_digest(astuple(p)) for p in parts[:2]))
                record[-1] += "\t" + "\t".join(_digest(p) for p in parts[2:])
    return items


def check_docs(eval_sets: Path) -> Iterator[tuple[str, bytes]]:
    """The evaluation sets' feeds: real text beside the bench's."""
    for path in sorted(eval_sets.glob("*/feeds/*.xml")):
        yield f"file:{path.relative_to(eval_sets)}", path.read_bytes()


def seed_texts(matcher: Matcher, record: list[str]) -> None:
    """The seeds' digests: the matcher, word forms and names over each seed's text (they are no feed)."""
    for seed in read_seeds(SEEDS):
        lang = seed.lang or "fr"
        parts = (
            astuple(matcher.assess(seed.title, "", seed.body)),
            index_forms(seed.title, "", seed.body, lang),
            article_names(seed.title, "", seed.body),
            story_features(seed.title, "", seed.body, lang_hint=lang).encode(),
        )
        record.append(f"seed:{seed.file}\t" + "\t".join(_digest(p) for p in parts))


def compare(path: Path, record: list[str]) -> int:
    """Lines of `record` that differ from the file's, printed; the count."""
    before = path.read_text(encoding="utf-8").splitlines()
    differing = 0
    if len(before) != len(record):
        print(f"  {len(before)} lines recorded, {len(record)} now")
        differing += 1
    for old, new in zip(before, record, strict=False):
        if old != new:
            differing += 1
            if differing <= 20:
                old_parts, new_parts = old.split("\t"), new.split("\t")
                stages = [k for k, (a, b) in enumerate(zip(old_parts, new_parts, strict=False)) if a != b]
                print(f"  differs: {new_parts[0]} (columns {stages})")
    return differing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--items", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--record", type=Path, help="write the digests of every stage's output to this file")
    parser.add_argument("--compare", type=Path, help="compare the digests with this file's")
    parser.add_argument("--profile", action="store_true", help="cProfile of one pass (top 30 by own time)")
    parser.add_argument(
        "--eval", type=Path, default=EVAL_SETS, help="the evaluation sets' folder (with --record)"
    )
    args = parser.parse_args()
    print(f"machine: {fx.machine()}, feedparser {feedparser.__version__}")
    docs = [(f"http://127.0.0.1/{n}.xml", d) for n, d in enumerate(feed_bytes(args.feeds, args.items))]
    clock = time.process_time
    t = clock()
    matcher = shipped_matcher()
    matcher.assess("Marseille", "", "")  # the scope's gazetteer loads at the first assessment
    print(f"the shipped matcher, built and warmed: {clock() - t:.2f} s of CPU")
    for run in range(args.repeat):
        t = clock()
        for _, doc in docs:
            feedparser.parse(doc)
        alone = clock() - t
        cpu = dict.fromkeys(STAGES, 0.0)
        record: list[str] | None = [] if (args.record or args.compare) and run == 0 else None
        prof = cProfile.Profile() if args.profile and run == 0 else None
        if prof:
            prof.enable()
        items = run_stages(docs, matcher, cpu, record)
        if prof:
            prof.disable()
        total = sum(cpu.values())
        print(
            f"run {run + 1}: {items:,} items; feedparser alone {alone:.2f} s; the worker's stages {total:.2f} s:"
        )
        for stage in STAGES:
            print(f"  {stage:15s} {cpu[stage]:6.2f} s  {cpu[stage] / total:5.1%}")
        if prof:
            pstats.Stats(prof).sort_stats("tottime").print_stats(30)
        if record is not None:
            checked = list(check_docs(args.eval))
            print(f"and {len(checked)} feeds of the evaluation sets in {args.eval}, and the seeds")
            run_stages(checked, matcher, dict.fromkeys(STAGES, 0.0), record)
            seed_texts(matcher, record)
            if args.record:
                args.record.write_text("\n".join(record) + "\n", encoding="utf-8")
                print(f"recorded {len(record):,} lines in {args.record}")
            if args.compare:
                differing = compare(args.compare, record)
                print(f"compared with {args.compare}: {differing} differing lines of {len(record):,}")
                if differing:
                    sys.exit(1)


if __name__ == "__main__":
    main()
