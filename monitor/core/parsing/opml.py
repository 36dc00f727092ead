"""OPML import and export of feed subscriptions and their folders, with a parser that refuses DOCTYPEs and entities.

An outline with an xmlUrl is a feed; an outline without one is a folder when it has outlines inside (or when
Vigie wrote it as a folder), and is skipped otherwise. Vigie writes what it knows of a feed that OPML has no
attribute for (the polling interval, the mute) in its own namespace, so its own exports read back whole.
"""

from __future__ import annotations

import html
import html.entities
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from monitor.core.models import Subscription
from monitor.core.parsing.opml_write import VIGIE_NS, XML_FORBIDDEN_CHARS, write_opml
from monitor.core.support.folder_paths import MAX_FOLDER_DEPTH, FolderPath, clean_title
from monitor.core.support.urls import is_web_url, url_problem

logger = logging.getLogger(__name__)

# Exports of large subscription lists reach 5 MB (a few hundred bytes an outline, descriptions included). 16 MB,
# about 50,000 feeds, still reads in seconds (docs/BENCHMARKS.md, "OPML"); larger files are refused before more
# than the limit is read.
MAX_OPML_BYTES = 16 * 1024 * 1024
MAX_INTERVAL_MINUTES = 7 * 24 * 60
# A character reference left escaped in a title (exporters that escape twice write "Tom&amp;#39;s").
_ESCAPED_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# An HTML named entity written straight into the XML ("&eacute;"): XML without a DTD does not know it.
_NAMED_ENTITY = re.compile(rb"&([A-Za-z][A-Za-z0-9]{1,31});")
_XML_ENTITIES = frozenset({b"amp", b"lt", b"gt", b"quot", b"apos"})
_DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")

# Kept for callers that named the old class: a feed of an OPML file is a Subscription.
OpmlFeed = Subscription
__all__ = [
    "MAX_OPML_BYTES",
    "OpmlError",
    "OpmlFeed",
    "OpmlImport",
    "OpmlImportReport",
    "Skipped",
    "parse_opml",
    "read_opml_file",
    "write_opml",
]


@dataclass(frozen=True)
class Skipped:
    """An outline that was not imported: what it was (its URL, else its title) and why, in words."""

    what: str
    why: str


