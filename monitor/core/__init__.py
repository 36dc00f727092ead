"""Vigie's Qt-free core: store, fetch, parse, watchlist, matcher, poller. Never imports Qt."""
