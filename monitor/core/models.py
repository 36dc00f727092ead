"""Plain data passed between the core's stages (fetch -> parse -> match -> store) and out to the UI."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

FIELDS = ("title", "summary", "content")
FULL_TEXT_SEPARATOR = "\n\n"


def matched_content(content: str, full_text: str) -> str:
    """What matching and search read as an article's content: the feed's, then the page's main text when its feed
    fetches it (the text index's triggers build the same string, storage/db.py v15)."""
    return content + FULL_TEXT_SEPARATOR + full_text if full_text else content


SEED_SOURCE = "seed"


@dataclass(frozen=True)
class Match:
    """One watchlist hit: `text == <that field's stored plain text>[start:end]`."""

    entry: str
    kind: str
    field: str
    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, object]:
        return {
            "entry": self.entry,
            "kind": self.kind,
            "field": self.field,
            "start": self.start,
            "end": self.end,
            "text": self.text,
        }


@dataclass(frozen=True)
class Assessment:
    """What the matcher says of one article."""

    matches: tuple[Match, ...] = ()
    score: float = 0.0
    highlighted: bool = False
    explanation: str = ""


# One candidate name of an article, as the name index stores it (matching/article_names.py): its folded key, its
# written forms with their counts, its mentions, those in running text, those not opening a sentence, the
# person / organisation / place evidence, and the long forms of an acronym.
NameRow = tuple[str, str, int, int, int, int, int, int, str]
# An article's candidate names and the lower-case words it uses.
ArticleNames = tuple[tuple[NameRow, ...], tuple[str, ...]]


@dataclass(kw_only=True)
class ItemText:
    """What a feed item says once normalised: plain text, sanitised HTML, UTC ISO dates, absolute link.

    Declared once: a parsed item and a stored article both carry these fields.
    """

    guid: str | None
    link: str | None
    title: str
    summary: str
    content: str
    content_html: str
    published: str | None
    published_estimated: bool = False
    lang: str | None = None

    def field_text(self, name: str) -> str:
        """The plain text of one matched field ("title", "summary" or "content")."""
        return {"title": self.title, "summary": self.summary, "content": self.content}[name]


@dataclass(kw_only=True)
class ParsedItem(ItemText):
    """One feed entry after normalisation, before it is stored."""

    author: str | None = None
    # (French stems, English stems) for the search index when a parser process made them (parsing/wordforms.py);
    # None: the store makes them.
    word_forms: tuple[str, str] | None = None
    # The item's candidate names for the name index (matching/article_names.py) when a parser process made them;
    # None: the store makes them (for the highlighted items only).
    names: ArticleNames | None = None


@dataclass
class ParsedFeed:
    """The result of parsing fetched bytes. `error` is set when nothing usable came out."""

    title: str = ""
    link: str | None = None
    lang: str | None = None
    items: list[ParsedItem] = field(default_factory=list)
    error: str | None = None
    warning: str | None = None
    # When the bytes were an HTML page rather than a feed: feed URLs found in its <link rel="alternate">.
    alternates: list[str] = field(default_factory=list)


@dataclass
class Feed:
    """A subscribed feed as stored."""

    id: int
    url: str
    title: str = ""
    interval_minutes: int = 15
    etag: str | None = None
    last_modified: str | None = None
    last_status: int | None = None
    last_error: str | None = None
    last_fetched: str | None = None  # the last attempt, successful or not
    last_success: str | None = None  # the last attempt that worked (schema 8)
    consecutive_failures: int = 0
    retry_not_before: str | None = None  # the deadline of the server's Retry-After, after a failure
    enabled: bool = True
    muted: bool = False  # still polled, stored and scored, but never an alert or a notification
    disabled_reason: str | None = None
    folder: tuple[str, ...] = ()  # folder titles from the top; () is the top level
    site_url: str | None = None  # the site's own page (OPML htmlUrl)
    full_text: bool = False  # fetch each new or changed item's page and keep its main text (schema 14)
    full_text_state: str | None = None  # how the last page fetch went, in words; None before the first


@dataclass(frozen=True)
class Subscription:
    """A feed to subscribe to, as an OPML file or the analyst gives it. None and () leave the default."""

    url: str
    title: str = ""
    folder: tuple[str, ...] = ()
    site_url: str | None = None
    interval_minutes: int | None = None
    muted: bool = False


