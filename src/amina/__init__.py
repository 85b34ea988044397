"""Amina: the location-accounting regime for foreign workers in Moscow and Moscow Oblast."""

__version__ = "0.1.0"
