"""An estate inspection's notice and reminder, as due tasks.

Each task carries the start time it was booked for. Staff may have moved, cancelled or
closed the walk since: then the task holds no longer and sends nothing, and the walk's
new tasks (booked under the same keys) speak for the new time.
"""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.flow import Settings
from bot.inspection_notices import send_notice
from models.inspections import NOTICE_TASK, REMINDER_TASK, Inspection, task_still_holds
from models.schedule import ScheduledTask

log = logging.getLogger(__name__)


def send_inspection_notice(
    session: Session, task: ScheduledTask, now: datetime, settings: Settings
) -> None:
    inspection = _inspection(session, task, now, settings)
    if inspection is None:
        return
    told = send_notice(session, inspection, "notice", now=now, settings=settings)
    inspection.notice_sent_at = now
    log.info("inspection %s: %d notices queued", inspection.id, told)


def send_inspection_reminder(
    session: Session, task: ScheduledTask, now: datetime, settings: Settings
) -> None:
    """The reminder, unless the notice itself went out after the reminder's time.

    That happens when a walk is booked at short notice or the scheduler was down for
    both: a second message straight after the first would tell nobody anything new.
    """
    inspection = _inspection(session, task, now, settings)
    if inspection is None:
        return
    notice_sent_at = inspection.notice_sent_at
    if notice_sent_at is None or notice_sent_at < inspection.reminder_due(
        ZoneInfo(settings.timezone)
    ):
        told = send_notice(session, inspection, "reminder", now=now, settings=settings)
        log.info("inspection %s: %d reminders queued", inspection.id, told)
    inspection.reminder_sent_at = now


def _inspection(
    session: Session, task: ScheduledTask, now: datetime, settings: Settings
) -> Inspection | None:
    """The walk the task is for; None if it was moved, cancelled or closed since, or if
    the sending window would hold the message until the walk has begun."""
    inspection = session.get(Inspection, int(task.payload["inspection_id"]))
    if inspection is None or not task_still_holds(inspection, task.payload):
        log.info("task %s no longer holds: nothing sent", task.key)
        return None
    if settings.sending_window.first_moment(now) >= inspection.starts_at:
        log.info("task %s would arrive after the walk began: nothing sent", task.key)
        return None
    return inspection


HANDLERS = {NOTICE_TASK: send_inspection_notice, REMINDER_TASK: send_inspection_reminder}
