"""Satisfaction surveys after a repair."""
