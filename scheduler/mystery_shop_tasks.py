"""The monthly mystery shop invitation and its one reminder, as due tasks.

Each month's invitation is a task under its own key (``mystery-shop-invitation-2026-03``),
so booking it twice books it once and a task that already ran is never booked again.
Running it books the next month's, so the chain carries on by itself; the scheduler's
standing tasks book the first one and refresh the next with the current settings.

Invitations are information with the word to answer (SHOP), never a question, so one
that lands mid-way through another conversation does not break it. They wait for the
sending window like any notice. An invitation caught up only after its month is over
is not sent: it would invite to the wrong month.
"""

from __future__ import annotations

import calendar
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import catalogue
from bot.flow import Settings
from bot.message_kinds import MessageKind, declare
from bot.notices import queue_notices
from bot.sending_window import UK_TIME
from models.consent import Topic, accepting
from models.mystery_shopping import check_in_for, find_check_in, month_of
from models.schedule import ScheduledTask, TaskStatus, schedule
from models.tenants import (
    CALLING_LANDLINES,
    Recipient,
    Role,
    Tenant,
    TenantRole,
    lock_tenant,
    recipients,
)

log = logging.getLogger(__name__)
INVITATION = "mystery_shop_invitation"
REMINDER = "mystery_shop_reminder"
SHOP_BY_PHONE = "SHOP"  # an invitation phoned to a landline: press 1 to start the check-in
INVITATION_TEXT = declare("mystery_shop.invitation", answered_by=SHOP_BY_PHONE)
REMINDER_TEXT = declare("mystery_shop.reminder", answered_by=SHOP_BY_PHONE)
WEEKDAYS = tuple(name.lower() for name in calendar.day_name)  # monday .. sunday
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}
LATEST_DAY_NUMBER = 28  # every month has it
_RULE = re.compile(rf"(?:(?P<nth>{'|'.join(ORDINALS)})\s+(?P<weekday>\w+)|(?P<day>\d{{1,2}}))")


@dataclass(frozen=True)
class MonthlyDay:
    """A day each month: a date ("15") or a weekday in it ("first tuesday", "last friday")."""

    nth: int  # the day of the month, or which weekday (1-4, -1 for the last)
    weekday: int | None = None  # 0 Monday .. 6 Sunday; None: nth is a date

    @classmethod
    def parse(cls, text: str) -> MonthlyDay:
        rule = _RULE.fullmatch(" ".join(text.lower().split()))
        if rule is None:
            raise ValueError(f"{text!r} is not a day like 'first tuesday' or '15'")
        if rule["day"] is not None:
            if not 1 <= int(rule["day"]) <= LATEST_DAY_NUMBER:
                raise ValueError(f"day {rule['day']} is not in every month: use 1 to 28")
            return cls(int(rule["day"]))
        if rule["weekday"] not in WEEKDAYS:
            raise ValueError(f"{rule['weekday']!r} is not a day of the week")
        return cls(ORDINALS[rule["nth"]], WEEKDAYS.index(rule["weekday"]))

    def __str__(self) -> str:
        if self.weekday is None:
            return str(self.nth)
        ordinal = next(word for word, n in ORDINALS.items() if n == self.nth)
        return f"{ordinal} {WEEKDAYS[self.weekday]}"

    def date_in(self, year: int, month: int) -> date:
        if self.weekday is None:
            return date(year, month, self.nth)
        days = [
            day
            for day in calendar.Calendar().itermonthdates(year, month)
            if day.month == month and day.weekday() == self.weekday
        ]
        return days[self.nth - 1] if self.nth > 0 else days[-1]


FIRST_TUESDAY = MonthlyDay(1, weekday=1)


@dataclass(frozen=True)
class MysteryShopPlan:
    """When the invitations go, and what they say; carried in each task's payload."""

    day: MonthlyDay = FIRST_TUESDAY
    at: time = time(10, 0)
    reminder_days: int = 5  # 0: no reminder
    zone: ZoneInfo = UK_TIME  # the settings' own, never a copy kept in a payload
    landlord: str = "Fife Housing Group"

    def invitation_at(self, year: int, month: int) -> datetime:
        return datetime.combine(self.day.date_in(year, month), self.at, tzinfo=self.zone)

    def payload(self, month: str) -> dict[str, Any]:
        return {
            "month": month,
            "day": str(self.day),
            "at": self.at.strftime("%H:%M"),
            "reminder_days": self.reminder_days,
            "landlord": self.landlord,
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any], zone: ZoneInfo) -> MysteryShopPlan:
        """The plan a task was booked with, on the landlord's clock as the settings say now."""
        default = cls()
        return cls(
            day=MonthlyDay.parse(str(payload.get("day", default.day))),
            at=time.fromisoformat(str(payload.get("at", "10:00"))),
            reminder_days=int(payload.get("reminder_days", default.reminder_days)),
            zone=zone,
            landlord=str(payload.get("landlord", default.landlord)),
        )


def invitation_key(month: str) -> str:
    return f"mystery-shop-invitation-{month}"


