"""Due tasks for repair surveys: the survey the day after the repair was finished.

The task is booked under the repair's own key when it is registered; the notice it
queues waits for the sending window (so a late scheduler or a bank holiday only
delays it), and a repair already surveyed is never asked about twice.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from bot.flow import Settings
from models.repairs import SURVEY_TASK, Repair
from models.schedule import ScheduledTask
from participation.repair_notices import send_survey

log = logging.getLogger(__name__)


def send_repair_survey(
    session: Session, task: ScheduledTask, now: datetime, settings: Settings
) -> None:
    repair = session.get(Repair, int(task.payload["repair_id"]))
    if repair is None:
        log.info("task %s: the repair is gone, nothing sent", task.key)
        return
    if not send_survey(session, repair, now=now, settings=settings):
        log.info("task %s: no survey sent (already sent, or no way to reach the tenant)", task.key)


HANDLERS = {SURVEY_TASK: send_repair_survey}
