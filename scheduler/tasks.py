"""Running the tasks that fall due, each once, whenever the scheduler gets to them.

A task due while the scheduler was down is simply due, and runs at the next
round. A task that raises is marked failed with the reason, and the others go
on. Each kind of task is one function, registered here by its kind; each gets
the bot's settings, for the landlord's name, the time zone and the sending window.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from bot import wording
from bot.flow import Settings
from models.media import purge_before
from models.messages import InboundRecord, OutboundRecord
from models.schedule import ScheduledTask, TaskStatus, claim_due_tasks, schedule
from scheduler.broadcast_tasks import HANDLERS as BROADCAST_HANDLERS
from scheduler.event_tasks import HANDLERS as EVENT_HANDLERS
from scheduler.inspection_tasks import HANDLERS as INSPECTION_HANDLERS
from scheduler.mystery_shop_tasks import HANDLERS as MYSTERY_SHOP_HANDLERS
from scheduler.poll_tasks import HANDLERS as POLL_HANDLERS
from scheduler.repair_tasks import HANDLERS as REPAIR_HANDLERS

log = logging.getLogger(__name__)
TaskHandler = Callable[[Session, ScheduledTask, datetime, Settings], None]
PURGED = ""
PURGE_KEY = "purge-message-bodies"
PURGE_AT = time(3, 0)
DEFAULT_SETTINGS = Settings()  # frozen: safe to share


def purge_message_bodies(
    session: Session, task: ScheduledTask, now: datetime, settings: Settings
) -> None:
    """Blank message bodies older than the retention period, and drop their files; then book
    tomorrow's run."""
    cutoff = now - timedelta(days=float(task.payload.get("retention_days", 365)))
    purge_before(session, cutoff)
    session.execute(
        update(InboundRecord).where(InboundRecord.received_at < cutoff).values(body=PURGED, raw={})
    )
    session.execute(
        update(OutboundRecord).where(OutboundRecord.created_at < cutoff).values(body=PURGED)
    )
    book_purge(
        session,
        now=now,
        zone=settings.timezone,
        retention_days=float(task.payload.get("retention_days", 365)),
    )


def book_purge(session: Session, *, now: datetime, zone: ZoneInfo, retention_days: float) -> None:
    """The next nightly purge, at 03:00 local time, under one stable key."""
    local = now.astimezone(zone)
    due = datetime.combine(local.date() + timedelta(days=1), PURGE_AT, tzinfo=zone)
    schedule(
        session,
        key=PURGE_KEY,
        kind="purge_message_bodies",
        due_at=due,
        payload={"retention_days": retention_days},
    )


HANDLERS: dict[str, TaskHandler] = {
    "purge_message_bodies": purge_message_bodies,
    **MYSTERY_SHOP_HANDLERS,
    **INSPECTION_HANDLERS,
    **EVENT_HANDLERS,
    **BROADCAST_HANDLERS,
    **POLL_HANDLERS,
    **REPAIR_HANDLERS,
}


def run_due_tasks(
    session_factory: sessionmaker[Session],
    now: datetime,
    *,
    settings: Settings = DEFAULT_SETTINGS,
    limit: int = 100,
) -> int:
    """Run every task due by ``now`` that has not run; returns how many ran."""
    ran = 0
    while True:
        with session_factory.begin() as session:
            wording.refresh(session)  # tasks word their messages as staff last left them
            tasks = claim_due_tasks(session, now=now, limit=1)
            if not tasks:
                return ran
            _run(session, tasks[0], now, settings)
        ran += 1
        if ran >= limit:
            return ran


def _run(session: Session, task: ScheduledTask, now: datetime, settings: Settings) -> None:
    handler = HANDLERS.get(task.kind)
    if handler is None:
        task.status, task.error = TaskStatus.FAILED, f"no handler for {task.kind}"
        return
    task.status, task.done_at = TaskStatus.DONE, now
    try:
        with session.begin_nested():
            handler(session, task, now, settings)
    except Exception as exc:
        log.exception("task %s failed", task.key)
        task.status, task.error = TaskStatus.FAILED, type(exc).__name__
