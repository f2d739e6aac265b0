"""An event's invitation (for the later events of a series) and its reminders, as due tasks.

Each task carries the start time it was booked for. Staff may have moved or cancelled
the event since: then the task holds no longer and sends nothing, and the event's new
tasks (booked under the same keys) speak for the new time.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from bot.event_notices import send_invitation, send_reminder
from bot.flow import Settings
from models.events import INVITATION_TASK, REMINDER_TASK, Event, task_still_holds
from models.schedule import ScheduledTask

log = logging.getLogger(__name__)


def send_event_invitation(
    session: Session, task: ScheduledTask, now: datetime, settings: Settings
) -> None:
    event = _event(session, task, now, settings)
    if event is None or event.invited_at is not None:
        return
    invited = send_invitation(session, event, now=now, settings=settings)
    log.info("event %s: %d invitations queued", event.id, invited)


def send_event_reminder(
    session: Session, task: ScheduledTask, now: datetime, settings: Settings
) -> None:
    event = _event(session, task, now, settings)
    if event is None:
        return
    which = str(task.payload.get("which", "day-before"))
    reminded = send_reminder(session, event, which, now=now, settings=settings)
    log.info("event %s: %d %s reminders queued", event.id, reminded, which)


def _event(
    session: Session, task: ScheduledTask, now: datetime, settings: Settings
) -> Event | None:
    """The event the task is for; None if it was moved or cancelled since, or if the
    sending window would hold the message until the event has begun."""
    event = session.get(Event, int(task.payload["event_id"]))
    if event is None or not task_still_holds(event, task.payload):
        log.info("task %s no longer holds: nothing sent", task.key)
        return None
    if settings.sending_window.first_moment(now) >= event.starts_at:
        log.info("task %s would arrive after the event began: nothing sent", task.key)
        return None
    return event


HANDLERS = {INVITATION_TASK: send_event_invitation, REMINDER_TASK: send_event_reminder}
