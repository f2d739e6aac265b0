"""Notices and broadcasts."""
