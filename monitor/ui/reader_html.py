"""The reader pane's HTML, built from an article's stored plain text and its watchlist matches.

Every piece of text goes through html.escape; the only markup is ours. Qt-free, so it is easy to test.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from urllib.parse import quote

from monitor.core.models import FULL_TEXT_SEPARATOR, SEED_SOURCE, Article, Match
from monitor.core.parsing.sanitize import sanitize_html
from monitor.core.support.urls import is_web_url
from monitor.ui.style import KIND_COLOURS, KIND_LABELS, TEXT, TEXT_MUTED, format_date, format_score

log = logging.getLogger(__name__)

# Every line break starts a paragraph: the seeds and html_to_text both put one paragraph per line.
_PARAGRAPH_BREAK = re.compile(r"\s*\n\s*")


def escape(text: str) -> str:
    return html.escape(text, quote=True)


def is_safe_link(url: str | None) -> bool:
    """Only http and https links are shown as links or opened."""
    return is_web_url(url)


def _clip(matches: Iterable[Match], start: int, end: int) -> list[tuple[int, int, Match]]:
    """Matches overlapping [start, end), clipped to it, in order, without overlaps."""
    out: list[tuple[int, int, Match]] = []
    last = start
    for m in sorted(matches, key=lambda m: (m.start, -m.end)):
        s, e = max(m.start, start, last), min(m.end, end)
        if s < e:
            out.append((s, e, m))
            last = e
    return out


ENTRY_SCHEME = "vigie-entry"
WHOLE_SCHEME = "vigie-whole"  # the link under a long article's first part: the window shows the rest
# The reader shows a longer body in two steps: its first part, then the whole on request. Qt lays out HTML on the
# GUI thread at about 3.5 ms per 100 KB on a quiet 2-core machine and five times that under load (a 500 KB
# article took 98 ms): docs/BENCHMARKS.md.
FIRST_PART_CHARS = 150_000


def mark(text: str, kind: str, entry: str) -> str:
    """One highlighted run: the entry's kind colour as background, the entry named in the tooltip."""
    colour = KIND_COLOURS.get(kind, KIND_COLOURS["keyword"])
    tip = escape(f"{entry} ({KIND_LABELS.get(kind, kind)})")
    return f'<span style="background-color:{colour}; color:{TEXT};" title="{tip}">{text}</span>'


def highlight(text: str, matches: Sequence[Match], start: int = 0, end: int | None = None) -> str:
    """text[start:end] as escaped HTML, each match inside wrapped in its kind's colour; newlines as <br>."""
    end = len(text) if end is None else end
    pieces: list[str] = []
    pos = start
    for s, e, m in _clip(matches, start, end):
        pieces.append(_plain(text[pos:s]))
        pieces.append(mark(_plain(text[s:e]), m.kind, m.entry))
        pos = e
    pieces.append(_plain(text[pos:end]))
    return "".join(pieces)


def _plain(text: str) -> str:
    return escape(text).replace("\n", "<br>")


def paragraphs_html(text: str, matches: Sequence[Match], css_class: str = "") -> str:
    """Line breaks split paragraphs; each paragraph keeps the matches that fall inside it."""
    attrs = f' class="{css_class}"' if css_class else ""
    out: list[str] = []
    pos = 0
    for brk in [*_PARAGRAPH_BREAK.finditer(text), None]:
        stop = brk.start() if brk else len(text)
        if text[pos:stop].strip():
            out.append(f"<p{attrs}>{highlight(text, matches, pos, stop)}</p>")
        pos = brk.end() if brk else len(text)
    return "".join(out)


