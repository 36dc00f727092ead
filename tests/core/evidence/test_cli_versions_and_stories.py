"""`vigie articles versions ID [--diff A B]` and `vigie cases add CASE --story STORY_ID`: through the CLI on a
profile polled from a local feed."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.core.evidence.version_diff import version_diff
from monitor.core.models import ArticleQuery
from monitor.core.service import VigieCore
from monitor.paths import AppPaths
from tests.conftest import ServedFeed, serve_feed
from tests.core.evidence.feeds import rss
from tests.core.evidence.test_revisions import FIRST, OTHER, SECOND
from tests.core.evidence.test_revisions import rss as wire


def test_versions_lists_each_version_and_diffs_two_word_by_word(
    data_dir: Path, httpserver, capsys: pytest.CaptureFixture[str]
) -> None:
    served = ServedFeed(wire(FIRST, OTHER))
    core = VigieCore(AppPaths.resolve(data_dir))
    core.add_feed(serve_feed(httpserver, "/wire.xml", served), "Wire")
    core.poll()
    first_doc = served.body
    served.body = wire(SECOND, OTHER)
    core.poll()
    article = next(a for a in core.store.articles(ArticleQuery(revised_only=True)))
    versions = core.article_versions(article.id)
    core.close()
    assert main(["articles", "versions", str(article.id)]) == 0
    out = capsys.readouterr()
    lines = out.out.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["1", "2"]
    assert lines[0].split("\t")[3:] == [versions[0].text_sha256, FIRST[1]]
    assert lines[1].split("\t")[3:] == [versions[1].text_sha256, SECOND[1]]
    assert "2 stored versions (revised 1 times)" in out.err
    assert versions[0].doc_sha256 == hashlib.sha256(first_doc).hexdigest()

    assert main(["articles", "versions", str(article.id), "--diff", "1", "2"]) == 0
    diff = capsys.readouterr().out
    # The name the later version removed is in the diff, marked removed; the unchanged words are plain.
    assert "[-Marc Vasseur et-]" in diff
    assert "Le parquet enquête sur" in diff and "Paul Durand." in diff
    assert f"sha256 {versions[0].text_sha256}" in diff
    assert main(["articles", "versions", str(article.id), "--diff", "2", "2"]) == 0
    assert "(the two versions have the same text)" in capsys.readouterr().out
    # The window's dialog and the CLI share one diff.
    assert not version_diff(versions[1], versions[1]).changed

    assert main(["articles", "versions", str(article.id), "--diff", "1", "3"]) == 2
    assert "no version 3: this article has versions 1 to 2" in capsys.readouterr().err
    assert main(["articles", "versions", "987654"]) == 2
    assert "no article with id 987654" in capsys.readouterr().err


def test_a_story_is_pinned_report_by_report_and_kept(
    data_dir: Path, httpserver, capsys: pytest.CaptureFixture[str]
) -> None:
    core = VigieCore(AppPaths.resolve(data_dir))
    core.add_feed(serve_feed(httpserver, "/a.xml", ServedFeed(rss("presse", 4))), "La Presse")
    core.add_feed(serve_feed(httpserver, "/b.xml", ServedFeed(rss("agence", 4))), "Agence")
    core.poll()
    stories = [s for s in core.stories() if s.reports >= 2]
    assert stories, "the reprints of one event make a story"
    story = stories[0]
    reports = core.store.story_article_ids(story.story)
    core.close()
    assert len(reports) == story.reports

    assert main(["cases", "add", "Réseau", "--story", str(story.story), "--note", "Toute l'affaire"]) == 0
    assert f"story {story.story}: created the case 'Réseau': {len(reports)} added" in capsys.readouterr().out
    assert main(["cases", "add", "Réseau", "--story", str(story.story)]) == 0
    assert f"0 added, {len(reports)} already in it" in capsys.readouterr().out
    assert main(["cases", "add", "Réseau", "--story", "99999"]) == 2
    assert "no story 99999" in capsys.readouterr().err
    assert main(["cases", "add", "Réseau"]) == 2
    assert "--story STORY_ID" in capsys.readouterr().err

    core = VigieCore(AppPaths.resolve(data_dir))
    case = core.case_named("réseau")
    view = core.case_view(case.id)
    assert sorted(i.article_id for i in view.items) == sorted(reports)
    assert all(i.note == "Toute l'affaire" for i in view.items)
    assert len(view.pages) == len(reports)  # the case view shows each report
    # Items in a case are never pruned: deleting their feeds and every article keeps them.
    for feed in core.store.list_feeds():
        core.store.remove_feed(feed.id)
    core.store.conn.execute("DELETE FROM articles")
    kept = core.case_file(case.id).items
    core.close()
    assert sorted(i.article_id for i in kept) == sorted(reports)
    assert all(i.article is not None and i.article.title for i in kept)
