"""Estate inspections: the walk, who was told, who is coming, what tenants reported, what was found.

An inspection is booked for an area with its notice and reminder as due tasks under
keys of its own, in the same transaction, so moving it replaces them and cancelling it
cancels them; each task also carries the start time it was booked for, and a task whose
time no longer holds does nothing. A tenant's issue report is attached to the area's
next inspection when it is made, or to the next one booked; cancelling a walk hands its
reports on to the next. Findings record what was found, the action agreed, who does it
and by when, and which reports they answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ForeignKey, Index, String, Text, false, func, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.base import Base, utcnow
from models.consent import Topic, accepting
from models.media import Media
from models.schedule import cancel, schedule
from models.tenants import CALLING_LANDLINES, SMS_FIRST, Area, Recipient, Tenant, recipients

NOTICE_TASK = "inspection_notice"
REMINDER_TASK = "inspection_reminder"
REFERENCE_BASE = 1000  # report 42 is R-1042: short enough to read out, never a bare number
LONGEST_WORDS = 1000
LONGEST_PLACE = 80  # a meeting point or a "where": it is sent by SMS


class InspectionStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    CLOSED = "closed"


class ReportCategory(StrEnum):
    LITTER = "litter"
    FLY_TIPPING = "fly_tipping"
    LIGHTING = "lighting"
    GRAFFITI = "graffiti"
    REPAIR = "common_area_repair"
    PARKING = "parking"
    GREEN_SPACE = "green_space"
    OTHER = "other"


class Inspection(Base):
    __tablename__ = "inspections"
    __table_args__ = (Index("ix_inspections_area_start", "area_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    starts_at: Mapped[datetime]
    meeting_point: Mapped[str] = mapped_column(String(LONGEST_PLACE))
    officer: Mapped[str] = mapped_column(String(120), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default=InspectionStatus.SCHEDULED)
    notice_days: Mapped[int] = mapped_column(default=7)
    reminder_days: Mapped[int] = mapped_column(default=1)
    call_landlines: Mapped[bool] = mapped_column(default=False)  # phone landline-only tenants
    notice_sent_at: Mapped[datetime | None]
    reminder_sent_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    created_by_staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    area: Mapped[Area] = relationship(lazy="joined")
    findings: Mapped[list[InspectionFinding]] = relationship(
        back_populates="inspection",
        cascade="all, delete-orphan",
        order_by="InspectionFinding.id",
    )

    @property
    def open(self) -> bool:
        return self.status == InspectionStatus.SCHEDULED

    def notice_due(self, zone: ZoneInfo) -> datetime:
        return _days_before(self.starts_at, self.notice_days, zone)

    def reminder_due(self, zone: ZoneInfo) -> datetime:
        return _days_before(self.starts_at, self.reminder_days, zone)

    def day_has_come(self, now: datetime, zone: ZoneInfo) -> bool:
        """From the walk's own day it may be closed: the officer closes it on getting back."""
        return now.astimezone(zone).date() >= self.starts_at.astimezone(zone).date()


def _days_before(moment: datetime, days: int, zone: ZoneInfo) -> datetime:
    """The same local clock time ``days`` earlier, even across a change of the clocks."""
    local = moment.astimezone(zone)
    return (local - timedelta(days=days)).replace(tzinfo=None).replace(tzinfo=zone)


class InspectionRecipient(Base):
    """A tenant told about an inspection, so a move or a cancellation reaches them too."""

    __tablename__ = "inspection_recipients"

    inspection_id: Mapped[int] = mapped_column(
        ForeignKey("inspections.id", ondelete="CASCADE"), primary_key=True
    )
    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    told_at: Mapped[datetime]


class InspectionRsvp(Base):
    __tablename__ = "inspection_rsvps"

    inspection_id: Mapped[int] = mapped_column(
        ForeignKey("inspections.id", ondelete="CASCADE"), primary_key=True
    )
    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    coming: Mapped[bool]
    channel: Mapped[str] = mapped_column(String(16))
    answered_at: Mapped[datetime]

    tenant: Mapped[Tenant] = relationship(lazy="joined")


