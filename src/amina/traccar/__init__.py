"""Traccar Client (OsmAnd protocol): a long random device id is its only credential."""
