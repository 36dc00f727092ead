"""Bad OPML files through `vigie feeds import`: clear messages, what can be imported is, nothing stored is lost."""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.core.parsing.opml import MAX_OPML_BYTES
from monitor.core.storage.store import Store
from monitor.core.support.folder_paths import MAX_FOLDER_DEPTH


@pytest.fixture
def subscribed(data_dir: Path, capsys) -> list[str]:
    """A profile with two feeds the analyst organised; every test checks they survive."""
    main(["feeds", "add", "https://kept.example/rss", "--title", "Kept", "--folder", "Mine", "--no-check"])
    main(["feeds", "add", "https://top.example/rss", "--title", "Top", "--no-check"])
    capsys.readouterr()
    return _listing(data_dir)


def _listing(data_dir: Path) -> list[str]:
    store = Store.open(data_dir / "vigie.sqlite3")
    try:
        return sorted(f"{f.url} {f.folder} {f.title}" for f in store.list_feeds())
    finally:
        store.close()


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.startswith("vigie: error:") and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    return err


def test_the_good_outlines_of_a_mixed_file_are_imported_and_the_others_said(
    data_dir: Path, tmp_path: Path, subscribed: list[str], capsys
) -> None:
    mixed = tmp_path / "mixed.opml"
    mixed.write_text(
        """<?xml version="1.0"?><opml version="2.0"><body>
        <outline text="Press">
          <outline text="Good" xmlUrl="https://good.example/rss"/>
          <outline text="No URL"/>
          <outline text="Gopher" xmlUrl="gopher://old.example/feed"/>
          <outline text="Kept again" xmlUrl="https://kept.example/rss"/>
        </outline></body></opml>""",
        encoding="utf-8",
    )
    assert main(["feeds", "import", str(mixed)]) == 0
    captured = capsys.readouterr()
    assert captured.out == "imported 1 feeds (1 already subscribed, 2 skipped), 1 new folder\n"
    assert captured.err.splitlines() == [
        "skipped No URL: no xmlUrl, and no outlines inside to make it a folder",
        "skipped gopher://old.example/feed: unsupported URL scheme 'gopher'",
    ]
    after = _listing(data_dir)
    assert set(subscribed) <= set(after)  # Kept stays in Mine
    assert "https://good.example/rss ('Press',) Good" in after


def test_an_unknown_encoding_is_a_one_line_error_naming_it(
    data_dir: Path, tmp_path: Path, subscribed: list[str], capsys
) -> None:
    odd = tmp_path / "odd.opml"
    odd.write_bytes(b'<?xml version="1.0" encoding="x-mac-klingon"?><opml><body/></opml>')
    assert main(["feeds", "import", str(odd)]) == 2
    assert "the encoding 'x-mac-klingon', which Vigie does not know; save it as UTF-8" in _one_line_error(
        capsys
    )
    assert _listing(data_dir) == subscribed


def test_a_ten_megabyte_file_is_imported_whole(
    data_dir: Path, tmp_path: Path, subscribed: list[str], capsys
) -> None:
    big = tmp_path / "big.opml"
    outline = (
        '<outline type="rss" text="Journal régional {i}" title="Journal régional {i}" '
        'xmlUrl="https://site{i}.example.fr/rss/actualites.xml" htmlUrl="https://site{i}.example.fr/" '
        'description="Les dernières nouvelles de la région {i}, faits divers et politique locale"/>\n'
    )
    folders = []
    for f in range(300):
        feeds = "".join(outline.format(i=f * 130 + i) for i in range(130))
        folders.append(f'<outline text="Dossier {f}">\n{feeds}</outline>\n')
    big.write_text(
        f'<?xml version="1.0"?><opml version="2.0"><body>{"".join(folders)}</body></opml>', encoding="utf-8"
    )
    assert 10_000_000 < big.stat().st_size < MAX_OPML_BYTES
    assert main(["feeds", "import", str(big)]) == 0
    assert _out_line(capsys) == "imported 39000 feeds (0 already subscribed), 300 new folders"
    after = _listing(data_dir)
    assert len(after) == 39_002 and set(subscribed) <= set(after)


def _out_line(capsys: pytest.CaptureFixture[str]) -> str:
    return capsys.readouterr().out.strip()


def test_a_file_over_the_limit_is_refused_without_being_read_whole(
    data_dir: Path, tmp_path: Path, subscribed: list[str], capsys
) -> None:
    huge = tmp_path / "huge.opml"
    with huge.open("wb") as out:  # 2 GB, sparse: reading it whole would take the memory of the machine
        out.write(b'<?xml version="1.0"?><opml version="2.0"><body>')
        out.truncate(2 * 1024**3)
    assert main(["feeds", "import", str(huge)]) == 2
    error = _one_line_error(capsys)
    assert (
        "huge.opml: the file is 2147.5 MB, over the 16 MB limit for an OPML file; nothing was imported"
        in error
    )
    assert _listing(data_dir) == subscribed


def test_folders_fifty_deep_import_their_feeds_and_say_where(
    data_dir: Path, tmp_path: Path, subscribed: list[str], capsys
) -> None:
    deep = tmp_path / "deep.opml"
    opening = "".join(f'<outline text="Level {i}">' for i in range(1, 51))
    deep.write_text(
        f'<opml version="2.0"><body>{opening}<outline text="Deep" xmlUrl="https://deep.example/rss"/>'
        f"{'</outline>' * 50}</body></opml>",
        encoding="utf-8",
    )
    assert main(["feeds", "import", str(deep)]) == 0
    captured = capsys.readouterr()
    assert captured.out == f"imported 1 feeds (0 already subscribed), {MAX_FOLDER_DEPTH} new folders\n"
    assert captured.err == (
        f"note: 1 feed was in folders nested deeper than {MAX_FOLDER_DEPTH} levels; "
        f"each is in its enclosing folder at level {MAX_FOLDER_DEPTH}\n"
    )
    assert (
        main(["feeds", "list", "--folder", "/".join(f"Level {i}" for i in range(1, MAX_FOLDER_DEPTH + 1))])
        == 0
    )
    assert "https://deep.example/rss" in capsys.readouterr().out
    assert set(subscribed) <= set(_listing(data_dir))


def test_no_more_than_the_limit_is_read_from_a_long_pipe(
    data_dir: Path, tmp_path: Path, subscribed: list[str], capsys
) -> None:
    """A pipe 8 MB longer than the limit: the import stops reading past the limit and closes it, so the writer
    cannot write it all (a pipe only takes what its reader consumes, plus its small buffer)."""
    pipe = tmp_path / "long.opml"
    os.mkfifo(pipe)
    written = [0]

    def write_past_the_limit() -> None:
        chunk = b"<outline text='x' xmlUrl='https://e.example/'/>" * 20_000
        with contextlib.suppress(BrokenPipeError), pipe.open("wb") as out:
            out.write(b'<?xml version="1.0"?><opml version="2.0"><body>')
            while written[0] < MAX_OPML_BYTES + 8 * 1024 * 1024:
                out.write(chunk)
                written[0] += len(chunk)

    writer = threading.Thread(target=write_past_the_limit, daemon=True)
    writer.start()
    assert main(["feeds", "import", str(pipe)]) == 2
    writer.join(timeout=30)
    assert not writer.is_alive()  # the reader closed the pipe
    assert "over the 16 MB limit for an OPML file; nothing was imported" in _one_line_error(capsys)
    assert written[0] < MAX_OPML_BYTES + 4 * 1024 * 1024
    assert _listing(data_dir) == subscribed