class InspectionFinding(Base):
    __tablename__ = "inspection_findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(
        ForeignKey("inspections.id", ondelete="CASCADE"), index=True
    )
    found: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text, default="")
    responsible: Mapped[str] = mapped_column(String(120), default="")
    due_on: Mapped[date | None]
    done_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    inspection: Mapped[Inspection] = relationship(back_populates="findings")
    reports: Mapped[list[IssueReport]] = relationship(
        back_populates="finding", order_by="IssueReport.id"
    )

    @property
    def done(self) -> bool:
        return self.done_at is not None

    def done_on_time(self) -> bool:
        if self.done_at is None or self.due_on is None:
            return self.done_at is not None
        return self.done_at.date() <= self.due_on


class IssueReport(Base):
    """A tenant's report of something wrong on the estate, for the area's next inspection."""

    __tablename__ = "issue_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int | None] = mapped_column(
        ForeignKey("tenants.id", ondelete="SET NULL"), index=True
    )
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    inspection_id: Mapped[int | None] = mapped_column(
        ForeignKey("inspections.id", ondelete="SET NULL"), index=True
    )
    finding_id: Mapped[int | None] = mapped_column(
        ForeignKey("inspection_findings.id", ondelete="SET NULL"), index=True
    )
    category: Mapped[str] = mapped_column(String(24))
    location: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    photo_ids: Mapped[list[str]] = mapped_column(default=list)
    voice_note: Mapped[str | None] = mapped_column(String(300))  # a recording, by phone
    latitude: Mapped[float | None]  # a map pin the tenant sent for "where"
    longitude: Mapped[float | None]
    channel: Mapped[str] = mapped_column(String(16))
    urgent: Mapped[bool] = mapped_column(default=False, server_default=false())  # danger
    # Staff who entered the report for the tenant (models.on_behalf); None when their own.
    entered_by_staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    outcome_told_at: Mapped[datetime | None]
    done_told_at: Mapped[datetime | None]

    tenant: Mapped[Tenant | None] = relationship(lazy="joined")
    finding: Mapped[InspectionFinding | None] = relationship(back_populates="reports")
    media: Mapped[list[Media]] = relationship(  # photos and voice notes sent with it
        lazy="selectin", viewonly=True, order_by=Media.id
    )

    @property
    def reference(self) -> str:
        return reference_of(self.id)


def reference_of(report_id: int) -> str:
    return f"R-{REFERENCE_BASE + report_id}"


def report_id_of(reference: str) -> int | None:
    """The report a reference names ("R-1042", "r1042", "1042"), or None."""
    digits = reference.strip().upper().removeprefix("R").lstrip("- ")
    if not digits.isdigit() or int(digits) <= REFERENCE_BASE:
        return None
    return int(digits) - REFERENCE_BASE


def _tidy(text: str, longest: int = LONGEST_WORDS) -> str:
    return " ".join("".join(ch for ch in text if ch.isprintable()).split())[:longest]


# --- the inspection's life -------------------------------------------------------------


def notice_key(inspection_id: int) -> str:
    return f"inspection-{inspection_id}-notice"


def reminder_key(inspection_id: int) -> str:
    return f"inspection-{inspection_id}-reminder"


def _book_tasks(session: Session, inspection: Inspection, *, now: datetime, zone: ZoneInfo) -> None:
    """The notice and the reminder for the inspection's current time.

    A step whose time has already passed runs at once if it has not run for this
    inspection (a walk booked 3 days ahead still gets its notice), and is dropped when
    the walk itself has passed. Each task carries the start time it is for.
    """
    payload: dict[str, Any] = {
        "inspection_id": inspection.id,
        "starts_at": inspection.starts_at.isoformat(),
    }
    steps = (
        (
            notice_key(inspection.id),
            NOTICE_TASK,
            inspection.notice_due(zone),
            inspection.notice_sent_at,
        ),
        (
            reminder_key(inspection.id),
            REMINDER_TASK,
            inspection.reminder_due(zone),
            inspection.reminder_sent_at,
        ),
    )
    for key, kind, due, sent_at in steps:
        if inspection.starts_at <= now or sent_at is not None:
            cancel(session, key)
            continue
        schedule(session, key=key, kind=kind, due_at=max(due, now), payload=payload)


