"""Invented reports for the story tests (a Lyon scenario, written for these tests; not the dev set's items).

Each report is (key, language, published UTC, title, text). Feeds are RSS 2.0 documents built from them.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

Report = tuple[str, str, str, str, str]

ORIGINAL: Report = (
    "original",
    "fr",
    "2026-02-10T14:05:00+00:00",
    "Lyon : un homme de 34 ans tué par balles à la Duchère",
    "Un homme de 34 ans a été tué par balles mardi en début d’après-midi sur la place Abbé-Pierre, à la "
    "Duchère, dans le 9e arrondissement de Lyon. Deux individus circulant en scooter ont ouvert le feu avant de "
    "prendre la fuite vers Écully. La victime, Karim Benhaddou, était connue des services de police pour trafic "
    "de stupéfiants. La police judiciaire a été saisie de l’enquête.",
)
REPRINT: Report = (
    "reprint",
    "fr",
    "2026-02-10T15:20:00+00:00",
    "Règlement de comptes à la Duchère : la victime avait 34 ans",
    "Lyon (AFP) - Un homme de 34 ans a été tué par balles mardi en début d'après-midi sur la place "
    "Abbé-Pierre, à la Duchère, dans le 9e arrondissement de Lyon. Deux individus circulant en scooter ont "
    "ouvert le feu avant de prendre la fuite vers Écully.\nÀ lire aussi : Trafic de drogue, la carte des points "
    "de deal\nLa victime, Karim Benhaddou, était connue des services de police pour trafic de stupéfiants.",
)
REWRITE: Report = (
    "rewrite",
    "fr",
    "2026-02-10T16:40:00+00:00",
    "Fusillade mortelle à la Duchère, les tireurs en fuite",
    "Nouvel homicide à Lyon : Karim Benhaddou, 34 ans, a été abattu mardi place Abbé-Pierre dans le quartier "
    "de la Duchère (9e). Les deux tireurs, à scooter, se sont enfuis en direction d'Écully. Déjà défavorablement "
    "connu pour des affaires de drogue, il est mort sur place malgré l'arrivée rapide des secours.",
)
TRANSLATION: Report = (
    "translation",
    "en",
    "2026-02-10T17:30:00+00:00",
    "Man, 34, shot dead in Lyon's La Duchère district",
    "A 34-year-old man, Karim Benhaddou, was shot dead on Tuesday afternoon on Place Abbé-Pierre in La "
    "Duchère, in Lyon's 9th arrondissement. Two people on a scooter opened fire and fled towards Écully, police "
    "said. The victim was known to police for drug trafficking.",
)
UPDATE: Report = (
    "update",
    "fr",
    "2026-02-10T21:15:00+00:00",
    "Fusillade de la Duchère : un passant de 52 ans également blessé",
    "Un passant de 52 ans a été blessé à l'épaule lors de la fusillade qui a coûté la vie à Karim Benhaddou, "
    "34 ans, mardi à la Duchère, dans le 9e arrondissement de Lyon. Hospitalisé à Édouard-Herriot, ses jours ne "
    "sont pas en danger. Le procureur Thierry Dran a annoncé l'ouverture d'une information judiciaire.",
)
# Hard negatives.
WEEK_LATER: Report = (
    "week-later",
    "fr",
    "2026-02-17T22:40:00+00:00",
    "Lyon : un jeune de 19 ans abattu à la Duchère",
    "Un jeune homme de 19 ans a été tué par balles mardi soir au pied d'un immeuble de l'avenue du Plateau, à "
    "la Duchère, dans le 9e arrondissement de Lyon. Le tireur a pris la fuite à pied. Le quartier avait déjà "
    "connu un homicide une semaine plus tôt. La brigade criminelle est chargée de l'enquête.",
)
SAME_PROSECUTOR: Report = (
    "prosecutor",
    "fr",
    "2026-02-11T10:30:00+00:00",
    "Thierry Dran annonce le démantèlement d'un réseau de cocaïne à Villeurbanne",
    "Le procureur de Lyon Thierry Dran a présenté mercredi matin le bilan d'une opération contre un réseau de "
    "revente de cocaïne à Villeurbanne. Onze personnes ont été interpellées et 4 kilos de cocaïne saisis dans "
    "un garage du quartier Saint-Jean. Le réseau écoulait selon lui près de 3 000 euros de drogue par jour.",
)
COLUMN_ONE: Report = (
    "column-one",
    "fr",
    "2026-02-09T06:00:00+00:00",
    "Le point sécurité de la semaine : du 2 au 8 février",
    "Chaque lundi, notre rédaction revient sur l'actualité de la sécurité à Lyon. Au sommaire : un incendie "
    "de voitures à Vaulx-en-Velin, un contrôle routier qui tourne mal à Bron et la fermeture d'un bar de la "
    "Guillotière. Nous donnons aussi la parole à un commerçant de la Croix-Rousse.",
)
COLUMN_TWO: Report = (
    "column-two",
    "fr",
    "2026-02-16T06:00:00+00:00",
    "Le point sécurité de la semaine : du 9 au 15 février",
    "Chaque lundi, notre rédaction revient sur l'actualité de la sécurité à Lyon. Au sommaire : la fusillade "
    "mortelle de la Duchère, le démantèlement d'un réseau de cocaïne à Villeurbanne et une course-poursuite "
    "sur le périphérique. Nous donnons aussi la parole à une infirmière des urgences.",
)
# A development three weeks later: another story, the same thread.
ARRESTS: Report = (
    "arrests",
    "fr",
    "2026-03-03T09:10:00+00:00",
    "Meurtre de Karim Benhaddou à la Duchère : deux suspects mis en examen",
    "Deux hommes de 21 et 23 ans ont été mis en examen pour assassinat et placés en détention provisoire "
    "dans l'enquête sur la mort de Karim Benhaddou, 34 ans, tué par balles le 10 février place Abbé-Pierre à la "
    "Duchère. Ils avaient été interpellés samedi à Écully. Le scooter des tireurs a été retrouvé dans un box.",
)
EVENT = [ORIGINAL, REPRINT, REWRITE, TRANSLATION, UPDATE]


def rss(reports: list[Report], site: str = "https://news.example.org") -> bytes:
    """An RSS 2.0 document with one item per report (the link is the site and the report's key)."""
    items = "".join(
        f"<item><title>{escape(title)}</title><link>{site}/{key}</link><guid>{site}/{key}</guid>"
        f"<pubDate>{_rfc822(published)}</pubDate><description>{escape(_html(text))}</description></item>"
        for key, _, published, title, text in reports
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{site}</title>'
        f"<link>{site}</link><description>test</description>{items}</channel></rss>"
    ).encode()


def _html(text: str) -> str:
    return "".join(f"<p>{escape(line)}</p>" for line in text.split("\n"))


def _rfc822(published: str) -> str:
    from datetime import datetime
    from email.utils import format_datetime

    return format_datetime(datetime.fromisoformat(published))