@dataclass(frozen=True)
class OpmlImport:
    """What an OPML file holds.

    Attributes:
        feeds: one per feed URL, in document order, each with its folder path (its first occurrence wins).
        folders: every folder path, parents before children, in document order (empty folders too).
        skipped: the outlines that could not be imported, with why.
        duplicates: outlines whose feed URL an earlier outline already had.
        flattened: feeds nested deeper than MAX_FOLDER_DEPTH, put in their ancestor at that depth.
        warnings: how the file was read when it was not plain (its encoding, for instance).
    """

    feeds: list[Subscription] = field(default_factory=list)
    folders: list[FolderPath] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    duplicates: int = 0
    flattened: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class OpmlImportReport:
    """What importing an OPML file did.

    Attributes:
        added: feeds subscribed now. existing: feeds of the file already subscribed (left where they are).
        skipped: outlines not imported, with why. folders_created: folders that did not exist before.
        duplicates: outlines repeating a feed URL of the same file. flattened: feeds nested deeper than
        MAX_FOLDER_DEPTH, put in their ancestor at that depth. warnings: how the file was read.
    """

    added: int
    existing: int
    skipped: list[Skipped]
    folders_created: int
    duplicates: int = 0
    flattened: int = 0
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line: "imported 12 feeds (3 already subscribed, 2 skipped), 4 new folders"."""
        extra = [f"{self.existing} already subscribed"]
        if self.skipped:
            extra.append(f"{len(self.skipped)} skipped")
        if self.duplicates:
            extra.append(f"{self.duplicates} listed twice")
        folders = f", {self.folders_created} new folder{'s' if self.folders_created != 1 else ''}"
        return f"imported {self.added} feeds ({', '.join(extra)}){folders if self.folders_created else ''}"

    def details(self) -> list[str]:
        """One line per thing the analyst should know beyond the summary: each skipped outline, and so on."""
        lines = [f"note: {w}" for w in self.warnings]
        if self.flattened:
            feeds = "1 feed was" if self.flattened == 1 else f"{self.flattened} feeds were"
            lines.append(
                f"note: {feeds} in folders nested deeper than {MAX_FOLDER_DEPTH} levels; "
                f"each is in its enclosing folder at level {MAX_FOLDER_DEPTH}"
            )
        if self.duplicates:
            repeat = "outline repeats" if self.duplicates == 1 else "outlines repeat"
            lines.append(
                f"note: {self.duplicates} {repeat} a feed of the file; each feed is subscribed once, "
                "in the folder where it first appears"
            )
        lines += [f"skipped {s.what}: {s.why}" for s in self.skipped]
        return lines


class OpmlError(ValueError):
    """The file is not OPML we can read; the message says why, in words ("not an OPML file: line 3: ...")."""


class _Refused(Exception):
    """Raised from inside expat callbacks to stop at a DOCTYPE or entity declaration."""


@dataclass
class _Frame:
    """One open element: its name and, for an outline, the folder path its children are in."""

    name: str
    folder: FolderPath = ()
    levels: int = 0  # how many folders enclose its children, counting those deeper than MAX_FOLDER_DEPTH
    in_body: bool = False
    pending_folder: Skipped | None = None  # a title-only outline: a folder if an outline opens inside it


def parse_opml(data: bytes) -> OpmlImport:
    """Read the subscriptions and folders of an OPML file (1.0 or 2.0, outlines nested to any depth).

    Each outline with an xmlUrl (any case) is a feed, titled by its title or text attribute. Repeated URLs
    are kept once; URLs that are not http(s) are skipped with why (feed:// is read as http://).

    Raises:
        OpmlError: the file is empty, too large, not well-formed XML, not OPML, in an encoding Python does not
            know, or declares a DOCTYPE or entities (refused outright: billion-laughs and external-entity
            attacks need them).
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    data = bytes(data or b"")
    if not data.strip():
        raise OpmlError("not an OPML file: the file is empty")
    if len(data) > MAX_OPML_BYTES:
        raise OpmlError(f"not an OPML file: {len(data) / 1e6:.1f} MB is over the {limit_text()} limit")
    data = _NAMED_ENTITY.sub(_numeric_reference, data)
    warnings: list[str] = []
    try:
        return _parse(data, warnings)
    except _NotUtf8:
        warnings.append("the file is not UTF-8 and names no encoding; it was read as Windows-1252")
        return _parse(_as_utf8(data.decode("cp1252", errors="replace")), warnings)
    except _MultiByte as exc:
        warnings.append(f"the file's encoding {exc.encoding} was converted to UTF-8 to read it")
        return _parse(_as_utf8(data.decode(exc.encoding, errors="replace")), warnings)


def limit_text() -> str:
    return f"{MAX_OPML_BYTES // (1024 * 1024)} MB"


class _NotUtf8(Exception):
    """Bytes that are not UTF-8 in a file that declares no encoding."""


class _MultiByte(Exception):
    """A multi-byte encoding (Shift_JIS, GB2312...) that Python knows but expat cannot read."""

    def __init__(self, encoding: str) -> None:
        super().__init__(encoding)
        self.encoding = encoding


def _numeric_reference(match: re.Match[bytes]) -> bytes:
    name = match.group(1)
    if name in _XML_ENTITIES:
        return match.group(0)
    text = html.entities.html5.get(name.decode("ascii") + ";")
    if text is None:
        return match.group(0)
    return b"".join(b"&#%d;" % ord(c) for c in text)


def _as_utf8(text: str) -> bytes:
    """Text decoded by Python, re-encoded as UTF-8 with its XML declaration saying so."""
    text = re.sub(r"^\ufeff?\s*<\?xml[^>]*\?>", '<?xml version="1.0" encoding="UTF-8"?>', text, count=1)
    return text.encode("utf-8")


def _parse(data: bytes, warnings: list[str]) -> OpmlImport:
    result = OpmlImport(warnings=warnings)
    seen: set[str] = set()
    folders_seen: set[FolderPath] = set()
    stack: list[_Frame] = []
    flattened = duplicates = 0

    def refuse_doctype(*_args: object) -> None:
        raise _Refused("DOCTYPE declarations are not allowed")

    def refuse_entity(*_args: object) -> None:
        raise _Refused("entity declarations are not allowed")

    def add_folder(path: FolderPath) -> None:
        for depth in range(1, len(path) + 1):
            if path[:depth] not in folders_seen:
                folders_seen.add(path[:depth])
                result.folders.append(path[:depth])

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal flattened, duplicates
        local = name.rsplit(" ", 1)[-1].lower()  # namespace-qualified names arrive as "uri local"
        if not stack and local != "opml":
            raise _Refused(f"the root element is <{local}>, not <opml>")
        parent = stack[-1] if stack else _Frame("")
        if local != "outline" or not parent.in_body:
            stack.append(_Frame(local, parent.folder, parent.levels, parent.in_body or local == "body"))
            return
        if parent.pending_folder is not None:  # an outline inside a title-only outline: that one is a folder
            parent.pending_folder = None
            add_folder(parent.folder)
        lowered, vigie = _attributes(attrs)
        title = _title(lowered.get("title") or lowered.get("text") or "")
        url = _feed_scheme_to_http((lowered.get("xmlurl") or "").strip())
        if not url:
            frame = _Frame(local, parent.folder, parent.levels, in_body=True)
            folder_title = clean_title(title)
            if folder_title:
                frame.levels += 1
                if len(parent.folder) < MAX_FOLDER_DEPTH:  # deeper, its feeds go to the deepest ancestor
                    frame.folder = (*parent.folder, folder_title)
            if vigie.get("folder", "").lower() in ("1", "true") and folder_title:
                add_folder(frame.folder)
            else:
                frame.pending_folder = _not_a_feed(lowered, title)
            stack.append(frame)
            return
        stack.append(_Frame(local, parent.folder, parent.levels, in_body=True))
        if url in seen:
            duplicates += 1
            return
        seen.add(url)
        problem = url_problem(url)
        if problem:
            result.skipped.append(Skipped(url, problem))
            return
        if parent.levels > MAX_FOLDER_DEPTH:
            flattened += 1
        site = (lowered.get("htmlurl") or "").strip()
        result.feeds.append(
            Subscription(
                url=url,
                title="" if title == url else title,
                folder=parent.folder,
                site_url=site if is_web_url(site) else None,
                interval_minutes=_interval(vigie.get("interval")),
                muted=vigie.get("muted", "").lower() in ("1", "true"),
            )
        )

    def end(_name: str) -> None:
        frame = stack.pop()
        if frame.pending_folder is not None:
            result.skipped.append(frame.pending_folder)

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_entity
    parser.UnparsedEntityDeclHandler = refuse_entity
    parser.ExternalEntityRefHandler = refuse_entity
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except _Refused as exc:
        raise OpmlError(f"not an OPML file: line {parser.CurrentLineNumber}: {exc}") from None
    except expat.ExpatError as exc:
        declared = _DECLARED_ENCODING.match(data)
        if exc.code == expat.errors.codes[expat.errors.XML_ERROR_INVALID_TOKEN] and not declared:
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                raise _NotUtf8() from None
        raise OpmlError(f"not an OPML file: line {exc.lineno}: {expat.ErrorString(exc.code)}") from None
    except LookupError:
        declared = _DECLARED_ENCODING.match(data)
        name = declared.group(1).decode("ascii") if declared else "?"
        raise OpmlError(
            f"the file says it is in the encoding {name!r}, which Vigie does not know; save it as UTF-8"
        ) from None
    except ValueError as exc:
        declared = _DECLARED_ENCODING.match(data)
        if declared and "multi-byte" in str(exc):
            raise _MultiByte(declared.group(1).decode("ascii")) from None
        raise OpmlError(f"not an OPML file: {exc}") from None
    result = OpmlImport(
        feeds=result.feeds,
        folders=result.folders,
        skipped=result.skipped,
        duplicates=duplicates,
        flattened=flattened,
        warnings=warnings,
    )
    logger.info(
        "OPML: %d feeds, %d folders, %d skipped, %d duplicates",
        len(result.feeds),
        len(result.folders),
        len(result.skipped),
        duplicates,
    )
    return result


def _attributes(attrs: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """(plain attributes by lower-case name, Vigie's own attributes by local name)."""
    plain: dict[str, str] = {}
    vigie: dict[str, str] = {}
    for key, value in attrs.items():
        if " " in key:
            uri, local = key.rsplit(" ", 1)
            if uri == VIGIE_NS:
                vigie[local.lower()] = value.strip()
            continue
        plain[key.lower()] = value
    return plain, vigie


def _title(raw: str) -> str:
    """A title as shown: references left escaped by a double-escaping exporter decoded, whitespace collapsed."""
    text = _ESCAPED_REFERENCE.sub(lambda m: html.unescape(m.group(0)), raw)
    return " ".join(XML_FORBIDDEN_CHARS.sub("", text).split())


def _not_a_feed(attrs: dict[str, str], title: str) -> Skipped:
    kind = (attrs.get("type") or "").lower()
    what = title or (attrs.get("url") or "").strip() or "(an outline without a title)"
    if kind == "include":
        return Skipped(what, "an include of another OPML file, which Vigie does not follow")
    if kind == "link" or attrs.get("url"):
        return Skipped(what, "a link to a page, not a feed (no xmlUrl)")
    return Skipped(what, "no xmlUrl, and no outlines inside to make it a folder")


def _interval(value: str | None) -> int | None:
    try:
        minutes = int(value or "")
    except ValueError:
        return None
    return minutes if 1 <= minutes <= MAX_INTERVAL_MINUTES else None


def _feed_scheme_to_http(url: str) -> str:
    """feed://host/x and feed:https://host/x, an old browser convention, as http(s) URLs."""
    lowered = url.lower()
    if lowered.startswith("feed://"):
        return "http://" + url[len("feed://") :]
    if lowered.startswith("feed:http://") or lowered.startswith("feed:https://"):
        return url[len("feed:") :]
    return url


def read_opml_file(path: Path) -> OpmlImport:
    """Parse an OPML file, reading no more than MAX_OPML_BYTES of it (a larger file is refused unread).

    Raises:
        OpmlError: the file cannot be read, is over the limit or is not OPML; the message names the file.
    """
    try:
        with path.open("rb") as source:
            data = source.read(MAX_OPML_BYTES + 1)
            size = path.stat().st_size
    except OSError as exc:
        raise OpmlError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if len(data) > MAX_OPML_BYTES:
        raise OpmlError(
            f"{path}: the file is {max(size, len(data)) / 1e6:.1f} MB, over the {limit_text()} limit "
            "for an OPML file; nothing was imported (split it, or remove its descriptions)"
        )
    try:
        return parse_opml(data)
    except OpmlError as exc:
        raise OpmlError(f"{path}: {exc}") from exc
