"""The monitoring sweep at city scale (issue 4): `python -m bench.sweep --help`."""
