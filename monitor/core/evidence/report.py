"""A case as a report: one self-contained HTML document (no remote load, no script) that the three formats
share: the HTML file as is, and the PDF and ODT that monitor/reports renders from it with Qt.

The HTML keeps to what QTextDocument understands (tables, headings, inline spans, a <style> of simple
selectors, page-break-before), so the PDF and ODT look like the HTML file.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from monitor import __version__
from monitor.core.models import FIELDS, Article, ArticleVersion, Case, CaseItem, Match
from monitor.core.parsing.links import content_hash
from monitor.core.support.clock import iso, parse_iso

EXCERPT_CONTEXT = 120  # characters of text each side of a highlight
MAX_EXCERPTS = 6
MAX_EXCERPT_CHARS = 600  # per item: a report shows where the watchlist matched, not the whole article
HASH_METHOD = (
    "SHA-256 (hex) of the stored title, summary and content, each with its whitespace collapsed and case "
    "folded (Python's str.casefold), joined by the character U+001F, encoded as UTF-8."
)
HIGHLIGHT = "background-color: #ffe08a; font-weight: bold;"


@dataclass(frozen=True)
class Excerpt:
    field: str
    parts: tuple[tuple[str, bool], ...]  # (text, is a highlight) in order
    cut_start: bool
    cut_end: bool


def text_sha256(article: Article) -> str:
    """The SHA-256 of the article's normalised text, as stored (HASH_METHOD says how to recompute it)."""
    return content_hash(article.title, article.summary, article.content)


def excerpts(article: Article, limit: int = MAX_EXCERPTS) -> list[Excerpt]:
    """The passages around the watchlist's matches, overlapping windows merged, every match marked."""
    found: list[Excerpt] = []
    seen: set[str] = set()
    for field in FIELDS:
        text = article.field_text(field)
        spans = sorted(
            (m.start, m.end)
            for m in article.matches
            if m.field == field and 0 <= m.start < m.end <= len(text) and _is_match(m, text)
        )
        windows: list[list[int]] = []
        for start, end in spans:
            lo, hi = _widen(text, start, end)
            # Overlapping windows merge, up to a paragraph's length: dense matches give several excerpts.
            if windows and lo <= windows[-1][1] and hi - windows[-1][0] <= MAX_EXCERPT_CHARS:
                windows[-1][1] = max(windows[-1][1], hi)
            else:
                windows.append([lo, hi])
        for lo, hi in windows:
            inside = [(s, e) for s, e in spans if lo <= s and e <= hi]
            parts: list[tuple[str, bool]] = []
            cursor = lo
            for s, e in inside:
                if s < cursor:  # overlapping matches: the text is marked once
                    s = cursor
                if s >= e:
                    continue
                parts.append((text[cursor:s], False))
                parts.append((text[s:e], True))
                cursor = e
            parts.append((text[cursor:hi], False))
            passage = " ".join(text[lo:hi].split())
            if passage in seen:  # a feed often repeats its summary as the content: show the passage once
                continue
            seen.add(passage)
            found.append(Excerpt(field, tuple(p for p in parts if p[0]), lo > 0, hi < len(text)))
    return found[:limit]


def _is_match(match: Match, text: str) -> bool:
    return text[match.start : match.end] == match.text


def _widen(text: str, start: int, end: int) -> tuple[int, int]:
    """A window of about EXCERPT_CONTEXT characters each side, cut at word boundaries."""
    lo = max(0, start - EXCERPT_CONTEXT)
    hi = min(len(text), end + EXCERPT_CONTEXT)
    if lo > 0:
        space = text.find(" ", lo, start)
        lo = space + 1 if space != -1 else lo
    if hi < len(text):
        space = text.rfind(" ", end, hi)
        hi = space if space != -1 else hi
    return lo, hi


def format_moment(value: str | None) -> str:
    """A stored UTC ISO date as '2025-11-20 10:00 UTC' (a report is read anywhere: no local time)."""
    moment = parse_iso(value)
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "unknown"


def _e(text: str | None) -> str:
    return html.escape(text or "", quote=True)


def _paragraphs(text: str) -> str:
    blocks = [b.strip() for b in (text or "").split("\n\n") if b.strip()]
    return "".join(f"<p>{_e(b).replace(chr(10), '<br/>')}</p>" for b in blocks)


def _safe_link(link: str | None) -> str | None:
    """Only http and https links become links; anything else is shown as text."""
    return link if link and link.lower().startswith(("http://", "https://")) else None


