"""Cases, reports and backups at scale: a 200-item case to PDF, ODT and HTML; backup and restore of the
200,000-article profile (issue 18).

Run from the repository root: ``.venv/bin/python bench/cases.py [--items 200] [--repeat 3]``. Works on a copy of
the cached 200,000-article profile (bench/_fixtures.py; set VIGIE_BENCH_DIR to keep it apart from other runs).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import _fixtures as fx
import pypdf

from monitor.core.service import VigieCore
from monitor.paths import AppPaths
from monitor.reports.render import render_report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(fx.machine())
    source = fx.profile_200k()
    with tempfile.TemporaryDirectory(prefix="vigie-cases-bench-") as tmp:
        work = fx.copy_profile(source, Path(tmp) / "profile")
        core = VigieCore(AppPaths(work))
        try:
            ids = [
                r[0]
                for r in core.store.conn.execute(
                    "SELECT id FROM articles WHERE highlighted = 1 ORDER BY random() LIMIT ?", (args.items,)
                )
            ]
            core.add_to_case(
                "Bench", ids, note="A note on every item, as an analyst writes it.", tags=["bench"]
            )
            case = core.case_named("Bench")
            print(f"case of {case.items} items from a profile of {core.store.count_all():,} articles")
            timings = fx.timed(lambda: core.case_view(case.id), args.repeat)
            print(f"case view read (items + item pages): median {fx.median(timings):.2f} s")
            html = core.case_report_html(case.id)
            timings = fx.timed(lambda: core.case_report_html(case.id), args.repeat)
            print(f"report HTML ({len(html) / 1e6:.1f} MB): median {fx.median(timings):.2f} s")
            for fmt in ("pdf", "odt", "html"):
                target = Path(tmp) / f"report.{fmt}"
                timings = fx.timed(lambda f=fmt, t=target: render_report(html, f, t, "Bench"), args.repeat)
                extra = f", {len(pypdf.PdfReader(target).pages)} pages" if fmt == "pdf" else ""
                size = target.stat().st_size / 1e6
                print(
                    f"{fmt.upper()} from the HTML: median {fx.median(timings):.2f} s ({size:.1f} MB{extra})"
                )
            total = fx.timed(
                lambda: render_report(core.case_report_html(case.id), "pdf", Path(tmp) / "r.pdf", "Bench"), 1
            )
            print(f"200-item case to PDF end to end: {total[0]:.2f} s")
            size = core.paths.database.stat().st_size / 1e6
            backup = Path(tmp) / "profile.vigie"
            timings = fx.timed(lambda: core.backup(backup), args.repeat)
            print(f"backup of the {size:,.0f} MB database: median {fx.median(timings):.2f} s")
            t = time.perf_counter()
            core.restore(backup)
            print(
                f"restore of it (check, migrate, keep the old one, write in): {time.perf_counter() - t:.2f} s"
            )
        finally:
            core.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
