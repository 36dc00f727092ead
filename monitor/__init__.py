"""Vigie: a private desktop media monitor (seed corpus, feed polling, watchlist, tray alerts)."""

__version__ = "0.1.0"
APP_NAME = "Vigie"
USER_AGENT = f"Vigie/{__version__} (desktop feed monitor; +https://example.invalid/vigie)"
