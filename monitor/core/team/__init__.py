"""Team mode on a shared PostgreSQL database (issue 19, docs/TEAM.md): the shared watchlist and the alerts pushed
to every client (LISTEN/NOTIFY). Per-analyst states and the audit are the store's (storage/team.py)."""
