"""Imports every table module so that Base.metadata is complete (migrations, tests)."""

from models import consent, conversations, messages, schedule, staff, tenants
from models.base import Base

metadata = Base.metadata

__all__ = ["consent", "conversations", "messages", "metadata", "schedule", "staff", "tenants"]
