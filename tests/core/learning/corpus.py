"""A small constructed watchlist and corpus for the proposal tests, in French and English.

Drug violence abroad that the watchlist's topics highlight wherever it happens (false positives), a Marseille
killing whose only watched word is the city (a false negative), and ordinary Marseille news that must not be
highlighted by whatever fixes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from monitor.core.matching.watchlist import loads_watchlist
from monitor.core.models import ParsedItem
from monitor.core.service import VigieCore

WATCHLIST = """
version = 1

[[entry]]
name = "Marseille"
kind = "place"
weight = 2.0

[[entry]]
name = "drug trafficking"
kind = "topic"
aliases = ["drug trafficking", "narcotrafic", "trafic de drogue"]
weight = 3.0

[[entry]]
name = "murder"
kind = "topic"
aliases = ["murder", "meurtre", "killing"]
weight = 2.0

[[entry]]
name = "Amine Kessaci"
kind = "person"
weight = 6.0
"""

# key -> (title, summary)
ITEMS = {
    "mexico": (
        "Cartel killing in Culiacán as drug trafficking war rages in Sinaloa",
        "Gunmen shot a local police chief in the Mexican state, where two cartel factions fight.",
    ),
    "ecuador": (
        "Meurtre d'un procureur à Guayaquil, sur fond de narcotrafic",
        "En Équateur, le magistrat enquêtait sur les gangs du port.",
    ),
    "marseille_murder": (
        "Marseille: a murder linked to drug trafficking in the northern districts",
        "A 19-year-old was shot dead near a dealing point, police said.",
    ),
    "marseille_fr": (
        "Narcotrafic : un nouveau meurtre à Marseille",
        "Un homme de 24 ans a été tué par balles dans le 13e arrondissement.",
    ),
    "narchomicide": (
        "Narchomicide in Marseille: the DZ Mafia suspected after a night shooting",
        "Investigators believe the DZ Mafia ordered the attack on a rival network.",
    ),
    "dz_mafia": (
        "Enquête : la DZ Mafia recrute toujours plus jeune",
        "Les enquêteurs décrivent un clan qui paie des adolescents pour guetter.",
    ),
    "amra": (
        "Mohammed Amra's network: three arrests in Marseille",
        "Investigators say the fugitive's lieutenants kept dealing from prison. Mohammed Amra was caught in 2025.",
    ),
    "amra_trial": (
        "Procès de l'évasion de Mohammed Amra : les complices devant la cour",
        "Le commando avait tué deux agents pénitentiaires à Incarville.",
    ),
    "metro": (
        "Marseille metro trains clock up night-time test runs",
        "The driverless trains run after midnight.",
    ),
    "mucem": (
        "Marseille : le Mucem prépare une exposition sur les jardins",
        "Ouverture prévue au printemps.",
    ),
    "football": ("Marseille beat Nice 5-1 at the Vélodrome", "Greenwood scored twice in a one-sided match."),
    "weather": (
        "Mistral : vigilance vent fort sur les Bouches-du-Rhône",
        "Des rafales à 100 km/h sont attendues.",
    ),
}


def rss(keys: Sequence[str] = tuple(ITEMS)) -> bytes:
    """The items as an RSS 2.0 feed (guid and link from the key)."""
    entries = "".join(
        f"<item><title>{escape(ITEMS[k][0])}</title><link>https://constructed.example/{k}</link>"
        f"<guid>{k}</guid><description>{escape(ITEMS[k][1])}</description>"
        "<pubDate>Thu, 20 Nov 2025 10:00:00 GMT</pubDate></item>"
        for k in keys
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Constructed</title>'
        f"<link>https://constructed.example/</link><description>t</description>{entries}</channel></rss>"
    ).encode()


def use_watchlist(core: VigieCore, text: str = WATCHLIST) -> None:
    core.replace_watchlist(loads_watchlist(text))


def add_items(
    core: VigieCore, keys: Sequence[str] = tuple(ITEMS), items: dict[str, tuple[str, str]] = ITEMS
) -> dict[str, int]:
    """Store the items (scored by the core's matcher) as one feed's; returns key -> article id."""
    feed, _ = core.store.add_feed("https://constructed.example/rss")
    items = [
        ParsedItem(
            guid=key,
            link=f"https://constructed.example/{key}",
            title=items[key][0],
            summary=items[key][1],
            content="",
            content_html="",
            published="2025-11-20T10:00:00+00:00",
        )
        for key in keys
    ]
    pending = core.store.prepare(feed.url, items)
    assessed = [(p, core.matcher.assess(p.item.title, p.item.summary, p.item.content)) for p in pending]
    core.store.save_items(
        source=feed.url, feed_id=feed.id, items=assessed, fetched_at="2025-11-20T12:00:00+00:00", poll_id=1
    )
    rows = core.store.conn.execute("SELECT guid, id FROM articles WHERE feed_id = ?", (feed.id,)).fetchall()
    return {guid: int(article_id) for guid, article_id in rows}
