"""Learning from the analyst: the watchlist change that agrees with their judgements (issue 15)."""