def reminder_key(month: str) -> str:
    return f"mystery-shop-reminder-{month}"


def book_invitation(
    session: Session, *, now: datetime, plan: MysteryShopPlan, after: str | None = None
) -> ScheduledTask:
    """Book the next invitation whose month has not had one.

    With ``after`` (the month whose invitation just ran) it is the month after, even if its
    time has passed while the scheduler was down: it then runs straight away, once. Without
    it (the scheduler starting) it is the first still to come, so a new install waits for
    its first invitation day instead of inviting everyone the moment it starts.
    """
    local = now.astimezone(plan.zone)
    year, month = (local.year, local.month) if after is None else _following(after)
    while True:
        name = f"{year:04d}-{month:02d}"
        due = plan.invitation_at(year, month)
        task = session.scalar(
            select(ScheduledTask).where(ScheduledTask.key == invitation_key(name))
        )
        still_to_run = task is None or task.status == TaskStatus.PENDING
        if still_to_run and (after is not None or due > now):
            return schedule(
                session,
                key=invitation_key(name),
                kind=INVITATION,
                due_at=due,
                payload=plan.payload(name),
            )
        year, month = _following(name)


def _following(month: str) -> tuple[int, int]:
    year, number = (int(part) for part in month.split("-"))
    return (year + 1, 1) if number == 12 else (year, number + 1)


def send_invitations(
    session: Session, task: ScheduledTask, now: datetime, settings: Settings
) -> None:
    """Invite every shopper for this month, book the reminder, and book next month's."""
    plan = MysteryShopPlan.from_payload(task.payload, settings.timezone)
    month = str(task.payload["month"])
    book_invitation(session, now=now, plan=plan, after=month)
    if month_of(now, plan.zone) != month:
        log.warning("the %s mystery shop invitation is out of date: not sent", month)
        return
    invited = _tell(session, month, INVITATION_TEXT, now=now, plan=plan, settings=settings)
    log.info("mystery shop %s: %d invitations queued", month, invited)
    _book_reminder(session, month, now=now, plan=plan)


def send_reminders(
    session: Session, task: ScheduledTask, now: datetime, settings: Settings
) -> None:
    """Remind the shoppers who have not finished this month's check-in, once."""
    plan = MysteryShopPlan.from_payload(task.payload, settings.timezone)
    month = str(task.payload["month"])
    if month_of(now, plan.zone) != month:
        log.warning("the %s mystery shop reminder is out of date: not sent", month)
        return
    reminded = _tell(session, month, REMINDER_TEXT, now=now, plan=plan, settings=settings)
    log.info("mystery shop %s: %d reminders queued", month, reminded)


def _book_reminder(session: Session, month: str, *, now: datetime, plan: MysteryShopPlan) -> None:
    """The reminder, ``reminder_days`` after today at the invitation hour, within the month."""
    if plan.reminder_days <= 0:
        return
    day = now.astimezone(plan.zone).date() + timedelta(days=plan.reminder_days)
    due = datetime.combine(day, plan.at, tzinfo=plan.zone)
    if month_of(due, plan.zone) != month:
        return  # it would land in next month, which has its own invitation
    payload = plan.payload(month)
    schedule(session, key=reminder_key(month), kind=REMINDER, due_at=due, payload=payload)


def _tell(
    session: Session,
    month: str,
    kind: MessageKind,
    *,
    now: datetime,
    plan: MysteryShopPlan,
    settings: Settings,
) -> int:
    """Queue ``kind`` for each shopper who may hear from us and has not finished ``month``."""

    def text_in(language: str) -> str:
        return catalogue.render(language, kind.key, landlord=plan.landlord)

    told = 0
    for chunk in _shoppers(session):
        unfinished = [shopper for shopper in chunk if _invite(session, shopper, month, now=now)]
        told += queue_notices(
            session,
            unfinished,
            text_in,
            topic=Topic.SURVEYS,
            now=now,
            settings=settings,
            keyword_on_1=kind.answered_by,
        )
    return told


def _invite(session: Session, shopper: Recipient, month: str, *, now: datetime) -> bool:
    """Mark the shopper invited to ``month``'s check-in; False if they have already finished it."""
    lock_tenant(session, shopper.tenant_id)  # their own SHOP may be creating the check-in now
    check_in = find_check_in(session, shopper.tenant_id, month)
    if check_in is not None and check_in.finished:
        return False
    check_in = check_in or check_in_for(session, shopper.tenant_id, month)
    check_in.invited_at = check_in.invited_at or now
    return True


def _shoppers(session: Session) -> Iterator[list[Recipient]]:
    """The mystery shoppers who have not opted out, each on SMS, else Telegram, else (a
    landline-only shopper) by phone call."""
    shoppers = select(TenantRole.tenant_id).where(TenantRole.role == Role.MYSTERY_SHOPPER.value)
    for chunk in recipients(session, Tenant.id.in_(shoppers), channels=CALLING_LANDLINES):
        yield accepting(session, chunk, Topic.SURVEYS)


HANDLERS = {INVITATION: send_invitations, REMINDER: send_reminders}
