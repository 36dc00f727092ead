"""Shared benchmark fixtures: seeded synthetic text, a 2,000-alias watchlist and cached article profiles.

Everything is generated from seeded RNGs, so two runs (and two machines) see the same data. A profile of N
articles (200,000 or 1,000,000) is built once into ``$VIGIE_BENCH_DIR`` (default /tmp/vigie-bench/200k or
/tmp/vigie-bench/1m): a real Vigie data folder (seeds, default watchlist and meta written by VigieCore) to which
the articles are added with bulk SQL inserts in one transaction, then indexed for full-text search in one
statement (the store indexes the articles it saves itself; these bypass it). The first N articles of every
profile are the same, whatever N.
"""

from __future__ import annotations

import itertools
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The checkout whose `monitor` package the benches import: this one, or VIGIE_BENCH_CODE, which
# bench/grouping_instructions.py --base sets to count another checkout's package with this checkout's scripts. It
# goes first: PYTHONPATH alone came after this checkout, so such a count measured this checkout twice.
CODE = Path(os.environ.get("VIGIE_BENCH_CODE") or ROOT).resolve()
if sys.path[:1] != [str(CODE)]:
    sys.path.insert(0, str(CODE))

from monitor.core.matching.watchlist import Entry, Watchlist, load_default_watchlist  # noqa: E402
from monitor.core.models import ArticleQuery  # noqa: E402
from monitor.core.storage.db import MIGRATIONS  # noqa: E402

BENCH_DIR = Path(os.environ.get("VIGIE_BENCH_DIR", "/tmp/vigie-bench"))
FIXTURE_VERSION = f"2-schema{len(MIGRATIONS)}"  # rebuilt when the schema changes
N_ARTICLES = 200_000
PROFILE_200K = BENCH_DIR / "200k"
N_FEEDS = 500


def _words(text: str) -> list[str]:
    return text.split()


FRENCH = _words(
    """
le la les un une des du de et en à au aux dans pour par sur avec sans sous chez entre vers pendant depuis contre
après avant selon comme mais ou donc car ni que qui quoi dont où ce cette ces son sa ses leur leurs nous vous
ils elles on il elle est sont était étaient sera seront a ont avait avaient fait faire dit dire peut pouvoir
doit devoir veut vouloir va aller vient venir prend prendre mis mettre été être avoir très plus moins aussi
encore déjà toujours jamais souvent hier aujourd'hui demain ville quartier police justice enquête enquêteurs
juge tribunal procès ministre gouvernement maire mairie préfet préfecture habitants famille frère mère père
jeune jeunes homme femme enfant école collège lycée rue cité immeuble voiture balle tir tirs arme armes
fusillade meurtre assassinat victime victimes suspect suspects interpellé interpellés garde vue réseau réseaux
point deal trafic drogue drogues cannabis cocaïne résine argent millions euros année années semaine mois jour
nuit soir matin élection élections municipales candidat candidate campagne association militant militante
menaces protection sécurité violence violences règlement comptes bande bandes quartiers nord sud port douane
saisie saisies tonnes kilos dossier affaire parquet avocat avocats témoin témoins marche blanche hommage colère
peur deuil société politique économie budget réforme loi projet débat assemblée sénat député députée région
département national nationale européen européenne
"""
)

ENGLISH = _words(
    """
the a an of and to in on at for with without from by about into over after before during between against under
through is are was were be been being has have had do does did will would can could should may might must not no
yes this that these those he she it they we you his her its their our your who whom which what where when why
how city police justice investigation investigators judge court trial minister government mayor prefect
residents family brother mother father young man woman child school street estate building car bullet shooting
gun guns murder killing victim victims suspect suspects arrested custody network networks dealing point trade
drug drugs cannabis cocaine resin money million euros year years week month day night evening morning election
elections municipal candidate campaign association activist threats protection security violence gang gangs
northern districts port customs seizure seizures tonnes kilos case lawyer lawyers witness witnesses march
tribute anger fear mourning society politics economy budget reform law bill debate assembly senate deputy region
department national european said says told according also still already never often yesterday today tomorrow
"""
)

_SYLLABLES = _words(
    """
ba be bi bo bu da de di do du fa fe fi fo ga ge gi go ka ke ki ko la le li lo lu ma me mi mo mu na ne ni no nu
pa pe pi po ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo za ze zi zo cha che chi lou mar sel ber ton
vil ard ette ine ane our ier ois and ent
"""
)


def synthetic_names(count: int, seed: int = 7) -> list[str]:
    """Distinct two-word proper names ("Mariton Beladi") that never collide with real words."""
    rng = random.Random(seed)
    names: set[str] = set()
    out: list[str] = []
    while len(out) < count:
        first = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        last = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()
        name = f"{first} {last}"
        if name.lower() not in names:
            names.add(name.lower())
            out.append(name)
    return out


