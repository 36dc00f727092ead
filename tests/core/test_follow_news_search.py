"""Following words or a watchlist entry in news search: the service and `vigie feeds follow` (nothing is polled
here: a search feed never reaches the internet in a test)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.core.errors import UserError
from monitor.core.matching.watchlist import Entry
from monitor.core.service import VigieCore
from monitor.paths import AppPaths

GOOGLE = "https://news.google.com/rss/search"
FR = "&hl=fr&gl=FR&ceid=FR:fr"
EN = "&hl=en-GB&gl=GB&ceid=GB:en"


@pytest.fixture
def core(data_dir: Path) -> Iterator[VigieCore]:
    vigie = VigieCore(AppPaths(data_dir))
    yield vigie
    vigie.close()


def test_an_entry_is_followed_in_french_and_english_in_searches(core: VigieCore) -> None:
    followed = core.follow_in_news_search("Kessaci family", entry=True)
    q = (
        "%22famille%20Kessaci%22%20OR%20%22Kessaci%20family%22%20OR%20%22fr%C3%A8res%20Kessaci%22"
        "%20OR%20%22Kessaci%20brothers%22%20OR%20%22Kessaci%20brother%22%20OR%20%22les%20Kessaci%22"
        "%20OR%20%22the%20Kessacis%22"
    )
    assert [f.url for f in followed.feeds] == [f"{GOOGLE}?q={q}{FR}", f"{GOOGLE}?q={q}{EN}"]
    assert followed.added == followed.feeds
    stored = core.feeds_in_folder(("Searches",))
    assert sorted((f.title, f.folder) for f in stored) == [
        ("News search (en): Kessaci family", ("Searches",)),
        ("News search (fr): Kessaci family", ("Searches",)),
    ]
    assert ("Searches",) in core.folders()


def test_following_twice_adds_nothing(core: VigieCore) -> None:
    first = core.follow_in_news_search("Amine Kessaci", entry=True)
    again = core.follow_in_news_search("amine KESSACI", entry=True)  # the name, case and accents aside
    assert again.added == []
    assert [f.id for f in again.feeds] == [f.id for f in first.feeds]
    assert len(core.store.list_feeds()) == 2


def test_words_are_followed_commas_separating_alternatives(core: VigieCore) -> None:
    followed = core.follow_in_news_search("DZ Mafia, Yoda", languages=["fr"])
    assert [(f.title, f.url) for f in followed.added] == [
        ("News search (fr): DZ Mafia, Yoda", f"{GOOGLE}?q=%22DZ%20Mafia%22%20OR%20Yoda{FR}")
    ]


def test_the_editors_draft_entry_is_followed_as_shown(core: VigieCore) -> None:
    draft = Entry(name="Port de Marseille", kind="place", aliases=("port de Marseille", "Grand Port"))
    followed = core.follow_in_news_search(draft, entry=True, languages=["en"])
    assert [(f.title, f.url) for f in followed.added] == [
        (
            "News search (en): Port de Marseille",
            f"{GOOGLE}?q=%22port%20de%20Marseille%22%20OR%20%22Grand%20Port%22{EN}",
        )
    ]


def test_an_unknown_entry_is_refused_with_the_close_names(core: VigieCore) -> None:
    with pytest.raises(UserError) as caught:
        core.follow_in_news_search("Amine Kesaci", entry=True)
    assert str(caught.value).startswith("no watchlist entry 'Amine Kesaci'; did you mean 'Amine Kessaci' or ")
    with pytest.raises(UserError, match=r"^no watchlist entry 'zzzz' \(`vigie watchlist list`"):
        core.follow_in_news_search("zzzz", entry=True)
    assert core.store.list_feeds() == []


def test_follow_on_the_command_line(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["feeds", "follow", "Amine", "Kessaci", "--lang", "fr"]) == 0
    q = "%22Amine%20Kessaci%22"
    assert capsys.readouterr().out == f"added: [1] News search (fr): Amine Kessaci <{GOOGLE}?q={q}{FR}>\n"
    assert main(["feeds", "follow", "--entry", "Amine Kessaci"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"already following: [1] News search (fr): Amine Kessaci <{GOOGLE}?q={q}{FR}>",
        f"added: [2] News search (en): Amine Kessaci <{GOOGLE}?q={q}{EN}>",
    ]
    assert main(["feeds", "list"]) == 0
    assert "[2] News search (en): Amine Kessaci" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (["feeds", "follow"], "nothing to search for: give a word or a name"),
        (["feeds", "follow", " ", ","], "nothing to search for: give a word or a name"),
        (["feeds", "follow", "--entry"], "name the watchlist entry to follow"),
        (
            ["feeds", "follow", "--entry", "Amine", "Kesaci"],
            "no watchlist entry 'Amine Kesaci'; did you mean",
        ),
        (["feeds", "follow", "Marseille", "--lang", "fr,de"], "no Google News edition for de"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    data_dir: Path, capsys: pytest.CaptureFixture[str], argv: list[str], error: str
) -> None:
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"vigie: error: {error}")
    assert err.count("\n") == 1
    core = VigieCore(AppPaths(data_dir))
    try:
        assert core.store.list_feeds() == []
    finally:
        core.close()
