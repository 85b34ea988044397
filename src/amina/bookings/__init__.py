"""Appointments at the MMC (rules.md §8): services, slots, bookings, closures and arrivals."""
