"""`vigie feeds` with folders: add --folder, list, move, folders, and what import says about a file."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.cli import main

FILES = Path(__file__).parent / "parsing" / "opml_files"


def _out(capsys: pytest.CaptureFixture[str]) -> str:
    return capsys.readouterr().out


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.startswith("vigie: error:") and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    return err


def test_add_in_a_folder_then_list_shows_the_folder_path(data_dir: Path, capsys) -> None:
    assert (
        main(
            ["feeds", "add", "https://a.example/rss", "--title", "A", "--folder", "News/France", "--no-check"]
        )
        == 0
    )
    assert _out(capsys) == "added: [1] A in News/France\n"
    assert main(["feeds", "add", "https://b.example/rss", "--title", "B", "--no-check"]) == 0
    assert (
        main(
            [
                "feeds",
                "add",
                "https://c.example/rss",
                "--title",
                "C",
                "--folder",
                r"Music/AC\/DC",
                "--no-check",
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["feeds", "list"]) == 0
    lines = _out(capsys).splitlines()
    assert [line.split(" <")[0] for line in lines] == [
        "[2] B",
        r"[3] C",
        "[1] A",
    ]  # top level, then by folder
    assert "<https://a.example/rss> every 15 min; in News/France; never polled; next poll " in lines[2]
    assert r"; in Music/AC\/DC;" in lines[1]
    assert "; in " not in lines[0]


def test_list_of_one_folder_gives_its_subtree(data_dir: Path, capsys) -> None:
    main(["feeds", "add", "https://a.example/rss", "--folder", "News/France", "--no-check"])
    main(["feeds", "add", "https://b.example/rss", "--folder", "News", "--no-check"])
    main(["feeds", "add", "https://c.example/rss", "--folder", "Sport", "--no-check"])
    capsys.readouterr()
    assert main(["feeds", "list", "--folder", "News"]) == 0
    listed = _out(capsys)
    assert "a.example" in listed and "b.example" in listed and "c.example" not in listed
    assert main(["feeds", "list", "--folder", "Nowhere"]) == 2
    assert "no folder 'Nowhere'" in _one_line_error(capsys)


def test_move_by_id_or_url_and_to_the_top_level(data_dir: Path, capsys) -> None:
    main(["feeds", "add", "https://a.example/rss", "--title", "A", "--no-check"])
    capsys.readouterr()
    assert main(["feeds", "move", "1", "--folder", "Veille/Sud"]) == 0
    assert _out(capsys) == "moved [1] A to Veille/Sud\n"
    assert main(["feeds", "move", "https://a.example/rss", "--folder", "/"]) == 0
    assert _out(capsys) == "moved [1] A to the top level\n"
    assert main(["feeds", "folders"]) == 0
    assert _out(capsys) == "Veille (0 feeds)\nVeille/Sud (0 feeds)\n"


@pytest.mark.parametrize("key", ["42", "https://unknown.example/rss"])
def test_moving_an_unknown_feed_is_a_one_line_error_and_exit_2(data_dir: Path, key: str, capsys) -> None:
    main(["feeds", "add", "https://a.example/rss", "--no-check"])
    capsys.readouterr()
    assert main(["feeds", "move", key, "--folder", "News"]) == 2
    assert f"no feed '{key}'" in _one_line_error(capsys)
    assert main(["feeds", "folders"]) == 0
    assert _out(capsys) == ""  # nothing was created for it


def test_folders_lists_each_with_its_feed_count(data_dir: Path, capsys) -> None:
    assert main(["feeds", "import", str(FILES / "rssguard_nested_2_0.opml")]) == 0
    capsys.readouterr()
    assert main(["feeds", "folders"]) == 0
    assert _out(capsys).splitlines() == [
        "Veille (4 feeds)",
        "Veille/Nationale (3 feeds)",
        "Veille/Régionale (1 feed)",
        "Veille/Régionale/Sud-Est (1 feed)",
    ]


def test_import_says_what_was_added_already_there_skipped_and_created(data_dir: Path, capsys) -> None:
    assert main(["feeds", "import", str(FILES / "rssguard_nested_2_0.opml")]) == 0
    captured = capsys.readouterr()
    assert (
        captured.out == "imported 5 feeds (0 already subscribed, 1 skipped, 1 listed twice), 4 new folders\n"
    )
    assert captured.err.splitlines() == [
        "note: 1 outline repeats a feed of the file; each feed is subscribed once, in the folder where it "
        "first appears",
        "skipped Corse: no xmlUrl, and no outlines inside to make it a folder",
    ]
    assert main(["feeds", "import", str(FILES / "rssguard_nested_2_0.opml")]) == 0
    assert _out(capsys) == "imported 0 feeds (5 already subscribed, 1 skipped, 1 listed twice)\n"


def test_export_writes_the_folders(data_dir: Path, tmp_path: Path, capsys) -> None:
    main(["feeds", "add", "https://a.example/rss", "--title", "A", "--folder", "News/France", "--no-check"])
    capsys.readouterr()
    assert main(["feeds", "export"]) == 0
    out = _out(capsys)
    assert '<outline text="News" title="News" vigie:folder="true">' in out
    assert 'title="A" xmlUrl="https://a.example/rss"' in out
