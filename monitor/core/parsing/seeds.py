"""The seed corpus: the analyst's own articles, shipped in seeds/ and shown as the source "seed"."""

from __future__ import annotations

import html
import logging
import tomllib
from dataclasses import dataclass
from pathlib import Path

from monitor.core.models import ParsedItem

log = logging.getLogger(__name__)

METADATA_FILE = "seeds.toml"


@dataclass(frozen=True)
class Seed:
    file: str
    title: str
    body: str
    date: str | None
    approximate: bool
    lang: str | None


def read_seeds(folder: Path) -> list[Seed]:
    """The seed files with their metadata. The first line of a file is its headline, the rest its body."""
    meta_path = folder / METADATA_FILE
    metadata: dict[str, dict[str, object]] = {}
    if meta_path.exists():
        for record in tomllib.loads(meta_path.read_text(encoding="utf-8")).get("seed", []):
            metadata[str(record["file"])] = record
    seeds = []
    for path in sorted(folder.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        headline, _, body = text.partition("\n")
        meta = metadata.get(path.name, {})
        seeds.append(
            Seed(
                file=path.name,
                title=str(meta.get("title") or headline.strip()),
                body=body.strip(),
                date=str(meta["date"]) if meta.get("date") else None,
                approximate=bool(meta.get("approximate", True)),
                lang=str(meta["lang"]) if meta.get("lang") else None,
            )
        )
    return seeds


def seed_item(seed: Seed) -> ParsedItem:
    """A seed as a parsed item, so it goes through the same store and matcher as feed items."""
    paragraphs = [p.strip() for p in seed.body.split("\n") if p.strip()]
    content_html = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return ParsedItem(
        guid=f"seed:{seed.file}",
        link=None,
        title=seed.title,
        summary="",
        content=seed.body,
        content_html=content_html,
        published=f"{seed.date}T12:00:00+00:00" if seed.date else None,
        published_estimated=seed.approximate,
        lang=seed.lang,
    )
