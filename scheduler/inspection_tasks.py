"""An estate inspection's notice and reminder, as due tasks.

Each sends nothing once the walk no longer holds as it was booked (scheduler.booked).
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from bot.flow import Settings
from bot.inspection_notices import send_notice
from models.inspections import NOTICE_TASK, REMINDER_TASK, Inspection
from models.schedule import ScheduledTask
from scheduler.booked import still_booked

log = logging.getLogger(__name__)


def send_inspection_notice(
    session: Session, task: ScheduledTask, now: datetime, settings: Settings
) -> None:
    inspection = still_booked(session, task, now, settings, kind=Inspection, id_key="inspection_id")
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
    inspection = still_booked(session, task, now, settings, kind=Inspection, id_key="inspection_id")
    if inspection is None:
        return
    notice_sent_at = inspection.notice_sent_at
    if notice_sent_at is None or notice_sent_at < inspection.reminder_due(settings.timezone):
        told = send_notice(session, inspection, "reminder", now=now, settings=settings)
        log.info("inspection %s: %d reminders queued", inspection.id, told)
    inspection.reminder_sent_at = now


HANDLERS = {NOTICE_TASK: send_inspection_notice, REMINDER_TASK: send_inspection_reminder}
