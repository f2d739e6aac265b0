"""Imports every table module so that Base.metadata is complete (migrations, tests)."""

from models import (
    broadcasts,
    consent,
    conversations,
    events,
    inspections,
    involvement,
    messages,
    mystery_shopping,
    polls,
    repairs,
    schedule,
    staff,
    tenants,
    wording,
)
from models.base import Base

metadata = Base.metadata

__all__ = [
    "broadcasts",
    "consent",
    "conversations",
    "events",
    "inspections",
    "involvement",
    "messages",
    "metadata",
    "mystery_shopping",
    "polls",
    "repairs",
    "schedule",
    "staff",
    "tenants",
    "wording",
]