def schedule_inspection(
    session: Session,
    *,
    area_id: int,
    starts_at: datetime,
    meeting_point: str,
    officer: str = "",
    notes: str = "",
    call_landlines: bool = False,
    notice_days: int = 7,
    reminder_days: int = 1,
    staff_id: int | None = None,
    now: datetime,
    zone: ZoneInfo,
) -> Inspection:
    """Book a walk, its notice and reminder, and gather the area's reports still waiting."""
    inspection = Inspection(
        area_id=area_id,
        starts_at=starts_at,
        meeting_point=_tidy(meeting_point, LONGEST_PLACE),
        officer=_tidy(officer, 120),
        notes=notes.strip()[: LONGEST_WORDS * 4],
        call_landlines=call_landlines,
        notice_days=notice_days,
        reminder_days=reminder_days,
        created_by_staff_id=staff_id,
        created_at=now,
        updated_at=now,
    )
    session.add(inspection)
    session.flush()
    _book_tasks(session, inspection, now=now, zone=zone)
    _gather_reports(session, area_id, now=now)
    return inspection


@dataclass(frozen=True)
class Change:
    """What an edit did: ``moved`` means the time or place changed after tenants were told."""

    moved: bool
    told: int
    previous_start: datetime


def change_inspection(
    session: Session,
    inspection: Inspection,
    *,
    starts_at: datetime,
    meeting_point: str,
    officer: str,
    notes: str,
    now: datetime,
    zone: ZoneInfo,
) -> Change:
    """Edit a scheduled walk; a new time replaces its notice and reminder tasks.

    A step already sent is not sent again, except the reminder for a new time. The caller
    tells the tenants already told when ``moved`` (see bot.inspection_notices).
    """
    if not inspection.open:
        raise ValueError("only a scheduled inspection can be changed")
    new_place, previous_start = _tidy(meeting_point, LONGEST_PLACE), inspection.starts_at
    if starts_at != inspection.starts_at:
        inspection.reminder_sent_at = None  # the new time gets its own reminder
    moved = starts_at != inspection.starts_at or new_place != inspection.meeting_point
    inspection.starts_at, inspection.meeting_point = starts_at, new_place
    inspection.officer, inspection.notes = _tidy(officer, 120), notes.strip()[: LONGEST_WORDS * 4]
    inspection.updated_at = now
    _book_tasks(session, inspection, now=now, zone=zone)
    told = told_count(session, inspection.id)
    return Change(moved=moved and told > 0, told=told, previous_start=previous_start)


def cancel_inspection(session: Session, inspection: Inspection, *, now: datetime) -> None:
    """Call a walk off: its tasks go, and its waiting reports move on to the next walk."""
    if not inspection.open:
        raise ValueError("only a scheduled inspection can be cancelled")
    inspection.status, inspection.cancelled_at, inspection.updated_at = (
        InspectionStatus.CANCELLED,
        now,
        now,
    )
    cancel(session, notice_key(inspection.id))
    cancel(session, reminder_key(inspection.id))
    for report in reports_for(session, inspection.id):
        report.inspection_id = None
    session.flush()
    _gather_reports(session, inspection.area_id, now=now)


def close_inspection(session: Session, inspection: Inspection, *, now: datetime) -> None:
    """The walk is done and its findings recorded; the caller sends the after-summary.

    The caller checks its day has come in the landlord's time zone (``day_has_come``);
    here, without one, only a walk more than a day ahead is surely not on its day yet.
    """
    if not inspection.open:
        raise ValueError("only a scheduled inspection can be closed")
    if now < inspection.starts_at - timedelta(days=1):
        raise ValueError("the walk has not happened yet: close it on its day or after")
    inspection.status, inspection.closed_at, inspection.updated_at = (
        InspectionStatus.CLOSED,
        now,
        now,
    )
    cancel(session, notice_key(inspection.id))
    cancel(session, reminder_key(inspection.id))


