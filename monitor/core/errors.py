"""Errors a user can act on, and the one function that puts any error in words (the CLI and the window)."""

from __future__ import annotations

import sqlite3


class UserError(Exception):
    """Something the user can act on, said in words: bad input, an unusable answer from the web, a bad file.

    Every error meant to be shown as is derives from it (StoreError, WatchlistError), so callers catch one
    class and `describe_error` says it without a traceback.
    """


class StoreError(UserError):
    """A problem with the database the user can act on (message is shown as is)."""


def describe_error(exc: BaseException) -> str:
    """An error in one line for the status bar or stderr.

    User errors say themselves; file and database errors say where and what to check; anything else is a
    bug, said as 'internal error' with its type so a report can name it.
    """
    if isinstance(exc, UserError):
        return str(exc)
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        return f"{where}{exc.strerror or exc}"
    if isinstance(exc, sqlite3.Error):
        return f"database error: {exc} (is the disk full or the folder read-only?)"
    return f"internal error: {type(exc).__name__}: {exc}"


def is_expected(exc: BaseException) -> bool:
    """True for errors that come from the world (the user, the disk, the database), not from a bug."""
    return isinstance(exc, UserError | OSError | sqlite3.Error)
