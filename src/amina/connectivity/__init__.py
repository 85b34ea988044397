"""Mobile-internet shutdowns by area (rules.md §9): declared outages that move deadlines."""
