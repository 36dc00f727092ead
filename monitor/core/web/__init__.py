"""HTTP: fetching feeds and pages with timeouts, a size cap, conditional GET and per-host politeness."""
