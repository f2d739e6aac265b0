"""Alembic migrations for every table in models/."""
