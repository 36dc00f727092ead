"""A matcher that kills the worker process running it when it meets a given title: the deterministic way for a
test to make a worker die in the middle of the work, where a thread racing to kill one from outside sometimes
came too late (the work had ended) and then checked nothing."""

from __future__ import annotations

import multiprocessing
import os
import signal

from monitor.core.matching.matcher import Matcher
from monitor.core.matching.watchlist import Watchlist


class DyingMatcher(Matcher):
    """Matches as Matcher does; in a worker process (never in the test's own), assessing a title that contains
    `fatal` kills the process with SIGKILL, as the out-of-memory killer or a user would. The work handed back to
    the test's process then completes there with the same matcher."""

    def __init__(self, watchlist: Watchlist, fatal: str) -> None:
        super().__init__(watchlist)
        self.fatal = fatal

    def assess(self, title: str, summary: str = "", content: str = "") -> object:  # type: ignore[override]
        if self.fatal in title and multiprocessing.parent_process() is not None:
            os.kill(os.getpid(), signal.SIGKILL)
        return super().assess(title, summary, content)
