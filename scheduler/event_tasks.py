"""An event's invitation (for the later events of a series) and its reminders, as due tasks.

Each sends nothing once the event no longer holds as it was booked (scheduler.booked).
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from bot.event_notices import send_invitation, send_reminder
from bot.flow import Settings
from models.events import INVITATION_TASK, REMINDER_TASK, Event
from models.schedule import ScheduledTask
from scheduler.booked import still_booked

log = logging.getLogger(__name__)


def send_event_invitation(
    session: Session, task: ScheduledTask, now: datetime, settings: Settings
) -> None:
    event = still_booked(session, task, now, settings, kind=Event, id_key="event_id")
    if event is None or event.invited_at is not None:
        return
    invited = send_invitation(session, event, now=now, settings=settings)
    log.info("event %s: %d invitations queued", event.id, invited)


def send_event_reminder(
    session: Session, task: ScheduledTask, now: datetime, settings: Settings
) -> None:
    event = still_booked(session, task, now, settings, kind=Event, id_key="event_id")
    if event is None:
        return
    which = str(task.payload.get("which", "day-before"))
    reminded = send_reminder(session, event, which, now=now, settings=settings)
    log.info("event %s: %d %s reminders queued", event.id, reminded, which)


HANDLERS = {INVITATION_TASK: send_event_invitation, REMINDER_TASK: send_event_reminder}
