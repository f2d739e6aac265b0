"""The check an event's and an estate walk's due tasks share before they send anything.

Each task carries the start time it was booked for. Staff may have moved, cancelled or
closed the event or walk since: then the task holds no longer and sends nothing, and
the new tasks (booked under the same keys) speak for the new time. A message the
sending window would hold until the event or walk has begun is not sent either.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Protocol, TypeVar

from sqlalchemy.orm import Session

from bot.flow import Settings
from models.schedule import ScheduledTask

log = logging.getLogger(__name__)


class Booked(Protocol):
    """Something tenants come to at a time: an event or an estate walk."""

    @property
    def starts_at(self) -> datetime: ...

    @property
    def open(self) -> bool: ...


Row = TypeVar("Row", bound=Booked)


def still_booked(
    session: Session,
    task: ScheduledTask,
    now: datetime,
    settings: Settings,
    *,
    kind: type[Row],
    id_key: str,
) -> Row | None:
    """The event or walk the task is for (its id under ``id_key`` in the task's payload);
    None if it was moved, called off or closed since, or if it would begin before the
    sending window let the message go."""
    booked = session.get(kind, int(task.payload[id_key]))
    if booked is None or not _holds(booked, task):
        log.info("task %s no longer holds: nothing sent", task.key)
        return None
    if settings.sending_window.first_moment(now) >= booked.starts_at:
        log.info("task %s would arrive after it began: nothing sent", task.key)
        return None
    return booked


def _holds(booked: Booked, task: ScheduledTask) -> bool:
    """Whether the task was booked for the time as it stands now, and it is still on."""
    return booked.open and task.payload.get("starts_at") == booked.starts_at.isoformat()
