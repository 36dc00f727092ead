"""What the analyst keeps as evidence: cases of pinned articles with notes, their reports, profile backups."""