def next_inspection(session: Session, area_id: int | None, *, now: datetime) -> Inspection | None:
    """The area's next walk still to happen."""
    if area_id is None:
        return None
    return session.scalar(
        select(Inspection)
        .where(
            Inspection.area_id == area_id,
            Inspection.status == InspectionStatus.SCHEDULED,
            Inspection.starts_at > now,
        )
        .order_by(Inspection.starts_at, Inspection.id)
        .limit(1)
    )


def latest_closed(session: Session, area_id: int | None) -> Inspection | None:
    if area_id is None:
        return None
    return session.scalar(
        select(Inspection)
        .where(Inspection.area_id == area_id, Inspection.status == InspectionStatus.CLOSED)
        .order_by(Inspection.closed_at.desc(), Inspection.id.desc())
        .limit(1)
    )


def _gather_reports(session: Session, area_id: int, *, now: datetime) -> None:
    """Attach the area's waiting reports (none yet, nothing found) to its next walk."""
    inspection = next_inspection(session, area_id, now=now)
    if inspection is None:
        return
    for report in waiting_reports(session, area_id=area_id):
        report.inspection_id = inspection.id


def waiting_reports(session: Session, *, area_id: int | None = None) -> list[IssueReport]:
    """Reports not yet attached to any walk (none booked in their area), oldest first."""
    query = select(IssueReport).where(
        IssueReport.inspection_id.is_(None),
        IssueReport.finding_id.is_(None),
        IssueReport.outcome_told_at.is_(None),
    )
    if area_id is not None:
        query = query.where(IssueReport.area_id == area_id)
    return list(session.scalars(query.order_by(IssueReport.created_at, IssueReport.id)))


# --- who hears about it ------------------------------------------------------------------


def audience(session: Session, area_id: int, *, call_landlines: bool = False) -> list[Recipient]:
    """The area's tenants who can be reached and accept inspection messages there."""
    chunks = audience_in_chunks(session, area_id, call_landlines=call_landlines)
    return [recipient for chunk in chunks for recipient in chunk]


def audience_in_chunks(
    session: Session, area_id: int, *, call_landlines: bool = False
) -> Iterator[list[Recipient]]:
    """audience() a page at a time, for queueing a notice to a whole estate in flat memory;
    with ``call_landlines``, a landline-only tenant by phone call."""
    channels = CALLING_LANDLINES if call_landlines else SMS_FIRST
    for chunk in recipients(session, Tenant.area_id == area_id, channels=channels):
        yield accepting(session, chunk, Topic.INSPECTIONS)


def told_in_chunks(session: Session, inspection: Inspection) -> Iterator[list[Recipient]]:
    """The tenants told about the walk who can still be reached, a page at a time (by phone
    where the walk's notice went to landlines by phone)."""
    told = select(InspectionRecipient.tenant_id).where(
        InspectionRecipient.inspection_id == inspection.id
    )
    channels = CALLING_LANDLINES if inspection.call_landlines else SMS_FIRST
    yield from recipients(session, Tenant.id.in_(told), channels=channels)


def mark_all_told(
    session: Session, inspection_id: int, tenant_ids: Sequence[int], *, now: datetime
) -> None:
    """Record a page of tenants as told: one insert, leaving out those already told."""
    if not tenant_ids:
        return
    already = set(
        session.scalars(
            select(InspectionRecipient.tenant_id).where(
                InspectionRecipient.inspection_id == inspection_id,
                InspectionRecipient.tenant_id.in_(tenant_ids),
            )
        )
    )
    new = [
        {"inspection_id": inspection_id, "tenant_id": tenant_id, "told_at": now}
        for tenant_id in dict.fromkeys(tenant_ids)
        if tenant_id not in already
    ]
    if new:
        session.execute(insert(InspectionRecipient), new)


