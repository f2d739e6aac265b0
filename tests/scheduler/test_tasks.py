"""Due tasks: kept in the database, run once, caught up after the scheduler was down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.flow import Settings
from bot.sending_window import UK_TIME
from models.messages import InboundRecord
from models.schedule import ScheduledTask, TaskStatus, schedule
from scheduler.dispatcher import Dispatcher
from scheduler.process import SchedulerProcess
from scheduler.tasks import HANDLERS, PURGE_KEY, book_purge, run_due_tasks
from tests.helpers import Clock, Phone


def tasks(db: Session) -> list[ScheduledTask]:
    db.expire_all()
    return list(db.scalars(select(ScheduledTask).order_by(ScheduledTask.id)))


def test_the_nightly_purge_is_booked_for_three_in_the_morning_london_time_across_dst(
    db: Session,
) -> None:
    before_the_clocks_change = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
    book_purge(db, now=before_the_clocks_change, zone=UK_TIME, retention_days=365)
    db.commit()
    (task,) = tasks(db)
    assert task.due_at == datetime(2026, 3, 29, 2, 0, tzinfo=UTC)  # 03:00 BST


def test_a_task_due_while_the_scheduler_was_down_runs_once_when_it_comes_back(
    phone: Phone, db: Session, sessions: sessionmaker[Session], clock: Clock
) -> None:
    phone.text("My stair light is broken")
    book_purge(db, now=clock(), zone=UK_TIME, retention_days=30)
    db.commit()
    clock.advance(days=40)  # the scheduler was down for the whole time
    assert run_due_tasks(sessions, clock()) == 1
    assert run_due_tasks(sessions, clock()) == 0
    db.expire_all()
    assert [m.body for m in db.scalars(select(InboundRecord))] == [""]
    (task,) = tasks(db)
    assert task.status == TaskStatus.PENDING and task.due_at > clock()


def test_a_failing_task_is_marked_with_its_reason_and_the_others_still_run(
    db: Session, sessions: sessionmaker[Session], clock: Clock
) -> None:
    schedule(db, key="a", kind="no_such_kind", due_at=clock(), payload={})
    schedule(
        db, key="b", kind="purge_message_bodies", due_at=clock(), payload={"retention_days": 1}
    )
    db.commit()
    assert run_due_tasks(sessions, clock()) == 2
    by_key = {task.key: task for task in tasks(db)}
    assert by_key["a"].status == TaskStatus.FAILED and "no handler" in (by_key["a"].error or "")
    assert by_key["b"].status == TaskStatus.DONE and by_key["b"].done_at == clock()
    assert by_key[PURGE_KEY].status == TaskStatus.PENDING


def test_a_task_whose_handler_raises_fails_alone(
    db: Session, sessions: sessionmaker[Session], clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*_args: object) -> None:
        raise ValueError("boom")

    monkeypatch.setitem(HANDLERS, "explode", explode)
    schedule(db, key="x", kind="explode", due_at=clock(), payload={})
    db.commit()
    run_due_tasks(sessions, clock())
    (task,) = tasks(db)
    assert task.status == TaskStatus.FAILED and task.error == "ValueError"


def test_moving_a_task_replaces_it_under_its_key(db: Session, clock: Clock) -> None:
    schedule(db, key="reminder-1", kind="purge_message_bodies", due_at=clock(), payload={})
    schedule(
        db,
        key="reminder-1",
        kind="purge_message_bodies",
        due_at=clock() + timedelta(days=2),
        payload={},
    )
    db.commit()
    (task,) = tasks(db)
    assert task.due_at == clock() + timedelta(days=2)


def test_the_scheduler_process_catches_up_at_start_and_books_the_purge_once(
    db: Session, sessions: sessionmaker[Session], clock: Clock
) -> None:
    schedule(
        db,
        key="late",
        kind="purge_message_bodies",
        due_at=clock() - timedelta(hours=5),
        payload={"retention_days": 365},
    )
    db.commit()
    process = SchedulerProcess(
        sessions,
        Dispatcher(sessions, {}, clock),
        clock,
        settings=Settings(),
        retention_days=365,
    )
    process.start()
    process.stop()
    by_key = {task.key: task for task in tasks(db)}
    assert by_key["late"].status == TaskStatus.DONE and by_key["late"].done_at == clock()
    assert by_key[PURGE_KEY].status == TaskStatus.PENDING
    process.book_standing_tasks()
    assert len(tasks(db)) == 2


def test_a_failed_nightly_purge_is_booked_again_on_the_next_round(
    db: Session, sessions: sessionmaker[Session], clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    process = SchedulerProcess(
        sessions, Dispatcher(sessions, {}, clock), clock, settings=Settings(), retention_days=1
    )
    process.book_standing_tasks()

    def explode(*_args: object) -> None:
        raise ValueError("disk full")

    monkeypatch.setitem(HANDLERS, "purge_message_bodies", explode)
    clock.advance(days=2)
    process.run_due()
    monkeypatch.undo()
    process.run_due()
    (purge,) = [task for task in tasks(db) if task.key == PURGE_KEY]
    assert purge.status == TaskStatus.PENDING and purge.due_at > clock()