def bench_watchlist(target_aliases: int = 2000) -> Watchlist:
    """The default watchlist plus synthetic people and organisations, up to `target_aliases` terms."""
    base = load_default_watchlist()
    entries = list(base.entries)
    missing = target_aliases - base.alias_count()
    names = synthetic_names(missing)
    kinds = ("person", "organisation", "place", "keyword")
    for i, name in enumerate(names):
        entries.append(Entry(name=name, kind=kinds[i % len(kinds)], aliases=(name,), weight=1.0 + (i % 5)))
    wl = Watchlist(tuple(entries))
    assert wl.alias_count() == target_aliases, wl.alias_count()
    return wl


def watchlist_terms(wl: Watchlist) -> list[str]:
    """Every alias and prefix of `wl`, for sprinkling into the text."""
    out: list[str] = []
    for e in wl.entries:
        out.extend(e.terms())
        out.extend(e.case_sensitive_aliases)
        out.extend(p + "s" for p in e.prefixes)
    return out


class TextGenerator:
    """Seeded French/English prose with watchlist names mixed in (about one word in 60 is a watched term)."""

    def __init__(self, seed: int, terms: Sequence[str], term_rate: float = 1 / 60) -> None:
        self.rng = random.Random(seed)
        self.terms = list(terms)
        self.term_rate = term_rate

    def words(self, n: int, lang: str) -> str:
        rng = self.rng
        vocab = FRENCH if lang == "fr" else ENGLISH
        out = rng.choices(vocab, k=n)
        for _ in range(max(0, round(n * self.term_rate + rng.uniform(-1, 1)))):
            out[rng.randrange(n)] = rng.choice(self.terms)
        # Sentences: a capital after each full stop, about every 15 words.
        i = 0
        while i < n:
            out[i] = out[i][:1].upper() + out[i][1:]
            i += rng.randint(8, 22)
            if i - 1 < n:
                out[i - 1] += "."
        return " ".join(out)

    def text(self, nbytes: int, lang: str) -> str:
        # About 6.5 bytes a word (word + space, a few accented letters).
        return self.words(max(1, nbytes * 10 // 65), lang)


def median(xs: Sequence[float]) -> float:
    return statistics.median(xs)


def percentile(xs: Sequence[float], p: float) -> float:
    s = sorted(xs)
    k = min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))
    return s[k]


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


# -- the article profiles ---------------------------------------------------------------------------------------


def _article_rows(n: int, feed_ids: Sequence[int], seed: int) -> Iterator[tuple[object, ...]]:
    """The articles' column values, in insertion order (the RNG sequence fixes the data)."""
    from monitor.core.parsing.links import content_hash

    wl = bench_watchlist()
    gen = TextGenerator(seed, watchlist_terms(wl), term_rate=1 / 200)
    rng = random.Random(seed + 1)
    base = datetime(2024, 1, 1, tzinfo=UTC)
    span = 2 * 365 * 24 * 3600
    for i in range(n):
        lang = "fr" if rng.random() < 0.6 else "en"
        title = gen.words(rng.randint(6, 14), lang)
        summary = gen.words(rng.randint(30, 60), lang)
        content = gen.text(rng.randint(600, 1400), lang)
        published = (base + timedelta(seconds=rng.randrange(span))).strftime("%Y-%m-%dT%H:%M:%S+00:00")
        feed_id = feed_ids[i % len(feed_ids)]
        score = round(rng.random() ** 3 * 12, 2)
        yield (
            feed_id,
            f"http://bench.invalid/feed/{feed_id}.xml",
            f"guid:bench-{i}",
            f"bench-{i}",
            f"http://bench.invalid/a/{i}",
            title,
            summary,
            content,
            published,
            published,
            lang,
            content_hash(title, summary, content),
            published,
            published,
            score,
            int(score >= 4),
            int(rng.random() < 0.7),
            int(rng.random() < 0.01),
        )


def _insert_articles(db_path: Path, n: int, feed_ids: Sequence[int], seed: int = 42) -> None:
    import sqlite3

    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA journal_mode = WAL")
    # A large page cache keeps the nine indexes' B-trees in memory while a million rows go in at random places.
    conn.execute("PRAGMA cache_size = -1000000")
    rows = _article_rows(n, feed_ids, seed)
    batch = 20_000
    t0 = time.perf_counter()
    conn.execute("BEGIN")
    done = 0
    while done < n:
        chunk = list(itertools.islice(rows, batch))
        conn.executemany(
            """INSERT INTO articles(feed_id, source, dedup_key, guid, link, title, summary, content, content_html,
                   published, fetched, lang, content_hash, first_seen, last_updated, poll_id, score, highlighted,
                   alert, matches, read, starred)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?, 1, ?, ?, 0, '[]', ?, ?)""",
            chunk,
        )
        done += len(chunk)
        if done % 100_000 == 0 or done == n:
            print(f"  ... {done:,} articles ({time.perf_counter() - t0:.0f} s)", file=sys.stderr, flush=True)
    conn.execute("COMMIT")
    # The store indexes the articles it saves itself (monitor/core/storage/db.py, v5); these were inserted
    # around it, so they are indexed here, in one statement.
    t1 = time.perf_counter()
    conn.execute(
        "INSERT INTO articles_fts(rowid, title, summary, content) SELECT id, title, summary, content FROM articles "
        "WHERE source LIKE 'http://bench.invalid/%'"
    )
    print(f"  full-text index built in {time.perf_counter() - t1:.0f} s", file=sys.stderr, flush=True)
    # The word-form index (schema 10) the same way the migration builds it for a store's existing articles.
    from monitor.core.storage import wordform_index

    t2 = time.perf_counter()
    conn.execute("BEGIN")
    seeds = conn.execute(
        "SELECT max(id) FROM articles WHERE source NOT LIKE 'http://bench.invalid/%'"
    ).fetchone()
    wordform_index.index_articles(conn, after_id=seeds[0] or 0)  # the seeds were indexed by the store
    conn.execute("COMMIT")
    print(f"  word-form index built in {time.perf_counter() - t2:.0f} s", file=sys.stderr, flush=True)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("ANALYZE")
    conn.close()


