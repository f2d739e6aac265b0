"""Mystery shopping: each shopper's monthly check-in, and the alerts it raises for staff.

Mystery shoppers tell us about their real calls, visits and repairs once a month, in a
few minutes. Answers are written as they are given, so a check-in left half-way keeps
what was said. A low score or a problem not sorted raises a staff alert at once (the
strategy's "swift action"); the alert's summary never names the shopper, because the
colleagues being assessed must not learn who reported. The check-in itself keeps its
link to the tenant: who may see it is the console's decision, and erasing the tenant
leaves the answers as anonymous figures.

A tenant's own messages can name them a shopper too: the check-in's questions and
answers, the monthly invitation and reminder, MENU and JOIN (which list "Mystery shopper
check-in" and "(you are one)" to a shopper), and the notice that granted or declined the
role. ``messages_naming_a_shopper`` picks those out, so the staff side can hold them back
from staff who may not see shoppers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Literal, TypeAlias
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    case,
    false,
    func,
    select,
    union,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import BLANK_ON_ERASE, Base
from models.involvement import InvolvementRequest
from models.messages import InboundRecord, OutboundKind, OutboundRecord, Withheld
from models.schedule import ScheduledTask
from models.tenants import Role, TenantRole

ALERT_KIND = "mystery_shop"
LOW_SCORE = 2  # 1 or 2 out of 5 raises an alert
LONGEST_WORDS = 1000
WordsQuestion: TypeAlias = Literal["what_happened", "improve"]
SHOPPER_ROLE = Role.MYSTERY_SHOPPER.value
CHECK_IN_FLOW = "mystery_shop"  # the flow's name (bot.flows.mystery_shop), as messages record it
ROLE_NAMING_FLOWS = ("menu", "join")  # their lists tell a shopper that they are one
INVITING_TASKS = ("mystery_shop_invitation", "mystery_shop_reminder")  # the scheduler's kinds


class Service(StrEnum):
    PHONE = "phone"
    OFFICE = "office"
    REPAIRS = "repairs"
    HOUSING_OFFICER = "housing_officer"
    ONLINE = "online"
    NONE = "none"


class When(StrEnum):
    THIS_WEEK = "this_week"
    LAST_WEEK = "last_week"
    EARLIER = "earlier"


class Sorted(StrEnum):
    YES = "yes"
    PARTLY = "partly"
    NO = "no"


class MysteryShopCheckIn(Base):
    """One shopper's answers for one month; the row exists from the invitation or the start."""

    __tablename__ = "mystery_shop_check_ins"
    __table_args__ = (
        UniqueConstraint("tenant_id", "month"),
        {"info": {BLANK_ON_ERASE: ("what_happened", "improve")}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id", ondelete="SET NULL"))
    month: Mapped[str] = mapped_column(String(7), index=True)  # "2026-03", London time
    channel: Mapped[str | None] = mapped_column(String(16))  # the one they answered on
    # Staff who entered it for the shopper (models.on_behalf); None when their own.
    entered_by_staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    invited_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    service: Mapped[str | None] = mapped_column(String(20))
    when_used: Mapped[str | None] = mapped_column(String(20))
    ease: Mapped[int | None]  # 1 very hard .. 5 very easy
    respect: Mapped[int | None]  # 1 very badly .. 5 very well
    sorted_out: Mapped[str | None] = mapped_column(String(8))
    what_happened: Mapped[str | None] = mapped_column(Text)
    improve: Mapped[str | None] = mapped_column(Text)

    @property
    def finished(self) -> bool:
        return self.finished_at is not None

    @property
    def needs_alert(self) -> bool:
        low = [score for score in (self.ease, self.respect) if score is not None]
        return any(score <= LOW_SCORE for score in low) or self.sorted_out == Sorted.NO


class StaffAlert(Base):
    """Something staff should act on soon. The summary never says who raised it."""

    __tablename__ = "staff_alerts"
    __table_args__ = (Index("ix_staff_alerts_open", "resolved", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]
    summary: Mapped[str] = mapped_column(Text)
    check_in_id: Mapped[int | None] = mapped_column(
        ForeignKey("mystery_shop_check_ins.id", ondelete="CASCADE"), index=True
    )
    resolved: Mapped[bool] = mapped_column(default=False, server_default=false())
    resolved_at: Mapped[datetime | None]


def month_of(moment: datetime, zone: ZoneInfo) -> str:
    """The check-in month a moment falls in, by the landlord's clock ("2026-03")."""
    return moment.astimezone(zone).strftime("%Y-%m")


def find_check_in(session: Session, tenant_id: int, month: str) -> MysteryShopCheckIn | None:
    return session.scalar(
        select(MysteryShopCheckIn).where(
            MysteryShopCheckIn.tenant_id == tenant_id, MysteryShopCheckIn.month == month
        )
    )


def check_in_for(session: Session, tenant_id: int, month: str) -> MysteryShopCheckIn:
    """This month's check-in for the shopper, created empty if there is none yet.

    Callers hold the tenant's row lock (the engine does; the scheduler takes it), so two
    of them never both create one.
    """
    check_in = find_check_in(session, tenant_id, month)
    if check_in is None:
        check_in = MysteryShopCheckIn(tenant_id=tenant_id, month=month)
        session.add(check_in)
        session.flush()
    return check_in


def record_answers(
    session: Session,
    check_in: MysteryShopCheckIn,
    *,
    now: datetime,
    service: str | None = None,
    when_used: str | None = None,
    ease: int | None = None,
    respect: int | None = None,
    sorted_out: str | None = None,
) -> None:
    """Keep the answers given (None: not given now), and raise or refresh the alert."""
    given = {
        "service": service,
        "when_used": when_used,
        "ease": ease,
        "respect": respect,
        "sorted_out": sorted_out,
    }
    for name, value in given.items():
        if value is not None:
            setattr(check_in, name, value)
    review(session, check_in, now=now)


def record_words(
    session: Session,
    check_in: MysteryShopCheckIn,
    *,
    now: datetime,
    question: WordsQuestion,
    words: str | None,
) -> None:
    """Keep the shopper's own words for one question; None when they chose to skip it."""
    setattr(check_in, question, None if words is None else _tidy(words) or None)
    review(session, check_in, now=now)


def finish(check_in: MysteryShopCheckIn, *, now: datetime) -> None:
    check_in.finished_at = now


def review(session: Session, check_in: MysteryShopCheckIn, *, now: datetime) -> None:
    """Raise the check-in's alert the moment it needs one; keep an open one up to date."""
    if not check_in.needs_alert:
        return
    alert = session.scalar(select(StaffAlert).where(StaffAlert.check_in_id == check_in.id))
    if alert is None:
        session.add(
            StaffAlert(
                kind=ALERT_KIND,
                created_at=now,
                summary=alert_summary(check_in),
                check_in_id=check_in.id,
            )
        )
    elif not alert.resolved:
        alert.summary = alert_summary(check_in)


def alert_summary(check_in: MysteryShopCheckIn) -> str:
    """What staff need to act on, in the shopper's own words, and nothing about who they are."""
    service = (check_in.service or "a service").replace("_", " ")
    parts = [f"Mystery shop {check_in.month}: {service}"]
    if check_in.when_used:
        parts[0] += f" ({check_in.when_used.replace('_', ' ')})"
    if check_in.ease is not None:
        parts.append(f"ease {check_in.ease}/5")
    if check_in.respect is not None:
        parts.append(f"respect {check_in.respect}/5")
    if check_in.sorted_out:
        parts.append(f"sorted: {check_in.sorted_out}")
    summary = ", ".join(parts) + "."
    if check_in.what_happened:
        summary += f' What happened: "{check_in.what_happened}"'
    if check_in.improve:
        summary += f' To improve: "{check_in.improve}"'
    return summary


def _tidy(text: str) -> str:
    printable = "".join(ch for ch in text if ch.isprintable() or ch.isspace())
    return " ".join(printable.split())[:LONGEST_WORDS]


def open_alerts(session: Session, *, kind: str = ALERT_KIND) -> list[StaffAlert]:
    """Alerts not yet dealt with, oldest first, for the console."""
    return list(
        session.scalars(
            select(StaffAlert)
            .where(StaffAlert.kind == kind, StaffAlert.resolved.is_(False))
            .order_by(StaffAlert.created_at, StaffAlert.id)
        )
    )


@dataclass(frozen=True)
class ServiceResult:
    """One month's answers about one service: counts and average scores."""

    month: str
    service: str
    responses: int
    average_ease: float | None
    average_respect: float | None
    sorted_yes: int
    sorted_partly: int
    sorted_no: int


def results_by_service(session: Session, months: list[str]) -> list[ServiceResult]:
    """Finished check-ins per month and service, for the console's trends and reports."""
    by_sorted = [
        func.sum(case((MysteryShopCheckIn.sorted_out == value, 1), else_=0))
        for value in (Sorted.YES, Sorted.PARTLY, Sorted.NO)
    ]
    rows = session.execute(
        select(
            MysteryShopCheckIn.month,
            MysteryShopCheckIn.service,
            func.count(),
            func.avg(MysteryShopCheckIn.ease),
            func.avg(MysteryShopCheckIn.respect),
            *by_sorted,
        )
        .where(
            MysteryShopCheckIn.month.in_(months),
            MysteryShopCheckIn.finished_at.is_not(None),
            MysteryShopCheckIn.service.is_not(None),
        )
        .group_by(MysteryShopCheckIn.month, MysteryShopCheckIn.service)
        .order_by(MysteryShopCheckIn.month, MysteryShopCheckIn.service)
    )
    return [
        ServiceResult(
            month=month,
            service=service,
            responses=int(count),
            average_ease=None if ease is None else float(ease),
            average_respect=None if respect is None else float(respect),
            sorted_yes=int(yes or 0),
            sorted_partly=int(partly or 0),
            sorted_no=int(no or 0),
        )
        for month, service, count, ease, respect, yes, partly, no in rows
    ]


def response_rate(session: Session, month: str) -> tuple[int, int]:
    """(finished, asked) for a month: shoppers who finished, of those invited or who started.

    A check-in row exists only once a shopper was invited or began by themselves, so
    every row counts as asked and the rate can never pass 100%.
    """
    finished, asked = session.execute(
        select(func.count(MysteryShopCheckIn.finished_at), func.count()).where(
            MysteryShopCheckIn.month == month
        )
    ).one()
    return int(finished), int(asked)


def check_ins_of(
    session: Session, *, month: str | None, limit: int, offset: int
) -> tuple[list[MysteryShopCheckIn], int]:
    """A page of check-ins (one month's, or all, newest month first) and how many there are."""
    query = select(MysteryShopCheckIn)
    if month is not None:
        query = query.where(MysteryShopCheckIn.month == month)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    found = session.scalars(
        query.order_by(MysteryShopCheckIn.month.desc(), MysteryShopCheckIn.id)
        .limit(limit)
        .offset(offset)
    )
    return list(found), int(total)


def open_alert_count(session: Session, *, kind: str = ALERT_KIND) -> int:
    return int(
        session.scalar(
            select(func.count()).where(StaffAlert.kind == kind, StaffAlert.resolved.is_(False))
        )
        or 0
    )


def resolve_alert(
    session: Session, alert_id: int, *, now: datetime, kind: str = ALERT_KIND
) -> StaffAlert | None:
    """Mark an alert of this kind dealt with; None when there is no such alert."""
    alert = session.get(StaffAlert, alert_id)
    if alert is None or alert.kind != kind:
        return None
    if not alert.resolved:
        alert.resolved, alert.resolved_at = True, now
    return alert


@dataclass(frozen=True)
class Comment:
    """A shopper's own words, with nothing about who they are."""

    month: str
    service: str
    what_happened: str | None
    improve: str | None


def comments_in(session: Session, months: list[str]) -> list[Comment]:
    """Every check-in's words in these months, by service then month; no tenant ids."""
    rows = session.execute(
        select(
            MysteryShopCheckIn.month,
            MysteryShopCheckIn.service,
            MysteryShopCheckIn.what_happened,
            MysteryShopCheckIn.improve,
        )
        .where(
            MysteryShopCheckIn.month.in_(months),
            (MysteryShopCheckIn.what_happened.is_not(None))
            | (MysteryShopCheckIn.improve.is_not(None)),
        )
        .order_by(MysteryShopCheckIn.service, MysteryShopCheckIn.month, MysteryShopCheckIn.id)
    )
    return [
        Comment(month=month, service=service or "", what_happened=happened, improve=improve)
        for month, service, happened, improve in rows
    ]


def _part_of_mystery_shopping(session: Session, tenant_id: int) -> bool:
    """Holding the role, with a check-in of any month (a former shopper too), or having
    asked by JOIN to become a shopper."""
    holding = select(TenantRole.tenant_id).where(
        TenantRole.tenant_id == tenant_id, TenantRole.role == SHOPPER_ROLE
    )
    checked_in = select(MysteryShopCheckIn.tenant_id).where(
        MysteryShopCheckIn.tenant_id == tenant_id
    )
    asked = select(InvolvementRequest.tenant_id).where(
        InvolvementRequest.tenant_id == tenant_id, InvolvementRequest.role == SHOPPER_ROLE
    )
    return session.scalar(select(union(holding, checked_in, asked).exists())) is True


def messages_naming_a_shopper(session: Session, tenant_id: int) -> Withheld | None:
    """The tenant's messages that say they shop for us; None if mystery shopping is no part
    of their story, so nothing of theirs need be held back.

    Inbound messages record the flow that answered them; a reply follows its message.
    Invitations, reminders and the role's decision are notices, matched by the moment they
    were queued: the scheduler's task ran (``done_at``), or staff decided (``decided_at``).
    """
    if not _part_of_mystery_shopping(session, tenant_id):
        return None
    received = select(InboundRecord.id).where(
        InboundRecord.tenant_id == tenant_id,
        InboundRecord.flow.in_((CHECK_IN_FLOW, *ROLE_NAMING_FLOWS)),
    )
    told_at = union(
        select(ScheduledTask.done_at).where(
            ScheduledTask.kind.in_(INVITING_TASKS), ScheduledTask.done_at.is_not(None)
        ),
        select(InvolvementRequest.decided_at).where(
            InvolvementRequest.tenant_id == tenant_id,
            InvolvementRequest.role == SHOPPER_ROLE,
            InvolvementRequest.decided_at.is_not(None),
        ),
    )
    told = (
        (OutboundRecord.kind == OutboundKind.NOTICE)
        & OutboundRecord.broadcast_id.is_(None)
        & OutboundRecord.created_at.in_(told_at)
    )
    sent = select(OutboundRecord.id).where(
        OutboundRecord.tenant_id == tenant_id,
        OutboundRecord.in_reply_to.in_(received) | told,
    )
    return Withheld(received, sent)
