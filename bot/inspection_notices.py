"""What tenants hear about an estate inspection, composed in their language and queued.

Every function queues outbox rows in the caller's transaction (through bot.notices, so
they wait for the sending window and are checked against the tenant's consent for
inspection messages when sent) and returns how many it queued.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy.orm import Session

from bot.flow import Settings
from models.inspections import Inspection, InspectionFinding


def send_notice(
    session: Session,
    inspection: Inspection,
    which: Literal["notice", "reminder"],
    *,
    now: datetime,
    settings: Settings,
) -> int:
    """The notice (or reminder) to the area's audience; each is recorded as told."""
    raise NotImplementedError


def tell_moved(
    session: Session, inspection: Inspection, *, now: datetime, settings: Settings
) -> int:
    """The new time and place, to everyone already told about the walk."""
    raise NotImplementedError


def tell_cancelled(
    session: Session, inspection: Inspection, *, now: datetime, settings: Settings
) -> int:
    """The walk is off: to everyone already told about it."""
    raise NotImplementedError


def send_after_summary(
    session: Session, inspection: Inspection, *, now: datetime, settings: Settings
) -> int:
    """After closing: the short summary to the area, and each reporter their report's outcome."""
    raise NotImplementedError


def tell_action_done(
    session: Session, finding: InspectionFinding, *, now: datetime, settings: Settings
) -> int:
    """A finding's action is done: each tenant whose report it answers hears so, once."""
    raise NotImplementedError


def full_list(language: str, inspection: Inspection, *, settings: Settings) -> list[str]:
    """MORE: every finding of the walk, one short SMS each (at most 2 segments apiece)."""
    raise NotImplementedError
