"""Measure the watchlist: serve labelled feeds on 127.0.0.1, poll them through the real pipeline, score `highlighted`.

    python -m monitor.evaluate [--dev DIR] [--watchlist FILE.toml] [--threshold N]
    python -m monitor.evaluate --stories [--dev DIR] [--database URL]   (story grouping: monitor/evaluate_stories.py)

DIR holds `items.jsonl` (with `link` and `label`) and `feeds/*.xml`; by default ../shared/eval/dev beside the
checkout. Prints precision, recall and F1 of `highlighted` against label == "relevant", then every item it got
wrong with its score and the entries that matched.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import tempfile
import threading
from dataclasses import dataclass, field, replace
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from monitor.core.errors import UserError
from monitor.core.matching.watchlist import load_watchlist
from monitor.core.models import SEED_SOURCE, ArticleQuery
from monitor.core.parsing import language
from monitor.core.service import VigieCore
from monitor.core.support.collector import tune_collector
from monitor.evaluate_stories import DEFAULT_STORIES_DEV, evaluate_stories, print_story_evaluation
from monitor.paths import AppPaths

DEFAULT_DEV = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "dev"


@dataclass
class Evaluation:
    true_positives: list[dict] = field(default_factory=list)
    false_positives: list[dict] = field(default_factory=list)
    false_negatives: list[dict] = field(default_factory=list)
    true_negatives: int = 0
    missing: list[str] = field(default_factory=list)
    # The language tags as polled (the feed's word, else the detector) against each item's `lang` label.
    lang_right: int = 0
    lang_wrong: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        found = len(self.true_positives) + len(self.false_positives)
        return len(self.true_positives) / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = len(self.true_positives) + len(self.false_negatives)
        return len(self.true_positives) / wanted if wanted else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(folder: Path) -> tuple[ThreadingHTTPServer, str]:
    """Serve a folder on 127.0.0.1 on a free port; returns the server and its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, name="eval-http", daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def read_labels(dev: Path) -> dict[str, dict]:
    """The labelled items of an evaluation set (its items.jsonl), by link."""
    lines = (dev / "items.jsonl").read_text(encoding="utf-8").splitlines()
    return {item["link"]: item for item in (json.loads(line) for line in lines if line.strip())}


def evaluate(dev: Path, watchlist: Path | None = None, threshold: float | None = None) -> Evaluation:
    labels = read_labels(dev)
    server, base = serve(dev / "feeds")
    try:
        with tempfile.TemporaryDirectory(prefix="vigie-eval-") as tmp:
            core = VigieCore(AppPaths(Path(tmp)))
            try:
                if watchlist is not None:
                    core.replace_watchlist(load_watchlist(watchlist))
                if threshold is not None:
                    core.update_settings(replace(core.settings, highlight_threshold=threshold))
                for path in sorted((dev / "feeds").glob("*.xml")):
                    core.add_feed(f"{base}/{path.name}")
                core.poll()
                articles = [a for a in core.store.articles(ArticleQuery()) if a.source != SEED_SOURCE]
            finally:
                core.close()
    finally:
        server.shutdown()
        server.server_close()
    result = Evaluation()
    seen = set()
    for article in articles:
        label = labels.get(article.link or "")
        if label is None:
            continue
        seen.add(article.link)
        if "lang" in label:
            if article.lang == label["lang"]:
                result.lang_right += 1
            else:
                result.lang_wrong.append(f"{label['id']} tagged {article.lang}, labelled {label['lang']}")
        row = {
            "id": label["id"],
            "title": article.title,
            "score": article.score,
            "entries": sorted({m.entry for m in article.matches}),
            "why": label.get("why", ""),
        }
        relevant = label["label"] == "relevant"
        if article.highlighted and relevant:
            result.true_positives.append(row)
        elif article.highlighted:
            result.false_positives.append(row)
        elif relevant:
            result.false_negatives.append(row)
        else:
            result.true_negatives += 1
    result.missing = sorted(item["id"] for link, item in labels.items() if link not in seen)
    return result


