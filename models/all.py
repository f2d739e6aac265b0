"""Imports every table module so that Base.metadata is complete (migrations, tests)."""

from models import (
    audit,
    broadcasts,
    consent,
    conversations,
    events,
    inspections,
    involvement,
    link_codes,
    media,
    messages,
    mystery_shopping,
    polls,
    repairs,
    schedule,
    staff,
    tenants,
    tombstones,
    wording,
)
from models.base import Base

metadata = Base.metadata

__all__ = [
    "audit",
    "broadcasts",
    "consent",
    "conversations",
    "events",
    "inspections",
    "involvement",
    "link_codes",
    "media",
    "messages",
    "metadata",
    "mystery_shopping",
    "polls",
    "repairs",
    "schedule",
    "staff",
    "tenants",
    "tombstones",
    "wording",
]