@dataclass(kw_only=True)
class Article(ItemText):
    """A stored article (seed or feed item): the item's text, where it came from, its watchlist assessment
    and the analyst's reading state."""

    id: int
    source: str
    feed_id: int | None
    fetched: str
    content_hash: str
    first_seen: str
    last_updated: str
    score: float = 0.0
    highlighted: bool = False
    alert: bool = False
    read: bool = False
    starred: bool = False
    # The analyst's judgement: "relevant", "not-relevant" or None; when set, it decides `highlighted`.
    judgement: str | None = None
    matches: list[Match] = field(default_factory=list)
    # The article's story (the id of the report that started it, the first one grouped; stable) and thread (the
    # story id of the case's first story); None until grouping has seen it (core.stories).
    story: int | None = None
    thread: int | None = None
    revisions: int = 0  # stored versions less one (schema 14)
    gone: str | None = None  # when a successful fetch of its feed stopped listing it
    full_text: str = ""  # the main text of the article's page, when its feed fetches it

    def field_text(self, name: str) -> str:
        """The plain text of one matched field; the content includes the page's main text (matched_content)."""
        if name == "content":
            return matched_content(self.content, self.full_text)
        return super().field_text(name)


@dataclass(frozen=True)
class ArticleVersion:
    """One stored version of an article, whole (the store keeps only what changed; this fills in the rest)."""

    number: int  # 1 for the first version
    kind: str  # "feed" or "page"
    fetched: str
    etag: str | None
    last_modified: str | None
    doc_sha256: str | None  # the fetched feed document's (or page's) SHA-256
    text_sha256: str  # the item's normalised text, as content_hash makes it
    link: str | None
    title: str
    summary: str
    content: str
    full_text: str


@dataclass(frozen=True)
class ArticleQuery:
    """Which articles a list shows, and in what order. `view` is a sidebar source."""

    view: str = "all"  # all | new | highlighted | starred | revised | seeds | feed | folder
    feed_id: int | None = None
    feed_ids: tuple[int, ...] | None = None  # only these feeds' articles (a folder's subtree); () is none
    entry: str | None = None
    entries_all: tuple[str, ...] = ()  # only the articles naming every one of these entries (co-occurrence)
    search: str | None = None
    highlighted_only: bool = False
    unread_only: bool = False
    revised_only: bool = False  # items with more than one stored version
    since: str | None = None
    until: str | None = None
    sort: str = "published"
    descending: bool = True


@dataclass(frozen=True)
class ArticleRow:
    """What the article list needs of one article: cheap to read by the page."""

    id: int
    title: str
    source: str
    source_label: str
    published: str | None
    score: float
    highlighted: bool
    alert: bool
    read: bool
    starred: bool
    link: str | None
    lang: str | None = None  # "fr", "en" or "other" (schema 10)
    revisions: int = 0  # stored versions less one (the list's Rev. column)


@dataclass(frozen=True)
class StoryQuery:
    """The story view of the list: the stories with a report `articles` selects (the sidebar's choice, the search
    and the filters), in the order of one story column."""

    articles: ArticleQuery = field(default_factory=ArticleQuery)
    sort: str = "last_updated"  # title | reports | outlets | languages | score | first_seen | last_updated
    descending: bool = True


@dataclass(frozen=True)
class StoryRow:
    """One row of the story view, as the stories table keeps it (storage/story_rows.py)."""

    id: int
    title: str  # the first report's
    reports: int
    outlets: int
    languages: str  # "en, fr"
    score: float  # its highest report's
    highlighted: bool
    first_seen: str
    last_updated: str


class ArticlePages(Protocol):
    """The read-only view of the store that the article list pages through (small indexed reads)."""

    def count(self, query: ArticleQuery) -> int: ...

    def count_capped(self, query: ArticleQuery, cap: int | None = None) -> tuple[int, bool]: ...

    def rows(self, query: ArticleQuery, offset: int, limit: int) -> Sequence[ArticleRow]: ...


@dataclass(frozen=True)
class Case:
    """A named case: evidence the analyst collects for a note to an editor, a lawyer or an investigator."""

    id: int
    name: str
    note: str
    created: str
    updated: str
    items: int = 0  # how many items it holds


@dataclass(frozen=True)
class CaseItem:
    """One pinned piece of evidence: an article (kind "article"), or later a story (kind "story", story_id).

    `pinned_hash` is the SHA-256 of the article's normalised text when it was pinned; `outlet` the feed's title
    then (the report still names it if the feed is removed). `article` is the stored article, None for a story.
    """

    id: int
    case_id: int
    kind: str
    article_id: int | None
    story_id: int | None
    note: str
    added: str
    pinned_hash: str | None
    outlet: str
    tags: tuple[str, ...] = ()
    article: Article | None = None
    versions: tuple[ArticleVersion, ...] = ()  # the article's stored versions, oldest first (schema 14)


@dataclass(frozen=True)
class StorySummary:
    """One story as the story list and `vigie stories list` show it: its reports, earliest first."""

    story: int
    thread: int
    title: str  # the first report's
    first_seen: str  # when its first report was published (UTC ISO 8601)
    last_updated: str  # when its latest report was published
    reports: int
    outlets: int  # distinct sites (the host of each report's link, else its feed)
    languages: tuple[str, ...]
    score: float  # its highest report's
    highlighted: bool  # any report highlighted
    related_seed: int | None
    articles: tuple[int, ...]
