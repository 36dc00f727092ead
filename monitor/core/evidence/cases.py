"""Cases: the analyst pins articles (later stories) into named cases, with notes and tags, and reports on them.

VigieCore's methods for cases (a mixin). The PDF and ODT renderings are Qt's (monitor/reports); the core builds
the HTML all three formats share and never imports Qt.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from monitor.core.errors import UserError
from monitor.core.evidence.report import case_item_html, case_report_html
from monitor.core.models import Case, CaseItem
from monitor.core.support.clock import Clock, iso

if TYPE_CHECKING:
    from monitor.core.storage.store import Store

log = logging.getLogger(__name__)

REPORT_FORMATS = ("pdf", "odt", "html")


@dataclass(frozen=True)
class CaseFile:
    """A case with its items in time order."""

    case: Case
    items: list[CaseItem]


@dataclass(frozen=True)
class CaseView:
    """What the case view shows of a case: its items in time order, each with its section of the report."""

    case: Case
    items: list[CaseItem]
    pages: list[str]


@dataclass(frozen=True)
class Pinned:
    """What adding articles to a case did."""

    case: Case
    added: list[int]
    already: list[int]
    created: bool


class CaseBook:
    """VigieCore's case methods (VigieCore provides `store` and `clock`)."""

    store: Store
    clock: Clock

    def cases(self) -> list[Case]:
        """Every case by name, with how many items each holds."""
        return self.store.list_cases()

    def case_named(self, name: str) -> Case:
        """The case called `name` (case aside); UserError when there is none."""
        case = self.store.case_named(name)
        if case is None:
            raise UserError(f"no case called {name.strip()!r} (`vigie cases list` shows them)")
        return case

    def case_file(self, case_id: int) -> CaseFile:
        """A case with its items, in time order (publication, else fetch, else pinning)."""
        case = next((c for c in self.store.list_cases() if c.id == case_id), None)
        if case is None:
            raise UserError(f"no case {case_id}")
        return CaseFile(case, self.store.case_items(case_id))

    def case_view(self, case_id: int) -> CaseView:
        """A case as the window's case view shows it (the HTML built here, off the GUI thread)."""
        found = self.case_file(case_id)
        pages = [case_item_html(n, item) for n, item in enumerate(found.items, 1)]
        return CaseView(found.case, found.items, pages)

    def create_case(self, name: str, note: str = "") -> Case:
        return self.store.create_case(name, iso(self.clock()), note)

    def add_to_case(
        self, name: str, article_ids: Sequence[int], note: str = "", tags: Sequence[str] = ()
    ) -> Pinned:
        """Pin articles (ids as in the export) to the case `name`, created when new; an article already in the
        case keeps its note. An unknown id raises UserError and pins nothing (a new case stays uncreated)."""
        if not article_ids:
            raise UserError("name at least one article id to add")
        missing = [i for i in article_ids if self.store.article(int(i)) is None]
        if missing:
            raise UserError(f"no article with id {missing[0]} (ids as in `vigie articles export`)")
        existing = self.store.case_named(name)
        case = existing or self.create_case(name)
        added, already = self.store.pin_articles(case.id, article_ids, iso(self.clock()), note, tags)
        log.info("case %r: pinned %d articles (%d were there)", case.name, len(added), len(already))
        return Pinned(self.case_named(case.name), added, already, existing is None)

    def add_story_to_case(self, name: str, story_id: int, note: str = "", tags: Sequence[str] = ()) -> Pinned:
        """Pin every report of a story (its id as `vigie stories list` and the story view give it) to the case
        `name`, each as an article with the note and tags: the reports stay whatever the retention, and the case
        view and the report list them in time order. A story without reports raises UserError."""
        reports = self.store.story_article_ids(int(story_id))
        if not reports:
            raise UserError(f"no story {story_id} (`vigie stories list` gives the stories' ids)")
        return self.add_to_case(name, reports, note=note, tags=tags)

    def update_case(self, case_id: int, *, name: str | None = None, note: str | None = None) -> Case:
        self.store.update_case(case_id, iso(self.clock()), name=name, note=note)
        return self.case_file(case_id).case

    def update_case_item(
        self, item_id: int, *, note: str | None = None, tags: Sequence[str] | None = None
    ) -> None:
        if not self.store.update_case_item(item_id, note=note, tags=tags):
            raise UserError(f"no case item {item_id}")

    def remove_case_item(self, item_id: int) -> None:
        """Take an item out of its case (the article stays stored)."""
        self.store.unpin(item_id)

    def delete_case(self, case_id: int) -> None:
        self.store.delete_case(case_id)

    def cases_of_article(self, article_id: int) -> list[str]:
        return self.store.cases_of_article(article_id)

    def case_report_html(self, case_id: int, generated: datetime | None = None) -> str:
        """The case's report as one self-contained HTML document (the HTML format, and the source of the PDF
        and ODT renderings)."""
        found = self.case_file(case_id)
        return case_report_html(found.case, found.items, generated or self.clock())
