"""OPML through a real profile: import then export gives the same tree; a second import merges."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.core.errors import UserError
from monitor.core.service import VigieCore
from monitor.paths import AppPaths

FILES = Path(__file__).parent / "parsing" / "opml_files"

Tree = list[tuple[str, ...] | tuple[str, str, list]]  # type: ignore[type-arg]


@pytest.fixture
def core(tmp_path: Path) -> Iterator[VigieCore]:
    vigie = VigieCore(AppPaths(tmp_path / "profile"))
    yield vigie
    vigie.close()


def tree(data: bytes) -> list:  # type: ignore[type-arg]
    """The outline tree as the standard library reads it (comments dropped): folders as ("folder", title,
    children), feeds as ("feed", title, xmlUrl, htmlUrl)."""

    def walk(element: ET.Element) -> list:  # type: ignore[type-arg]
        nodes: list = []  # type: ignore[type-arg]
        for outline in element.findall("outline"):
            title = outline.get("title") or outline.get("text") or ""
            if outline.get("xmlUrl"):
                nodes.append(("feed", title, outline.get("xmlUrl"), outline.get("htmlUrl")))
            else:
                nodes.append(("folder", title, walk(outline)))
        return nodes

    body = ET.fromstring(data).find("body")
    assert body is not None
    return walk(body)


def test_import_then_export_gives_back_the_tree_with_titles_and_site_links(core: VigieCore) -> None:
    original = (FILES / "inoreader_1_0.opml").read_bytes()
    report = core.import_opml_report(FILES / "inoreader_1_0.opml")
    assert (report.added, report.existing, report.folders_created, report.skipped) == (6, 0, 2, [])
    exported = core.export_opml()
    assert tree(exported) == tree(original)
    assert tree(exported)[1][1] == "Marseille & Provence"  # the entity came back as the character


def test_a_messy_nested_file_exports_as_its_cleaned_tree(core: VigieCore) -> None:
    core.import_opml_report(FILES / "rssguard_nested_2_0.opml")
    assert tree(core.export_opml()) == [
        (
            "folder",
            "Veille",
            [
                (
                    "folder",
                    "Nationale",
                    [
                        (
                            "feed",
                            "Le Monde — Justice",
                            "https://www.lemonde.fr/justice/rss_full.xml",
                            "https://www.lemonde.fr/justice/",
                        ),
                        ("feed", "L'Humanité", "https://www.humanite.fr/rss.xml", "https://www.humanite.fr/"),
                        (
                            "feed",
                            "20 Minutes <Faits divers>",
                            "https://www.20minutes.fr/feeds/rss-faits_divers.xml",
                            None,
                        ),
                    ],
                ),
                (
                    "folder",
                    "Régionale",
                    [
                        (
                            "folder",
                            "Sud-Est",
                            [("feed", "Marsactu", "https://marsactu.fr/feed/", "https://marsactu.fr")],
                        )
                    ],
                ),
            ],
        ),
        ("feed", "Podcast", "https://podcast.example.fr/feed.xml", None),
    ]


def test_an_export_reads_back_whole_into_another_profile(core: VigieCore, tmp_path: Path) -> None:
    core.import_opml_report(FILES / "rssguard_nested_2_0.opml")
    core.create_folder(("Searches",))  # empty
    feed = core.store.feed_by_url("https://marsactu.fr/feed/")
    assert feed is not None
    core.set_interval([feed.id], 90)
    core.set_muted([feed.id], True)
    exported = tmp_path / "out.opml"
    exported.write_bytes(core.export_opml())

    other = VigieCore(AppPaths(tmp_path / "other"))
    try:
        report = other.import_opml_report(exported)
        assert (report.added, report.skipped, report.folders_created) == (5, [], 5)
        assert other.folders() == core.folders()
        mine = {
            f.url: (f.title, f.folder, f.site_url, f.interval_minutes, f.muted)
            for f in core.store.list_feeds()
        }
        theirs = {
            f.url: (f.title, f.folder, f.site_url, f.interval_minutes, f.muted)
            for f in other.store.list_feeds()
        }
        assert theirs == mine
        assert theirs["https://marsactu.fr/feed/"][3:] == (90, True)
        assert other.export_opml() == core.export_opml()
    finally:
        other.close()


def test_a_second_import_merges_without_duplicates_and_keeps_the_analyst_s_folders(
    core: VigieCore, tmp_path: Path
) -> None:
    first = core.import_opml_report(FILES / "inoreader_1_0.opml")
    marsactu = core.store.feed_by_url("https://marsactu.fr/feed/")
    assert marsactu is not None
    core.move_feed(marsactu.id, ("Mes sources",))

    again = core.import_opml_report(FILES / "inoreader_1_0.opml")
    assert (again.added, again.existing, again.folders_created) == (0, first.added, 0)
    assert len(core.store.list_feeds()) == 6
    assert core.store.get_feed(marsactu.id).folder == ("Mes sources",)  # type: ignore[union-attr]

    overlapping = core.import_opml_report(FILES / "rssguard_nested_2_0.opml")
    assert (overlapping.added, overlapping.existing) == (4, 1)  # Marsactu is already there
    assert core.store.get_feed(marsactu.id).folder == ("Mes sources",)  # type: ignore[union-attr]
    assert len(core.store.list_feeds()) == 10
    count = core.store.conn.execute("SELECT COUNT(*) FROM folders").fetchone()[0]
    assert count == len(core.folders()) == 7


def test_a_refused_file_leaves_the_subscriptions_as_they_were(core: VigieCore, tmp_path: Path) -> None:
    core.import_opml_report(FILES / "inoreader_1_0.opml")
    before = (core.export_opml(), core.folders())
    broken = tmp_path / "broken.opml"
    shutil.copy(FILES / "rssguard_nested_2_0.opml", broken)
    broken.write_bytes(broken.read_bytes()[:-40])  # cut short: not well-formed
    with pytest.raises(UserError, match=r"broken\.opml: not an OPML file: line"):
        core.import_opml_report(broken)
    assert (core.export_opml(), core.folders()) == before
