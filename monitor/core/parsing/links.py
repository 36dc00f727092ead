"""The identity of an article: its link without campaign parameters, and a hash of its text."""

from __future__ import annotations

import hashlib
from urllib.parse import unquote, urlsplit, urlunsplit

_TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid", "mc_cid",
        "mc_eid", "xtor", "xtref", "ref", "ref_src", "ref_url", "cmpid", "cmp", "ocid", "ncid", "sr_share",
        "_ga", "_gl", "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_id", "wt.mc_id", "ito", "icid",
        "ns_mchannel", "ns_source", "ns_campaign", "ns_linkname", "ns_fee", "spm", "at_medium", "at_campaign",
    }
)  # fmt: skip
_TRACKING_PREFIXES = ("utm_", "at_", "pk_", "mtm_", "hsa_")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _is_tracking_param(piece: str) -> bool:
    name = unquote(piece.split("=", 1)[0]).strip().lower()
    return name in _TRACKING_PARAMS or name.startswith(_TRACKING_PREFIXES)


def canonical_link(url: str) -> str:
    """The same article whatever the campaign: lower-case scheme and host, no fragment, no default port, no
    tracking parameters (utm_*, fbclid, xtor...); other parameters keep their order and spelling.

    Never raises: a URL that cannot be parsed comes back stripped of surrounding whitespace.
    """
    try:
        url = url.strip()
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        netloc = parts.netloc
        if netloc:
            host = parts.hostname or ""
            if ":" in host:
                host = f"[{host}]"
            port = parts.port  # ValueError for a bad port: the URL comes back as it was
            userinfo = netloc.rpartition("@")[0] if "@" in netloc else ""
            netloc = (userinfo + "@" if userinfo else "") + host
            if port is not None and port != _DEFAULT_PORTS.get(scheme):
                netloc += f":{port}"
        path = parts.path
        if not path and netloc and scheme in _DEFAULT_PORTS:
            path = "/"
        query = "&".join(p for p in parts.query.split("&") if p and not _is_tracking_param(p))
        return urlunsplit((scheme, netloc, path, query, ""))
    except Exception:
        return url.strip() if isinstance(url, str) else ""


def content_hash(*parts: str) -> str:
    """SHA-256 (hex) of the parts, whitespace collapsed and case folded, so cosmetic edits do not count."""
    normalised = "\x1f".join(" ".join((part or "").split()).casefold() for part in parts)
    return hashlib.sha256(normalised.encode("utf-8", "surrogatepass")).hexdigest()
