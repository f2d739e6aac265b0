"""Due tasks for polls: the one reminder to those who have not voted, and the closing.

Each task carries the closing time it was booked for. A poll closed early has its
tasks cancelled; one whose task no longer matches it does nothing. A reminder that
would wait for the sending window until after the close is not sent.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from bot.flow import Settings
from models.polls import CLOSE_TASK, REMINDER_TASK, Poll, close_poll
from models.schedule import ScheduledTask
from participation import poll_steps

log = logging.getLogger(__name__)


def send_poll_reminder(
    session: Session, task: ScheduledTask, now: datetime, settings: Settings
) -> None:
    poll = _poll(session, task)
    if poll is None or poll.reminder_sent_at is not None or not poll.open_at(now):
        log.info("task %s no longer holds: nothing sent", task.key)
        return
    if settings.sending_window.first_moment(now) >= poll.closes_at:
        log.info("task %s would arrive after the poll closed: nothing sent", task.key)
        return
    told = poll_steps.remind_all(session, poll, now=now, settings=settings)
    log.info("poll %s: %d reminders queued", poll.id, told)


def close_poll_at_its_time(
    session: Session, task: ScheduledTask, now: datetime, _settings: Settings
) -> None:
    poll = _poll(session, task)
    if poll is not None and close_poll(session, poll, now=max(now, poll.closes_at)):
        log.info("poll %s closed", poll.id)


def _poll(session: Session, task: ScheduledTask) -> Poll | None:
    poll = session.get(Poll, int(task.payload["poll_id"]))
    if poll is None or task.payload.get("closes_at") != poll.closes_at.isoformat():
        return None
    return poll


HANDLERS = {REMINDER_TASK: send_poll_reminder, CLOSE_TASK: close_poll_at_its_time}