def explanation_html(article: Article, explanation: str) -> str:
    """The line that says why the article scores what it scores: entry chips, then the matcher's sum (after
    the analyst's judgement, which decides the highlight, when there is one)."""
    if not article.matches:
        if article.judgement:
            return f'<p class="why">{escape(explanation)}</p>'
        return f'<p class="why" style="color:{TEXT_MUTED};">No watchlist match: score 0, not highlighted.</p>'
    counts: dict[str, tuple[str, int, list[str]]] = {}
    for m in article.matches:
        kind, count, fields = counts.get(m.entry, (m.kind, 0, []))
        if m.field not in fields:
            fields.append(m.field)
        counts[m.entry] = (kind, count + 1, fields)
    # Each chip links to its entry's timeline (ENTRY_SCHEME: the window opens it; never a web link).
    chips = " ".join(
        f'<a href="{ENTRY_SCHEME}:{quote(name)}" style="text-decoration:none;">'
        + mark(f"&nbsp;{escape(name)}{' ×' + str(n) if n > 1 else ''}&nbsp;", kind, name)
        + "</a>"
        for name, (kind, n, _fields) in counts.items()
    )
    verdict = "Highlighted" if article.highlighted else "Not highlighted"
    head = f"<b>{verdict}</b> · score {format_score(article.score)}"
    detail = (
        f'<br><span style="color:{TEXT_MUTED}; font-size:9pt;">{escape(explanation)}</span>'
        if explanation
        else ""
    )
    return f'<p class="why">{head}&nbsp;&nbsp;{chips}{detail}</p>'


def article_html(
    article: Article,
    *,
    source_label: str,
    explanation: str = "",
    original_layout: bool = False,
    whole: bool = False,
) -> str:
    """The reader page for one article: its first part only when the body is long, unless ``whole``."""
    title = highlight(article.title, [m for m in article.matches if m.field == "title"]) or "(untitled)"
    meta: list[str] = [escape(source_label)]
    if article.published:
        date = format_date(article.published, long=True)
        meta.append(("about " if article.published_estimated else "") + escape(date))
    if article.lang in ("fr", "en"):  # "other" says nothing worth a place in the header
        meta.append(escape(article.lang.upper()))
    if article.revisions:  # Ctrl+Shift+D compares the versions (ui/versions_dialog.py)
        times = "once" if article.revisions == 1 else f"{article.revisions} times"
        meta.append(f"<b>revised {times}</b> (Ctrl+Shift+D compares)")
    if article.gone:
        meta.append(f"gone from its feed since {escape(format_date(article.gone, long=True))}")
    meta_line = " · ".join(meta)
    link = ""
    if is_safe_link(article.link):
        href = escape(article.link.strip())  # type: ignore[union-attr]
        shown = escape(_shorten(article.link.strip(), 90))  # type: ignore[union-attr]
        hint = f'<span style="color:{TEXT_MUTED};">(Enter opens it)</span>'
        link = f'<p class="link"><a href="{href}">{shown}</a> {hint}</p>'
    elif article.source == SEED_SOURCE:
        link = f'<p class="link" style="color:{TEXT_MUTED};">Seed corpus article (no link)</p>'
    body = _body_html(article, original_layout)
    if not whole:
        body = first_part(body)
    return (
        f'<h1>{title}</h1><p class="meta" style="color:{TEXT_MUTED};">{meta_line}</p>{link}'
        f"{explanation_html(article, explanation)}<hr>{body}"
    )


def first_part(body: str, limit: int = FIRST_PART_CHARS) -> str:
    """``body`` cut after its last paragraph that ends within ``limit`` characters, with a link that shows the
    whole; ``body`` itself when it is short, or has no paragraph end to cut at."""
    if len(body) <= limit:
        return body
    cut = body.rfind("</p>", 0, limit)
    if cut < 0:
        return body
    cut += len("</p>")
    rest = body.count("</p>", cut)
    more = f"{rest} more paragraph{'s' if rest != 1 else ''}, " if rest else ""
    return (
        f'{body[:cut]}<p class="link"><a href="{WHOLE_SCHEME}:article">Show the whole article</a> '
        f'<span style="color:{TEXT_MUTED};">({more}{(len(body) - cut) // 1000:,} KB)</span></p>'
    )