def detector_accuracy(items_files: list[Path]) -> tuple[int, int, list[str]]:
    """The language detector alone (no feed's word) on the title and summary of every labelled item: (right,
    total, what it got wrong)."""
    right, total, wrong = 0, 0, []
    for path in items_files:
        for line in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line) if line.strip() else {}
            if "lang" not in item:
                continue
            total += 1
            found = language.detect(language.sample(item.get("title", ""), item.get("summary", "")))
            if found == item["lang"]:
                right += 1
            else:
                wrong.append(f"{item.get('id')} detected {found}, labelled {item['lang']}")
    return right, total, wrong


def _print_languages(result: Evaluation, dev: Path) -> None:
    tagged = result.lang_right + len(result.lang_wrong)
    if tagged:
        print(f"language tags as polled (the feed's word, else detected): {result.lang_right}/{tagged} right")
    # The dev set's feeds mostly declare their language; the detector is also measured alone, on this set and on
    # the stories set beside it when there is one.
    files = [dev / "items.jsonl"] + [f for f in [dev.parent / "stories-dev" / "items.jsonl"] if f.exists()]
    right, total, wrong = detector_accuracy(files)
    if total:
        names = " + ".join(f.parent.name for f in files)
        print(f"language detector alone ({names}): {right}/{total} right ({right / total:.3f})")
    for line in result.lang_wrong + wrong:
        print(f"  language: {line}")


def main(argv: list[str] | None = None) -> int:
    tune_collector()  # the poll runs as in `vigie poll`
    parser = argparse.ArgumentParser(prog="python -m monitor.evaluate", description=__doc__.split("\n")[0])
    parser.add_argument("--stories", action="store_true", help="score story grouping (B-cubed) instead")
    parser.add_argument("--dev", type=Path, help="folder with items.jsonl and feeds/")
    parser.add_argument("--watchlist", type=Path, help="a watchlist TOML (default: the shipped one)")
    parser.add_argument("--threshold", type=float, help="highlight threshold (default: the matcher's)")
    parser.add_argument(
        "--database",
        metavar="URL",
        help="with --stories: poll into this empty PostgreSQL database (team mode) instead of a SQLite file",
    )
    args = parser.parse_args(argv)
    if args.dev is None:
        args.dev = DEFAULT_STORIES_DEV if args.stories else DEFAULT_DEV
    if not (args.dev / "items.jsonl").exists():
        print(f"evaluate: no items.jsonl in {args.dev}", file=sys.stderr)
        return 2
    if args.database and not args.stories:
        print("evaluate: --database goes with --stories", file=sys.stderr)
        return 2
    if args.stories:
        try:
            print_story_evaluation(evaluate_stories(args.dev, args.database))
        except UserError as exc:  # a StoreError too: the server down, the login refused
            print(f"evaluate: {exc}", file=sys.stderr)
            return 2
        return 0
    result = evaluate(args.dev, args.watchlist, args.threshold)
    total = len(result.true_positives) + len(result.false_positives) + len(result.false_negatives)
    total += result.true_negatives
    print(f"items: {total} (missing from the poll: {len(result.missing)})")
    print(
        f"true positives {len(result.true_positives)}, false positives {len(result.false_positives)}, "
        f"false negatives {len(result.false_negatives)}, true negatives {result.true_negatives}"
    )
    print(f"precision {result.precision:.3f}  recall {result.recall:.3f}  F1 {result.f1:.3f}")
    for title, rows in (
        ("false positives", result.false_positives),
        ("false negatives", result.false_negatives),
    ):
        for row in rows:
            print(f"  {title[:-1]}: {row['id']} score {row['score']:.2f} {row['entries']} :: {row['title']}")
    for missing in result.missing:
        print(f"  missing: {missing}")
    _print_languages(result, args.dev)
    return 0


if __name__ == "__main__":
    sys.exit(main())
