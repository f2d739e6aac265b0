"""Work due on a date, kept in the database beside the data it concerns.

A task is written in the same transaction as the inspection or event that
needs it, under a stable key, so moving the event replaces the task instead of
adding a second one. The scheduler runs whatever is due and not yet done, so a
task whose time passed while the scheduler was down still runs, once.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base


class TaskStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    CANCELLED = "cancelled"
    FAILED = "failed"


class ScheduledTask(Base):
    __tablename__ = "scheduled_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    due_at: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(12), default=TaskStatus.PENDING)
    done_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(String(200))


def schedule(
    session: Session, *, key: str, kind: str, due_at: datetime, payload: dict[str, Any]
) -> ScheduledTask:
    """Put a task on the calendar, replacing the pending one under the same key."""
    task = session.scalar(select(ScheduledTask).where(ScheduledTask.key == key))
    if task is None:
        task = ScheduledTask(key=key, kind=kind)
        session.add(task)
    task.due_at, task.payload, task.status, task.error = due_at, payload, TaskStatus.PENDING, None
    return task


def cancel(session: Session, key: str) -> None:
    task = session.scalar(select(ScheduledTask).where(ScheduledTask.key == key))
    if task is not None and task.status == TaskStatus.PENDING:
        task.status = TaskStatus.CANCELLED


def claim_due_tasks(session: Session, *, now: datetime, limit: int) -> list[ScheduledTask]:
    return list(
        session.scalars(
            select(ScheduledTask)
            .where(ScheduledTask.status == TaskStatus.PENDING, ScheduledTask.due_at <= now)
            .order_by(ScheduledTask.due_at, ScheduledTask.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
