"""The watchlist and what it finds: accent and case folding, entries and rules, the matcher, suggestions."""
