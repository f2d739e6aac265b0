"""Polls and consultations."""
