"""Emerging names on a corpus of our own with known answers: a planted name with its aliases rises next to the
watched entries; a name seen once, first names alone, adjectives of nationality and common words never come;
dismissals are remembered; Add puts the name on the watchlist and the articles naming it then match it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.core.matching.watchlist import Entry, Watchlist, save_watchlist
from monitor.core.models import ParsedItem
from monitor.core.service import VigieCore
from monitor.core.support.clock import iso
from monitor.paths import AppPaths

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
WATCHED = Watchlist(
    (
        Entry("Nicolas Bessone", "person", aliases=("Nicolas Bessone", "Bessone"), weight=5),
        Entry("PNACO", "organisation", case_sensitive_aliases=("PNACO",), weight=5),
        Entry("Marseille", "place", aliases=("Marseille",), weight=2),
    )
)
# Weeks before: the watched entries with background words that are never names.
BEFORE = [
    "Marseille: Nicolas Bessone speaks. The French prosecutor Nicolas Bessone said the European network was "
    "Pavlovian in its answers. Despite this, the PNACO will open.",
    "The PNACO and Nicolas Bessone. However, French and Italian police met in Marseille. Nevertheless the "
    "investigation goes on, according to the Marseillais press.",
    "Bessone at the PNACO. Meanwhile the European police said nothing. Furthermore, Marseille waits. "
    "L'enquête de l'Ofast continue.",
]
# This week: the planted name, its surname alone, its title, an elision; an acronym with its long form; a name
# seen once.
THIS_WEEK = [
    "Marseille: the lawyer Karim Zeroual meets Nicolas Bessone. Karim Zeroual defends the Yoda family, said "
    "the French daily.",
    "Nicolas Bessone answered Karim Zeroual on Monday. Zeroual said the PNACO was wrong, as Karim explained. "
    "The Office anti-stupéfiants (OFAST) took part.",
    "Le PNACO face à Karim Zeroual. L'avocat de Karim Zeroual, selon Nicolas Bessone, a été entendu à "
    "Marseille. L'OFAST a perquisitionné.",
    "In Marseille, Karim Zeroual and the OFAST: Nicolas Bessone confirms. Julien Moreau was also there, a "
    "European source said. Then Karim said nothing more, and a Dutch daily quoted Karim again.",
]


def _store_articles(core: VigieCore, texts: list[tuple[datetime, str]]) -> None:
    items = [
        ParsedItem(
            guid=f"t{i}",
            link=f"https://news.example/{i}",
            title=text.split(". ")[0],
            summary="",
            content=text,
            content_html="",
            published=iso(moment),
        )
        for i, (moment, text) in enumerate(texts)
    ]
    pending = core.store.prepare("https://news.example/rss", items)
    feed, _ = core.store.add_feed("https://news.example/rss")
    assessed = [(p, core.matcher.assess(p.item.title, p.item.summary, p.item.content)) for p in pending]
    core.store.save_items(source=feed.url, feed_id=feed.id, items=assessed, fetched_at=iso(NOW), poll_id=1)


@pytest.fixture
def core(data_dir: Path, database: str | None) -> VigieCore:
    """The planted corpus stored on each engine in turn (on PostgreSQL, VIGIE_DATABASE names it for the CLI)."""
    paths = AppPaths.resolve(data_dir).ensure()
    save_watchlist(WATCHED, paths.watchlist)
    core = VigieCore(paths, clock=lambda: NOW, database=database)
    dated = [(NOW - timedelta(days=8 + 5 * i), t) for i, t in enumerate(BEFORE)]
    dated += [(NOW - timedelta(days=1 + i), t) for i, t in enumerate(THIS_WEEK)]
    _store_articles(core, dated)
    yield core
    core.close()


def test_the_planted_name_leads_with_its_aliases_kind_and_evidence(core: VigieCore) -> None:
    names = core.signals.emerging()
    by_name = {n.name: n for n in names}
    top = names[0]
    assert top.name == "Karim Zeroual"
    assert top.kind == "person"
    assert "Zeroual" in top.aliases  # the surname alone, an alias of the one full name it ends
    assert top.articles == 4 and top.this_week == 4 and top.rising
    assert dict(top.with_entries)["Nicolas Bessone"] == 4
    assert len(top.article_ids) == 4
    ofast = by_name["OFAST"]
    assert ofast.kind == "organisation"
    assert any("anti-stupéfiants" in a for a in ofast.aliases)  # the long form
    assert {"OFAST", "Ofast"} <= set(ofast.case_sensitive_aliases)  # the acronym as French also writes it
    assert ofast.articles == 4  # "l'Ofast" counts too


def test_never_proposed(core: VigieCore) -> None:
    proposed = {n.name for n in core.signals.emerging()}
    for never in ("Julien Moreau", "Karim", "French", "European", "Italian", "Marseillais", "Pavlovian"):
        assert never not in proposed
    for never in ("Despite", "However", "Nevertheless", "Meanwhile", "Furthermore"):
        assert never not in proposed
    assert not proposed & {"Nicolas Bessone", "Bessone", "PNACO", "Marseille"}  # already watched


def test_dismissed_names_stay_dismissed(core: VigieCore, database: str | None) -> None:
    core.signals.dismiss_emerging("Karim Zeroual")
    assert "Karim Zeroual" not in {n.name for n in core.signals.emerging()}
    again = VigieCore(core.paths, clock=lambda: NOW, database=database)  # remembered in the profile
    try:
        assert "Karim Zeroual" not in {n.name for n in again.signals.emerging()}
    finally:
        again.close()


def test_add_puts_it_on_the_watchlist_and_the_articles_match_it(core: VigieCore) -> None:
    top = core.signals.emerging()[0]
    core.add_entry(top.to_entry())
    assert core.watchlist.get("Karim Zeroual") is not None
    for article_id in top.article_ids:  # re-scored: the reader marks the name in each of its articles
        article = core.store.article(article_id)
        assert article is not None and article.highlighted
        assert "Karim Zeroual" in {m.entry for m in article.matches}
    rows = core.signals.timeline(["Karim Zeroual"], by="week", since="2026-01-01")
    assert sum(r.count for r in rows) == 4
    assert "Karim Zeroual" not in {n.name for n in core.signals.emerging()}


def test_cli_emerging_and_bad_input(core: VigieCore, capsys) -> None:
    core.close()
    # The CLI uses the real clock: the corpus is older than four weeks then, so ask from its start.
    assert main(["watchlist", "emerging", "--since", "2026-01-01", "--format", "jsonl"]) == 0
    assert '"name": "Karim Zeroual"' in capsys.readouterr().out
    assert main(["watchlist", "emerging", "--since", "last week"]) == 2
    assert "not an ISO date" in capsys.readouterr().err
    assert main(["watchlist", "emerging", "--limit", "0"]) == 2
    assert "--limit must be 1 or more" in capsys.readouterr().err
    assert main(["watchlist", "add-emerging", "Karim Zerual", "--since", "2026-01-01"]) == 2
    assert "'Karim Zeroual'" in capsys.readouterr().err
    assert main(["watchlist", "dismiss", "  "]) == 2
    assert "give the name" in capsys.readouterr().err
    assert main(["watchlist", "dismiss", "Karim Zeroual"]) == 0
    assert main(["watchlist", "emerging", "--since", "2026-01-01", "--format", "jsonl"]) == 0
    assert '"name": "Karim Zeroual"' not in capsys.readouterr().out
