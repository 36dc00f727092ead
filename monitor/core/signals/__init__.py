"""Signals (issue 17): what is changing. Mention timelines, spike alerts and emerging names, read from the
indexed counts the store keeps at ingest and re-score (storage/signal_counts.py), never by scanning text."""
