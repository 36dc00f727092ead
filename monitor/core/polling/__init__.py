"""Keeping the store current: one poll, the schedule, alerts, re-scoring, feed discovery."""