def _body_html(article: Article, original_layout: bool) -> str:
    if original_layout and article.content_html.strip():
        # Already sanitised when stored; sanitised again here because the reader trusts nothing.
        return sanitize_html(article.content_html, article.link)
    summary_matches = [m for m in article.matches if m.field == "summary"]
    content_matches = [m for m in article.matches if m.field == "content"]
    summary, content = article.summary.strip(), article.content.strip()
    out = ""
    # Feeds often repeat the summary at the start of the content: show it once (the content has its matches).
    if summary and not _norm(content).startswith(_norm(summary)[:200]):
        # The summary stands out (italic) only above a text of its own; alone, it is the text.
        out += paragraphs_html(article.summary, summary_matches, "summary" if content else "")
    if content:
        out += paragraphs_html(article.content, content_matches)
    if article.full_text:
        # Plain text extracted from the page (polling/fulltext): escaped here, so it can load nothing.
        offset = len(article.content) + len(FULL_TEXT_SEPARATOR)
        shifted = [
            replace(m, start=m.start - offset, end=m.end - offset)
            for m in content_matches
            if m.start >= offset
        ]
        out += f'<h3 style="color:{TEXT_MUTED};">Full article, from its page</h3>'
        out += paragraphs_html(article.full_text, shifted)
    if not out:
        out = f'<p style="color:{TEXT_MUTED};">This item has no text; open the link to read it.</p>'
    return out


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def welcome_html(*, first_run: bool, articles: int, feeds: int, highlighted: int) -> str:
    """What the reader shows before an article is selected; on a first start, what to do next."""
    keys = (
        "<table cellspacing='4'>"
        "<tr><td><b>j</b> / <b>k</b>, arrows</td><td>next / previous article</td></tr>"
        "<tr><td><b>Space</b></td><td>page down, then the next article</td></tr>"
        "<tr><td><b>Enter</b></td><td>open the article's link in the browser</td></tr>"
        "<tr><td><b>M</b> / <b>S</b></td><td>toggle read / star</td></tr>"
        "<tr><td><b>Shift+R</b> / <b>Shift+N</b> / <b>Shift+W</b></td>"
        "<td>judge relevant / not relevant / withdraw the judgement</td></tr>"
        "<tr><td><b>Shift+C</b> / <b>Ctrl+Shift+C</b></td><td>add the article to a case / the cases</td></tr>"
        "<tr><td><b>Ctrl+Shift+P</b></td><td>propose the watchlist change your judgements call for</td></tr>"
        "<tr><td><b>Ctrl+Shift+D</b></td><td>compare the versions of a revised article</td></tr>"
        "<tr><td><b>Ctrl+Shift+S</b></td><td>group the list by story, or back to articles</td></tr>"
        "<tr><td><b>Ctrl+Shift+T</b> / <b>Ctrl+Shift+E</b></td><td>the timeline / the emerging names</td></tr>"
        "<tr><td><b>Ctrl+F</b></td><td>search</td></tr>"
        "<tr><td><b>F5</b> or <b>Ctrl+R</b></td><td>poll the feeds now</td></tr>"
        "</table>"
    )
    if not first_run:
        return (
            f"<h2>Select an article</h2><p style='color:{TEXT_MUTED};'>{articles} articles, "
            f"{highlighted} highlighted, from {feeds} feeds and the seeds.</p>{keys}"
        )
    return (
        "<h1>Welcome to Vigie</h1>"
        f"<p>Vigie has loaded the <b>seed corpus</b> ({articles} articles), the <b>default watchlist</b> "
        f"and <b>{feeds} default feeds</b>. What to do next:</p>"
        "<ol>"
        "<li>Press <b>F5</b> (Feeds ▸ Poll now) to collect the latest articles from the feeds.</li>"
        "<li>Articles about the watchlist's people, organisations, places and topics are "
        "<b>highlighted</b>: see the <i>Highlighted</i> view on the left, and the coloured words here.</li>"
        "<li>Add your own sources in <b>Feeds ▸ Manage feeds…</b> (a feed, or a page that links one).</li>"
        "<li>Adjust what counts in <b>Watchlist ▸ Edit watchlist…</b>; saving re-scores every article.</li>"
        "</ol>"
        f"<h3>Keyboard</h3>{keys}"
    )


def legend_html() -> str:
    """The kind colours, as chips."""
    return " ".join(mark(f"&nbsp;{escape(label)}&nbsp;", kind, label) for kind, label in KIND_LABELS.items())
