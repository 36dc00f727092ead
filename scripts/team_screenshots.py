#!/usr/bin/env python3
"""Screenshots of the window on a team's shared PostgreSQL database (issue 19), offscreen, on a throwaway server
(tests/pg_server.py): the usual window with the analyst named in the status bar and the local-only features
greyed out, and the banner a lost server gives (docs/team-window.png and docs/team-server-lost.png with
--readme).

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/team_screenshots.py [--out DIR] [--readme]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from monitor.app import build_window, setup_application  # noqa: E402
from monitor.core.models import ArticleQuery  # noqa: E402
from monitor.core.service import VigieCore  # noqa: E402
from monitor.paths import AppPaths  # noqa: E402
from monitor.ui.tasks import TaskRunner  # noqa: E402
from tests.pg_server import throwaway_server  # noqa: E402

SIZE = (1280, 800)


def wait(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=REPO / "screenshots")
    parser.add_argument("--readme", action="store_true", help="also write docs/team-*.png")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    setup_application(app)
    import psycopg

    with throwaway_server() as url, tempfile.TemporaryDirectory() as folder:
        core = VigieCore(AppPaths(Path(folder)), database=url, analyst="alice")
        ids = [r.id for r in core.store.rows(ArticleQuery(view="highlighted"), 0, 6)]
        core.store.set_starred(ids[0], True)
        core.store.set_read(ids[1:3])
        runner = TaskRunner()
        window = build_window(core, runner)
        window.resize(*SIZE)
        window.show()
        window.select_row(0)
        wait(1500)
        shots = {"team-window.png": window}
        window.grab().save(str(args.out / "team-window.png"))
        dbname = urlsplit(url).path.lstrip("/")
        with psycopg.connect(url.replace(f"/{dbname}?", "/postgres?"), autocommit=True) as admin:
            admin.execute(f"ALTER DATABASE {dbname} ALLOW_CONNECTIONS false")
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [dbname]
            )
            window.reload_list()
            for _ in range(50):
                wait(200)
                if window.team.banner.isVisible():
                    break
            wait(300)
            window.grab().save(str(args.out / "team-server-lost.png"))
            shots["team-server-lost.png"] = window
            admin.execute(f"ALTER DATABASE {dbname} ALLOW_CONNECTIONS true")
        runner.shutdown(wait=True)
        window.close()
        core.close()
    for name in shots:
        print(args.out / name)
        if args.readme:
            (REPO / "docs" / name).write_bytes((args.out / name).read_bytes())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