def profile_dir(n_articles: int) -> Path:
    """Where the profile of `n_articles` lives: 200k, 1m, ..."""
    if n_articles % 1_000_000 == 0:
        return BENCH_DIR / f"{n_articles // 1_000_000}m"
    if n_articles % 1000 == 0:
        return BENCH_DIR / f"{n_articles // 1000}k"
    return BENCH_DIR / str(n_articles)


def profile(n_articles: int = N_ARTICLES, rebuild: bool = False) -> Path:
    """The data folder of the cached profile of `n_articles` articles, built on first use.

    Building takes about 50 s for 200,000 articles and about 4 minutes for 1,000,000 on the bench machine
    (docs/BENCHMARKS.md), mostly generating the text and building the full-text index. It runs in a child
    process: the build's page cache would otherwise stay in this process's resident memory, which the benches
    measure.
    """
    folder = profile_dir(n_articles)
    stamp = folder / "bench-fixture.txt"
    if not rebuild and stamp.exists() and stamp.read_text() == FIXTURE_VERSION:
        return folder
    subprocess.run(
        [sys.executable, str(Path(__file__)), "--articles", str(n_articles), "--build-here"], check=True
    )
    return folder


def _build(n_articles: int) -> Path:
    from monitor.core.service import VigieCore
    from monitor.paths import AppPaths

    folder = profile_dir(n_articles)
    if folder.exists():
        shutil.rmtree(folder)
    print(f"building the {n_articles:,}-article profile in {folder} (once) ...", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    paths = AppPaths(folder)
    core = VigieCore(paths)  # seeds, default watchlist, meta: a profile the app opens without re-scoring
    core.store.add_feeds(
        [(f"http://bench.invalid/feed/{i}.xml", f"Bench feed {i:03d}") for i in range(N_FEEDS)], 60
    )
    feed_ids = [f.id for f in core.store.list_feeds()]
    core.close()
    _insert_articles(paths.database, n_articles, feed_ids)
    (folder / "bench-fixture.txt").write_text(FIXTURE_VERSION)
    size = paths.database.stat().st_size / 1e6
    print(f"built in {time.perf_counter() - t0:.0f} s ({size:,.0f} MB)", file=sys.stderr, flush=True)
    return folder


def profile_200k(rebuild: bool = False) -> Path:
    """The data folder of the cached 200,000-article profile."""
    return profile(N_ARTICLES, rebuild)


def copy_profile(source: Path, target: Path) -> Path:
    """A private copy of a profile (benches that write, such as re-scoring or polling, work on one)."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    return target


def machine() -> str:
    import sqlite3

    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({cpu}), Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}"


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(
        description="Build (once) the cached article profile and print its folder."
    )
    parser.add_argument("--articles", type=int, default=N_ARTICLES, help="200000 (default) or 1000000")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--build-here", action="store_true", help=argparse.SUPPRESS)  # profile()'s child
    args = parser.parse_args()
    print(_build(args.articles) if args.build_here else profile(args.articles, rebuild=args.rebuild))


def list_filters(core) -> list[tuple[str, ArticleQuery]]:  # type: ignore[no-untyped-def]
    """The list's views and filters the window benches time, over the bench profile (a VigieCore on it)."""
    feed_id = next(f.id for f in core.store.list_feeds() if f.url.startswith("http://bench.invalid/"))
    entry = core.watchlist.entries[0].name
    return [
        ("view highlighted", ArticleQuery(view="highlighted")),
        ("view new (unread)", ArticleQuery(view="new")),
        ("view starred", ArticleQuery(view="starred")),
        ("view seeds", ArticleQuery(view="seeds")),
        ("view one feed", ArticleQuery(view="feed", feed_id=feed_id)),
        (f"entry {entry!r}", ArticleQuery(entry=entry)),
        ("highlighted only + unread only", ArticleQuery(highlighted_only=True, unread_only=True)),
        ("since 2025-12-01", ArticleQuery(since="2025-12-01")),
    ]