_FACTS_TABLE = "<table class='facts' cellspacing='0' cellpadding='2' width='100%'>"
_STYLE = """
body { font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 10pt; color: #1b1b1b; }
h1 { font-size: 20pt; margin-bottom: 4pt; }
h2 { font-size: 13pt; margin-top: 14pt; margin-bottom: 4pt; }
h3 { font-size: 10.5pt; margin-top: 8pt; margin-bottom: 2pt; color: #444444; }
table.facts td { padding: 1pt 6pt 1pt 0pt; vertical-align: top; }
table.timeline { border-collapse: collapse; }
table.timeline th, table.timeline td { border: 1px solid #bbbbbb; padding: 3pt; vertical-align: top; }
table.timeline th { background-color: #eeeeee; text-align: left; }
p.excerpt { margin-left: 12pt; }
p.note { margin-left: 12pt; font-style: italic; }
p.muted, span.muted { color: #666666; }
tt, .hash { font-family: 'DejaVu Sans Mono', monospace; font-size: 8.5pt; }
"""


def case_report_html(case: Case, items: Sequence[CaseItem], generated: datetime) -> str:
    """The report of a case: title page, the case's note, a timeline, then each item with its facts, the
    highlighted excerpts, the analyst's note and the provenance of its text."""
    articles = [i for i in items if i.article is not None]
    outlets = sorted({i.outlet for i in articles if i.outlet}, key=str.casefold)
    times = [t for t in (_item_time(i) for i in articles) if t]
    span = f"{format_moment(times[0])} to {format_moment(times[-1])}" if times else "no dated item"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8"/>',
        f"<title>Case report: {_e(case.name)}</title>",
        f"<style>{_STYLE}</style></head><body>",
        # Title page.
        "<p class='muted'>Vigie case report</p>",
        f"<h1>{_e(case.name)}</h1>",
        _FACTS_TABLE,
        f"<tr><td width='17%'>Items</td><td>{len(items)}</td></tr>",
        f"<tr><td>Outlets</td><td>{len(outlets)}: {_e(', '.join(outlets)) or '-'}</td></tr>",
        f"<tr><td>Period</td><td>{span}</td></tr>",
        f"<tr><td>Case opened</td><td>{format_moment(case.created)}</td></tr>",
        f"<tr><td>Report made</td><td>{format_moment(iso(generated))} by Vigie {__version__}</td></tr>",
        "</table>",
        "<p class='muted'>Every date is UTC. Each item's provenance gives the SHA-256 of its stored text, so a "
        "copy of the text can be checked against this report. This document loads nothing from the network; "
        "the links point to the articles as published.</p>",
        "<h2 style='page-break-before: always;'>Case note</h2>",
        _paragraphs(case.note) or "<p class='muted'>No note.</p>",
        "<h2>Timeline</h2>",
        _timeline(items),
    ]
    for number, item in enumerate(items, 1):
        parts.append(_item_section(number, item))
    parts.append(f"<h2>How the digests are made</h2><p>{_e(HASH_METHOD)}</p>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _item_time(item: CaseItem) -> str | None:
    article = item.article
    return (article.published or article.fetched) if article else item.added


def _timeline(items: Sequence[CaseItem]) -> str:
    if not items:
        return "<p class='muted'>The case holds no item yet.</p>"
    rows = [
        "<table class='timeline' width='100%'><tr><th>#</th><th>Published</th><th>Outlet</th><th>Title</th></tr>"
    ]
    for number, item in enumerate(items, 1):
        title = item.article.title if item.article else f"Story {item.story_id}"
        rows.append(
            f"<tr><td>{number}</td><td>{format_moment(_item_time(item))}</td><td>{_e(item.outlet)}</td>"
            f"<td><a href='#item-{number}'>{_e(title) or '(untitled)'}</a></td></tr>"
        )
    rows.append("</table>")
    return "".join(rows)


def _item_section(number: int, item: CaseItem) -> str:
    article = item.article
    if article is None:  # a story (issue 16): named until stories can be shown here
        return (
            f"<h2><a name='item-{number}'></a>{number}. Story {item.story_id}</h2>"
            "<p class='muted'>Stories are not part of this version's reports.</p>"
        )
    link = _safe_link(article.link)
    link_html = f"<a href='{_e(link)}'>{_e(link)}</a>" if link else _e(article.link) or "none"
    estimated = " (estimated: the source gave no exact date)" if article.published_estimated else ""
    facts = [
        ("Outlet", _e(item.outlet)),
        ("Published", format_moment(article.published) + estimated),
        (
            "Fetched",
            f"first {format_moment(article.first_seen)}, last changed {format_moment(article.last_updated)}",
        ),
        ("Pinned", format_moment(item.added)),
        ("Link", link_html),
    ]
    if item.tags:
        facts.append(("Tags", _e(", ".join(item.tags))))
    if article.judgement:
        facts.append(("Judged", _e(article.judgement)))
    out = [
        f"<h2><a name='item-{number}'></a>{number}. {_e(article.title) or '(untitled)'}</h2>",
        _FACTS_TABLE,
        *(f"<tr><td width='17%'>{k}</td><td>{v}</td></tr>" for k, v in facts),
        "</table>",
        "<h3>Highlighted excerpts</h3>",
    ]
    found = excerpts(article)
    if found:
        out.extend(_excerpt_html(x) for x in found)
        entries = sorted({m.entry for m in article.matches}, key=str.casefold)
        out.append(f"<p class='muted'>Watchlist entries matched: {_e(', '.join(entries))}.</p>")
    else:
        opening = (article.summary or article.content or "").strip()
        cut = opening[:400] + ("…" if len(opening) > 400 else "")
        out.append("<p class='muted'>No watchlist match; the text begins:</p>")
        out.append(f"<p class='excerpt'>{_e(cut) or '(no text)'}</p>")
    out.append("<h3>Analyst's note</h3>")
    out.append(
        f"<p class='note'>{_e(item.note).replace(chr(10), '<br/>')}</p>"
        if item.note.strip()
        else "<p class='muted'>No note.</p>"
    )
    out.append("<h3>Provenance</h3>")
    out.append(_provenance(item, article))
    return "\n".join(out)


def _excerpt_html(excerpt: Excerpt) -> str:
    body = "".join(
        f"<span style='{HIGHLIGHT}'>{_e(text)}</span>" if marked else _e(text)
        for text, marked in excerpt.parts
    )
    lead = "…" if excerpt.cut_start else ""
    tail = "…" if excerpt.cut_end else ""
    return f"<p class='excerpt'><span class='muted'>[{excerpt.field}]</span> {lead}{body}{tail}</p>"


def _provenance(item: CaseItem, article: Article) -> str:
    now = text_sha256(article)
    if item.pinned_hash is None or item.pinned_hash == now:
        since = "unchanged since it was pinned"
    else:
        since = f"changed since it was pinned; the text pinned had SHA-256 <span class='hash'>{item.pinned_hash}</span>"
    source = "the seed corpus" if article.source == "seed" else _e(article.source)
    count = len(item.versions)
    stored = f"{count} stored version{'s' if count != 1 else ''}" if count else "one stored version"
    gone = f"; gone from its feed since {format_moment(article.gone)}" if article.gone else ""
    return (
        f"{_FACTS_TABLE}"
        f"<tr><td width='17%'>Text SHA-256</td><td><span class='hash'>{now}</span></td></tr>"
        f"<tr><td>Versions</td><td>{stored}, as last changed {format_moment(article.last_updated)}; "
        f"{since}{gone}</td></tr>"
        f"<tr><td>Source</td><td>{source}</td></tr>"
        f"<tr><td>Item</td><td>guid {_e(article.guid) or '-'}; article {article.id} in the Vigie profile</td></tr>"
        "</table>" + _versions_table(item.versions)
    )


def _versions_table(versions: Sequence[ArticleVersion]) -> str:
    """Each stored version: when it was fetched, from what, and the SHA-256 of its text and of the document."""
    if not versions:
        return ""
    rows = []
    for v in versions:
        what = "the article's page" if v.kind == "page" else "the feed"
        document = f"<br/>document <span class='hash'>{v.doc_sha256}</span>" if v.doc_sha256 else ""
        validators = ", ".join(
            f"{name} {_e(value)}"
            for name, value in (("ETag", v.etag), ("Last-Modified", v.last_modified))
            if value
        )
        rows.append(
            f"<tr><td width='17%'>Version {v.number}</td><td>fetched {format_moment(v.fetched)} from {what}"
            f"{'; ' + validators if validators else ''}<br/>text <span class='hash'>{v.text_sha256}</span>"
            f"{document}</td></tr>"
        )
    return f"{_FACTS_TABLE}{''.join(rows)}</table>"


def case_item_html(number: int, item: CaseItem) -> str:
    """One item's section of the report, alone (the case view shows it for the selected item)."""
    return f"<html><head><style>{_STYLE}</style></head><body>{_item_section(number, item)}</body></html>"