def told_count(session: Session, inspection_id: int) -> int:
    return (
        session.scalar(
            select(func.count()).where(InspectionRecipient.inspection_id == inspection_id)
        )
        or 0
    )


# --- RSVPs and reports -------------------------------------------------------------------


def answer_rsvp(
    session: Session,
    inspection: Inspection,
    tenant_id: int,
    *,
    coming: bool,
    channel: str,
    now: datetime,
) -> InspectionRsvp:
    rsvp = session.get(InspectionRsvp, (inspection.id, tenant_id))
    if rsvp is None:
        rsvp = InspectionRsvp(inspection_id=inspection.id, tenant_id=tenant_id)
        session.add(rsvp)
    rsvp.coming, rsvp.channel, rsvp.answered_at = coming, channel, now
    return rsvp


def rsvps_for(session: Session, inspection_id: int) -> list[InspectionRsvp]:
    return list(
        session.scalars(
            select(InspectionRsvp)
            .where(InspectionRsvp.inspection_id == inspection_id)
            .order_by(InspectionRsvp.answered_at)
        )
    )


def file_report(
    session: Session,
    *,
    tenant: Tenant,
    category: str,
    location: str,
    description: str,
    photo_ids: Sequence[str],
    channel: str,
    now: datetime,
    voice_note: str | None = None,
    coordinates: tuple[float, float] | None = None,
    staff_id: int | None = None,
) -> IssueReport:
    """Keep a tenant's report, attached to their area's next walk if one is booked."""
    upcoming = next_inspection(session, tenant.area_id, now=now)
    report = IssueReport(
        tenant_id=tenant.id,
        area_id=tenant.area_id,
        inspection_id=upcoming.id if upcoming else None,
        category=ReportCategory(category).value,
        location=_tidy(location),
        description=_tidy(description),
        photo_ids=list(photo_ids),
        voice_note=voice_note,
        latitude=coordinates[0] if coordinates else None,
        longitude=coordinates[1] if coordinates else None,
        channel=channel,
        created_at=now,
        entered_by_staff_id=staff_id,
    )
    session.add(report)
    session.flush()
    return report


def reports_for(session: Session, inspection_id: int) -> list[IssueReport]:
    return list(
        session.scalars(
            select(IssueReport)
            .where(IssueReport.inspection_id == inspection_id)
            .order_by(IssueReport.created_at, IssueReport.id)
        )
    )


def record_finding(
    session: Session,
    inspection: Inspection,
    *,
    found: str,
    action: str,
    responsible: str,
    due_on: date | None,
    report_ids: Iterable[int] = (),
    now: datetime,
) -> InspectionFinding:
    """What the walk found and the action agreed, linked to the reports it answers.

    Only reports attached to this inspection can be linked; others are ignored.
    """
    finding = InspectionFinding(
        inspection_id=inspection.id,
        found=_tidy(found),
        action=_tidy(action),
        responsible=_tidy(responsible, 120),
        due_on=due_on,
        created_at=now,
    )
    session.add(finding)
    session.flush()
    wanted = set(report_ids)
    for report in reports_for(session, inspection.id):
        if report.id in wanted:
            report.finding_id = finding.id
    return finding


def mark_action_done(finding: InspectionFinding, *, now: datetime) -> bool:
    """Record the action as done; False if it already was (nobody is told twice)."""
    if finding.done_at is not None:
        return False
    finding.done_at = now
    return True


def upcoming_inspections(session: Session, *, now: datetime, limit: int = 5) -> list[Inspection]:
    return list(
        session.scalars(
            select(Inspection)
            .where(Inspection.status == InspectionStatus.SCHEDULED, Inspection.starts_at > now)
            .order_by(Inspection.starts_at, Inspection.id)
            .limit(limit)
        )
    )


def waiting_reports_count(session: Session, inspection_id: int) -> int:
    return (
        session.scalar(select(func.count()).where(IssueReport.inspection_id == inspection_id)) or 0
    )
