"""One wording of errors for the CLI and the window: user errors as they say themselves, bugs named as bugs."""

from __future__ import annotations

import sqlite3

import pytest

from monitor.core.errors import StoreError, UserError, describe_error, is_expected
from monitor.core.matching.watchlist import WatchlistError


def test_user_errors_share_one_base_and_say_themselves() -> None:
    for exc in (UserError("no such feed"), StoreError("no such feed"), WatchlistError("no such feed")):
        assert isinstance(exc, UserError)
        assert describe_error(exc) == "no such feed"
        assert is_expected(exc)


def test_file_errors_name_the_file() -> None:
    exc = FileNotFoundError(2, "No such file or directory", "/tmp/nope.opml")
    assert describe_error(exc) == "/tmp/nope.opml: No such file or directory"
    assert describe_error(PermissionError(13, "Permission denied")) == "Permission denied"


def test_database_errors_say_what_to_check() -> None:
    text = describe_error(sqlite3.OperationalError("database or disk is full"))
    assert text.startswith("database error: database or disk is full")
    assert "read-only" in text


def test_bugs_are_called_internal_errors() -> None:
    exc = KeyError("x")
    assert describe_error(exc) == "internal error: KeyError: 'x'"
    assert not is_expected(exc)


def test_the_cli_and_the_window_use_the_same_words(data_dir, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from monitor.cli import main

    missing = tmp_path / "nope.opml"
    assert main(["feeds", "import", str(missing)]) == 2
    cli_line = capsys.readouterr().err.strip()
    from monitor.core.service import VigieCore
    from monitor.paths import AppPaths

    core = VigieCore(AppPaths(data_dir))
    try:
        with pytest.raises(UserError) as raised:
            core.import_opml(missing)
    finally:
        core.close()
    assert cli_line == f"vigie: error: {describe_error(raised.value)}"
