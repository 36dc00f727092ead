"""Feed folders through the service: adding in a folder, moves, the folder list, subtrees, mute and interval."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.core.errors import UserError
from monitor.core.service import VigieCore, format_folder_path, parse_folder_path
from monitor.core.support.folder_paths import MAX_FOLDER_DEPTH, clean_path
from monitor.paths import AppPaths


@pytest.fixture
def core(tmp_path: Path) -> Iterator[VigieCore]:
    vigie = VigieCore(AppPaths(tmp_path / "profile"))
    yield vigie
    vigie.close()


def _urls(feeds: list) -> list[str]:  # type: ignore[type-arg]
    return sorted(f.url for f in feeds)


def test_a_feed_added_in_a_folder_creates_the_folder_and_its_parents(core: VigieCore) -> None:
    feed, created = core.add_feed("https://a.example/rss", "A", folder=("News", "France"))
    assert created
    assert feed.folder == ("News", "France")
    assert core.folders() == [("News",), ("News", "France")]
    assert core.store.get_feed(feed.id).folder == ("News", "France")  # type: ignore[union-attr]
    assert core.store.feed_by_url("https://a.example/rss").folder == ("News", "France")  # type: ignore[union-attr]


def test_adding_a_subscribed_feed_again_leaves_it_in_its_folder(core: VigieCore) -> None:
    core.add_feed("https://a.example/rss", "A", folder=("News",))
    feed, created = core.add_feed("https://a.example/rss", "A again", folder=("Other",))
    assert not created
    assert feed.folder == ("News",)
    assert ("Other",) not in core.folders()


def test_two_folders_with_the_same_parent_and_title_are_one_folder(core: VigieCore) -> None:
    core.add_feed("https://a.example/rss", folder=("News", "France"))
    core.add_feed("https://b.example/rss", folder=(" News ", "France"))
    core.create_folder(("News", "France"))
    assert core.folders() == [("News",), ("News", "France")]
    count = core.store.conn.execute("SELECT COUNT(*) FROM folders").fetchone()[0]
    assert count == 2


def test_folders_are_listed_parents_before_children_and_empty_ones_kept(core: VigieCore) -> None:
    core.create_folder(("Zeta",))
    core.add_feed("https://a.example/rss", folder=("alpha", "B"))
    core.create_folder(("alpha", "A", "deep"))
    assert core.folders() == [("alpha",), ("alpha", "A"), ("alpha", "A", "deep"), ("alpha", "B"), ("Zeta",)]


def test_moving_a_feed_creates_missing_folders_and_the_top_level_is_the_empty_path(core: VigieCore) -> None:
    feed, _ = core.add_feed("https://a.example/rss", "A", folder=("News",))
    moved = core.move_feed(feed.id, ("Sources", "Locales"))
    assert moved.folder == ("Sources", "Locales")
    assert ("Sources", "Locales") in core.folders()
    assert ("News",) in core.folders()  # the folder it left stays, empty
    assert core.move_feed(feed.id, ()).folder == ()


def test_moving_an_unknown_feed_is_an_error_in_words(core: VigieCore) -> None:
    with pytest.raises(UserError, match="no feed 999"):
        core.move_feed(999, ("News",))
    assert core.folders() == []  # nothing was created for it


def test_feeds_in_folder_gives_the_whole_subtree(core: VigieCore) -> None:
    core.add_feed("https://top.example/rss")
    core.add_feed("https://news.example/rss", folder=("News",))
    core.add_feed("https://fr.example/rss", folder=("News", "France"))
    core.add_feed("https://newsy.example/rss", folder=("Newsy",))  # a prefix of the title is not a parent
    assert _urls(core.feeds_in_folder(("News",))) == ["https://fr.example/rss", "https://news.example/rss"]
    assert _urls(core.feeds_in_folder(("News", "France"))) == ["https://fr.example/rss"]
    assert len(core.feeds_in_folder(())) == 4
    assert core.feeds_in_folder(("Nowhere",)) == []


def test_removing_a_folder_moves_its_feeds_up_and_unsubscribes_none(core: VigieCore) -> None:
    core.add_feed("https://news.example/rss", folder=("News",))
    core.add_feed("https://fr.example/rss", folder=("News", "France", "Sud"))
    assert core.remove_folder(("News", "France")) == 1
    assert core.folders() == [("News",)]
    assert core.store.feed_by_url("https://fr.example/rss").folder == ("News",)  # type: ignore[union-attr]
    assert len(core.store.list_feeds()) == 2
    with pytest.raises(UserError, match="no folder 'Nowhere'"):
        core.remove_folder(("Nowhere",))


def test_folders_deeper_than_the_limit_are_refused_in_words(core: VigieCore) -> None:
    too_deep = tuple(f"level {i}" for i in range(MAX_FOLDER_DEPTH + 1))
    with pytest.raises(UserError, match=f"at most {MAX_FOLDER_DEPTH} deep"):
        core.add_feed("https://a.example/rss", folder=too_deep)
    assert core.store.list_feeds() == []
    assert core.folders() == []
    core.create_folder(too_deep[:MAX_FOLDER_DEPTH])
    assert len(core.folders()) == MAX_FOLDER_DEPTH


def test_set_muted_and_set_interval_change_only_the_given_feeds(core: VigieCore) -> None:
    a, _ = core.add_feed("https://a.example/rss", interval_minutes=15)
    b, _ = core.add_feed("https://b.example/rss", interval_minutes=15)
    assert core.set_muted([a.id], True) == 1
    assert core.set_interval([a.id, b.id, 999], 45) == 2
    feeds = {f.url: f for f in core.store.list_feeds()}
    assert feeds["https://a.example/rss"].muted is True
    assert feeds["https://b.example/rss"].muted is False
    assert {f.interval_minutes for f in feeds.values()} == {45}
    assert core.set_muted([a.id, b.id], False) == 1
    with pytest.raises(UserError, match="at least 1 minute"):
        core.set_interval([a.id], 0)


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("News/France", ("News", "France")),
        ("  News /  France  ", ("News", "France")),
        ("/News//France/", ("News", "France")),
        ("", ()),
        ("/", ()),
        (r"Music/AC\/DC", ("Music", "AC/DC")),
        (r"Back\\slash/x", ("Back\\slash", "x")),
        (r"a\b", ("a\\b",)),  # a backslash before anything else stands for itself
        ("Presse régionale/Sud-Est", ("Presse régionale", "Sud-Est")),
    ],
)
def test_folder_paths_parse_from_their_text_form(text: str, path: tuple[str, ...]) -> None:
    assert parse_folder_path(text) == path


@pytest.mark.parametrize(
    "path",
    [("News", "France"), ("AC/DC",), ("a\\", "/b/"), ("\\/",), ("é/\\x",), ()],
)
def test_folder_paths_round_trip_through_their_text_form(path: tuple[str, ...]) -> None:
    text = format_folder_path(path)
    assert parse_folder_path(text) == path
    assert format_folder_path(("AC/DC", "x")) == r"AC\/DC/x"


@given(st.lists(st.text(min_size=1, max_size=12), max_size=5))
def test_any_folder_path_round_trips_through_its_text_form(titles: list[str]) -> None:
    path = clean_path(titles)
    assert parse_folder_path(format_folder_path(path)) == path


def test_the_default_feeds_are_installed_in_their_folders(core: VigieCore) -> None:
    added = core.install_default_feeds()
    assert added == len(core.store.list_feeds()) >= 20
    assert ("Presse nationale",) in core.folders()
    lemonde = core.store.feed_by_url("https://www.lemonde.fr/rss/une.xml")
    assert lemonde is not None
    assert lemonde.folder == ("Presse nationale",) and lemonde.site_url == "https://www.lemonde.fr/"


def test_moving_a_folder_takes_its_feeds_and_sub_folders_along(core: VigieCore) -> None:
    core.add_feed("https://fr.example/rss", folder=("News", "France", "Sud"))
    core.create_folder(("Archive",))
    assert core.move_folder(("News", "France"), ("Archive",)) == ("Archive", "France")
    assert core.folders() == [("Archive",), ("Archive", "France"), ("Archive", "France", "Sud"), ("News",)]
    assert core.store.feed_by_url("https://fr.example/rss").folder == ("Archive", "France", "Sud")  # type: ignore[union-attr]
    assert core.move_folder(("Archive", "France"), ("Archive",), "Hexagone") == (
        "Archive",
        "Hexagone",
    )  # a rename
    assert core.move_folder(("Archive", "Hexagone"), ()) == ("Hexagone",)
    assert core.store.feed_by_url("https://fr.example/rss").folder == ("Hexagone", "Sud")  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("path", "parent", "title", "message"),
    [
        (("Nowhere",), (), None, "no folder 'Nowhere'"),
        (("News",), ("News", "France"), None, "cannot move 'News' into itself"),
        (("News", "France"), (), "Sport", "there is already a folder 'Sport'"),
        (("News",), (), "  ", "a folder needs a title"),
    ],
)
def test_a_folder_move_that_cannot_be_done_changes_nothing(
    core: VigieCore, path: tuple[str, ...], parent: tuple[str, ...], title: str | None, message: str
) -> None:
    core.add_feed("https://fr.example/rss", folder=("News", "France"))
    core.create_folder(("Sport",))
    before = core.folders()
    with pytest.raises(UserError, match=message):
        core.move_folder(path, parent, title)
    assert core.folders() == before


def test_a_folder_move_may_not_nest_past_the_depth_limit(core: VigieCore) -> None:
    core.create_folder(tuple(f"d{i}" for i in range(MAX_FOLDER_DEPTH)))
    core.create_folder(("Other", "Child"))
    with pytest.raises(UserError, match=f"at most {MAX_FOLDER_DEPTH} deep"):
        core.move_folder(("Other",), tuple(f"d{i}" for i in range(MAX_FOLDER_DEPTH - 1)))
    assert ("Other", "Child") in core.folders()
