"""What the `vigie` command shows on a terminal beside its output (kept out of cli.py, at its size limit)."""

from __future__ import annotations

from typing import IO


class ProgressBar:
    """A one-line progress bar on a terminal; silent when the output is a file or a pipe."""

    def __init__(self, stream: IO[str], total: int) -> None:
        self.stream = stream
        self.total = total
        self.active = stream.isatty()

    def show(self, done: int) -> None:
        if self.active:
            filled = int(30 * done / max(1, self.total))
            self.stream.write(f"\r[{'#' * filled}{' ' * (30 - filled)}] {done}/{self.total} feeds")
            self.stream.flush()

    def clear(self) -> None:
        if self.active:
            self.stream.write("\r" + " " * 60 + "\r")
            self.stream.flush()
