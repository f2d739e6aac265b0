"""Imports every table module so that Base.metadata is complete (migrations, tests)."""

from models import (
    consent,
    conversations,
    inspections,
    messages,
    mystery_shopping,
    schedule,
    staff,
    tenants,
)
from models.base import Base

metadata = Base.metadata

__all__ = [
    "consent",
    "conversations",
    "inspections",
    "messages",
    "metadata",
    "mystery_shopping",
    "schedule",
    "staff",
    "tenants",
]
