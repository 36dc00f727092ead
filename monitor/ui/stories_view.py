"""The story timeline the reader shows for a story of the list's story mode (monitor/ui/story_mode.py): which
outlet reported first and what each later report adds, so an update stands out from a reprint.

Plain HTML made from escaped text, on a worker (story_mode.StoryMode.show_timeline).
"""

from __future__ import annotations

import html

from monitor.core.stories.timeline import StoryTimeline
from monitor.ui.style import format_date


def timeline_html(timeline: StoryTimeline) -> str:
    """The story's timeline: each report with its outlet and time, and the sentences it adds."""
    s = timeline.summary
    outlets = f"{s.outlets} outlet{'s' if s.outlets != 1 else ''}"
    parts = [
        f"<h3>{html.escape(s.title)}</h3>",
        f"<p>{s.reports} report{'s' if s.reports != 1 else ''}, {outlets}, "
        f"{html.escape(', '.join(s.languages) or '-')}; score {s.score:.1f}</p>",
    ]
    if timeline.related is not None:
        shared = ", ".join(timeline.related.shared[:8])
        parts.append(
            f"<p><b>Related seed:</b> {html.escape(timeline.related_title)}"
            f"<br/><small>shared: {html.escape(shared)}</small></p>"
        )
    for index, report in enumerate(timeline.reports):
        when = html.escape(format_date(report.at, long=True))
        head = (
            "First report"
            if index == 0
            else ("First in " + (report.lang or "?"))
            if report.first_in_language
            else ""
        )
        parts.append(
            f"<p><b>{when}</b> · {html.escape(report.outlet)}"
            + (f" · <i>{head}</i>" if head else "")
            + f"<br/>{html.escape(report.title)}</p>"
        )
        if index == 0 or report.first_in_language:
            continue
        if report.adds:
            items = "".join(f"<li>{html.escape(sentence)}</li>" for sentence in report.adds)
            parts.append(f"<p><small>adds:</small></p><ul>{items}</ul>")
        else:
            parts.append("<p><small>a reprint: nothing an earlier report did not say</small></p>")
    return "".join(parts)
