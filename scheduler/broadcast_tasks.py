"""Due tasks for broadcasts: a notice staff scheduled goes when its time comes.

The task only queues it: the sending window still holds a notice due at night until
09:00 (urgent ones excepted), and the dispatcher checks opt-outs as each one goes.
A broadcast sent by hand before its time has no task left to run.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from bot.flow import Settings
from models.broadcasts import Broadcast, BroadcastStatus
from models.schedule import ScheduledTask
from participation import broadcasts

log = logging.getLogger(__name__)


def send_scheduled_broadcast(
    session: Session, task: ScheduledTask, now: datetime, settings: Settings
) -> None:
    broadcast = session.get(Broadcast, int(task.payload["broadcast_id"]))
    if broadcast is None or broadcast.status != BroadcastStatus.SCHEDULED:
        log.info("task %s no longer holds: nothing sent", task.key)
        return
    queued = broadcasts.send(session, broadcast, now=now, settings=settings)
    log.info("broadcast %s: %d notices queued", broadcast.id, queued)


HANDLERS = {broadcasts.SEND_TASK: send_scheduled_broadcast}
