"""Plumbing every layer may use: the clock, atomic file writes, worker processes, thread priority, autostart."""
