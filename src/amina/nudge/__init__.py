"""The daily evening nudge: a push to people with no report today whose deadline is near."""
