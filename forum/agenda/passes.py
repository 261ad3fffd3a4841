"""passes routes of the agenda blueprint (filled in by the delegate agenda work)."""
