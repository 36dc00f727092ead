"""Run the vigie command line in this process and SIGKILL it as it starts its N-th article insert.

`python -m tests.core.kill_at_insert N vigie-arguments...`: a crash at a known point inside a write
transaction, the same point every run, where tests/core/test_crash_safety.py used to race a reader against the
poll to kill it at about the right moment. SQLite's statement trace says when an insert begins.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import sys
from pathlib import Path

from monitor import cli
from monitor.core.storage import db

ARTICLE_INSERT = "INSERT INTO articles("


def main(argv: list[str]) -> int:
    target = int(argv[0])
    inserts = 0
    connect = db.connect

    def trace(statement: str) -> None:
        nonlocal inserts
        if statement.lstrip().startswith(ARTICLE_INSERT):
            inserts += 1
            if inserts >= target:
                os.kill(os.getpid(), signal.SIGKILL)

    def traced_connect(path: Path) -> sqlite3.Connection:
        conn = connect(path)
        conn.set_trace_callback(trace)
        return conn

    db.connect = traced_connect  # every connection the store opens from now on
    return cli.main(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
