"""Two stored versions of an article compared field by field, word by word (core.support.worddiff): what the
reader's Compare versions dialog shows as HTML and `vigie articles versions --diff` prints as text. Qt-free."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from monitor.core.errors import UserError
from monitor.core.models import ArticleVersion
from monitor.core.support.worddiff import DiffPart, word_diff

log = logging.getLogger(__name__)

# (field of ArticleVersion, its label), in the order a diff shows them.
FIELDS = (
    ("title", "Title"),
    ("link", "Link"),
    ("summary", "Summary"),
    ("content", "Content"),
    ("full_text", "Full text"),
)


@dataclass(frozen=True)
class FieldDiff:
    """One field of two versions: its runs of words the same, removed or added."""

    name: str
    label: str
    parts: list[DiffPart]

    @property
    def changed(self) -> bool:
        return any(op != "same" for op, _ in self.parts)


@dataclass(frozen=True)
class VersionDiff:
    old: ArticleVersion
    new: ArticleVersion
    fields: list[FieldDiff]  # the fields either version has text in

    @property
    def changed(self) -> bool:
        return any(f.changed for f in self.fields)


def version_diff(old: ArticleVersion, new: ArticleVersion) -> VersionDiff:
    """What `new` removed from and added to `old`, per field (a field empty in both is left out)."""
    fields = []
    for name, label in FIELDS:
        before, after = getattr(old, name) or "", getattr(new, name) or ""
        if before or after:
            fields.append(FieldDiff(name, label, word_diff(before, after)))
    return VersionDiff(old, new, fields)


def pick_version(versions: Sequence[ArticleVersion], number: int) -> ArticleVersion:
    """The version numbered `number` (1 for the first), or UserError naming the numbers there are."""
    for version in versions:
        if version.number == number:
            return version
    if not versions:
        raise UserError("no stored version: is the article id right (ids as in `vigie articles export`)?")
    raise UserError(f"no version {number}: this article has versions 1 to {len(versions)}")


def version_line(version: ArticleVersion) -> str:
    """One version on one line: number, fetched, what was fetched, the text's SHA-256, the title."""
    what = "page" if version.kind == "page" else "feed"
    return f"{version.number}\t{version.fetched}\t{what}\t{version.text_sha256}\t{version.title}"


def diff_text(diff: VersionDiff) -> str:
    """The diff as plain text: removed words in [-...-], added ones in {+...+} (as `git diff --word-diff`)."""
    old, new = diff.old, diff.new
    lines = [
        f"version {old.number} (fetched {old.fetched}, sha256 {old.text_sha256}) -> "
        f"version {new.number} (fetched {new.fetched}, sha256 {new.text_sha256})"
    ]
    for field in diff.fields:
        lines.append(f"{field.label}:" + ("" if field.changed else " (unchanged)"))
        words = []
        for op, text in field.parts:
            words.append(f"[-{text}-]" if op == "removed" else f"{{+{text}+}}" if op == "added" else text)
        lines.append("  " + " ".join(words))
    if not diff.changed:
        lines.append("(the two versions have the same text)")
    return "\n".join(lines) + "\n"
