"""Satisfaction surveys after a repair: the repair, the tenant's answers, and the outcome.

The housing system (or staff, by CSV) registers a repair once it is finished, under the
system's own job reference, so registering the same job again changes nothing. The
survey goes as a due task the next day; the answers are kept on the repair, so a repair
is one survey. Erasing the tenant keeps the scores as anonymous figures and blanks the
comment. "You said, we did" is an outcome staff write for a job type and a run of months,
published once to everyone who answered a survey for those repairs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ForeignKey, String, Text, case, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.base import BLANK_ON_ERASE, Base
from models.mystery_shopping import StaffAlert, month_of
from models.schedule import schedule
from models.tenants import Tenant

SURVEY_TASK = "repair_survey"
ALERT_KIND = "repair_survey"
LOW_SCORE = 2  # 1 or 2 out of 5 raises a staff alert
LONGEST_REFERENCE = 40
LONGEST_JOB_TYPE = 30
LONGEST_COMMENT = 1000
LONGEST_OUTCOME = 300
SURVEY_OPEN_DAYS = 30  # a survey not answered in this long is no longer asked about
SURVEY_AT = time(9, 0)  # the day after the repair, when the sending window opens
KNOWN_JOB_TYPES = ("plumbing", "electrical", "joinery", "heating", "roofing", "gas", "other")
JOB_TYPE_WORDS = {
    "plumber": "plumbing",
    "electrics": "electrical",
    "electrician": "electrical",
    "joiner": "joinery",
    "carpentry": "joinery",
    "heating and hot water": "heating",
    "boiler": "heating",
    "roof": "roofing",
    "roofer": "roofing",
}
MONTH = re.compile(r"^(19|20|21)[0-9][0-9]-(0[1-9]|1[0-2])$")


class RepairProblem(ValueError):
    """A repair that cannot be registered, with the reason staff or the system can act on."""


class Repair(Base):
    """A finished repair, its survey and the answers to it."""

    __tablename__ = "repairs"
    __table_args__ = ({"info": {BLANK_ON_ERASE: ("comment",)}},)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int | None] = mapped_column(
        ForeignKey("tenants.id", ondelete="SET NULL"), index=True
    )
    job_reference: Mapped[str] = mapped_column(String(LONGEST_REFERENCE), unique=True)
    job_type: Mapped[str] = mapped_column(String(LONGEST_JOB_TYPE), index=True)
    completed_at: Mapped[datetime]
    month: Mapped[str] = mapped_column(String(7), index=True)  # of completion, London time
    registered_at: Mapped[datetime]
    survey_sent_at: Mapped[datetime | None]
    channel: Mapped[str | None] = mapped_column(String(16))  # the one they answered on
    satisfaction: Mapped[int | None]
    right_first_time: Mapped[bool | None]
    comment: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None]

    tenant: Mapped[Tenant | None] = relationship()

    @property
    def needs_alert(self) -> bool:
        low = self.satisfaction is not None and self.satisfaction <= LOW_SCORE
        return low or self.right_first_time is False


class RepairOutcome(Base):
    """'You said, we did' for one job type over a run of months, told once when published."""

    __tablename__ = "repair_outcomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_type: Mapped[str] = mapped_column(String(LONGEST_JOB_TYPE))
    first_month: Mapped[str] = mapped_column(String(7))
    last_month: Mapped[str] = mapped_column(String(7))
    outcome: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    published_at: Mapped[datetime | None]
    told: Mapped[int] = mapped_column(default=0)


def normalise_job_type(said: str) -> str:
    """A short lower-case label: 'Plumber ' is plumbing; other words are kept, tidied."""
    words = " ".join("".join(ch for ch in said if ch.isalnum() or ch in " -&").split()).lower()
    if not words:
        raise RepairProblem("job_type is empty")
    if len(words) > LONGEST_JOB_TYPE:
        raise RepairProblem(f"job_type must be at most {LONGEST_JOB_TYPE} characters")
    return JOB_TYPE_WORDS.get(words, words)


def normalise_reference(said: str) -> str:
    reference = "".join(ch for ch in said if ch.isprintable()).strip()
    if not reference:
        raise RepairProblem("job_reference is empty")
    if len(reference) > LONGEST_REFERENCE:
        raise RepairProblem(f"job_reference must be at most {LONGEST_REFERENCE} characters")
    return reference


def find_repair(session: Session, job_reference: str) -> Repair | None:
    return session.scalar(select(Repair).where(Repair.job_reference == job_reference))


def register_repair(
    session: Session,
    *,
    tenant: Tenant,
    job_reference: str,
    job_type: str,
    completed_at: datetime,
    now: datetime,
    zone: ZoneInfo,
) -> tuple[Repair, bool]:
    """The repair, and whether it is new; a new one books its survey for the next day.

    A job already registered is returned as it stands: the housing system may send the
    same job twice, and the tenant must not be asked twice.
    """
    reference = normalise_reference(job_reference)
    existing = find_repair(session, reference)
    if existing is not None:
        return existing, False
    if completed_at > now + timedelta(minutes=5):
        raise RepairProblem("completed_at is in the future")
    repair = Repair(
        tenant_id=tenant.id,
        job_reference=reference,
        job_type=normalise_job_type(job_type),
        completed_at=completed_at,
        month=month_of(completed_at, zone),
        registered_at=now,
    )
    session.add(repair)
    session.flush()
    next_day = completed_at.astimezone(zone).date() + timedelta(days=1)
    schedule(
        session,
        key=f"repair-survey-{repair.id}",
        kind=SURVEY_TASK,
        due_at=datetime.combine(next_day, SURVEY_AT, tzinfo=zone),
        payload={"repair_id": repair.id},
    )
    return repair, True


def open_survey(session: Session, tenant_id: int, *, now: datetime) -> Repair | None:
    """The tenant's latest survey sent and not yet answered, if it is still recent."""
    return session.scalar(
        select(Repair)
        .where(
            Repair.tenant_id == tenant_id,
            Repair.survey_sent_at.is_not(None),
            Repair.survey_sent_at >= now - timedelta(days=SURVEY_OPEN_DAYS),
            Repair.answered_at.is_(None),
        )
        .order_by(Repair.survey_sent_at.desc(), Repair.id.desc())
        .limit(1)
    )


def record_survey(
    session: Session,
    repair: Repair,
    *,
    satisfaction: int,
    right_first_time: bool,
    comment: str | None,
    channel: str,
    now: datetime,
) -> None:
    """Keep the answers; a low score or a repair not right first time alerts staff."""
    repair.satisfaction, repair.right_first_time = satisfaction, right_first_time
    repair.comment = comment[:LONGEST_COMMENT] if comment else None
    repair.channel, repair.answered_at = channel, now
    if repair.needs_alert:
        session.add(StaffAlert(kind=ALERT_KIND, created_at=now, summary=alert_summary(repair)))


def alert_summary(repair: Repair) -> str:
    """What went wrong, without the tenant's name: staff open the repair to follow it up."""
    first_time = "not right first time" if repair.right_first_time is False else "right first time"
    return (
        f"{repair.job_type.capitalize()} repair {repair.job_reference}: satisfaction "
        f"{repair.satisfaction}/5, {first_time}."
    )


@dataclass(frozen=True)
class RepairFigures:
    """One job type in one month: surveys sent, answered, and what the answers say."""

    job_type: str
    month: str
    surveys_sent: int
    responses: int
    average_satisfaction: float | None
    right_first_time_percent: float | None


def figures(
    session: Session, *, first_month: str, last_month: str, job_type: str | None = None
) -> list[RepairFigures]:
    """Results by job type and month, months in order, counted in the database."""
    answered = Repair.answered_at.is_not(None)
    query = (
        select(
            Repair.job_type,
            Repair.month,
            func.count(Repair.survey_sent_at),
            func.count(Repair.answered_at),
            func.avg(Repair.satisfaction),
            func.sum(case((answered & Repair.right_first_time.is_(True), 1), else_=0)),
        )
        .where(Repair.month >= first_month, Repair.month <= last_month)
        .group_by(Repair.job_type, Repair.month)
        .order_by(Repair.month, Repair.job_type)
    )
    if job_type is not None:
        query = query.where(Repair.job_type == job_type)
    return [
        RepairFigures(
            job_type=kind,
            month=month,
            surveys_sent=int(sent),
            responses=int(responses),
            average_satisfaction=round(float(average), 1) if average is not None else None,
            right_first_time_percent=(
                round(100 * int(right or 0) / int(responses), 1) if responses else None
            ),
        )
        for kind, month, sent, responses, average, right in session.execute(query)
    ]


def job_types(session: Session) -> list[str]:
    """Every job type a repair has been registered under, known ones first."""
    found = set(session.scalars(select(Repair.job_type).distinct()))
    return [kind for kind in KNOWN_JOB_TYPES if kind in found] + sorted(
        found - set(KNOWN_JOB_TYPES)
    )


def answered_for(session: Session, outcome: RepairOutcome) -> list[int]:
    """The tenants who answered a survey for the outcome's repairs, each once."""
    return list(
        session.scalars(
            select(Repair.tenant_id)
            .where(
                Repair.job_type == outcome.job_type,
                Repair.month >= outcome.first_month,
                Repair.month <= outcome.last_month,
                Repair.answered_at.is_not(None),
                Repair.tenant_id.is_not(None),
            )
            .distinct()
            .order_by(Repair.tenant_id)
        )
    )


def new_outcome(
    session: Session,
    *,
    job_type: str,
    first_month: str,
    last_month: str,
    outcome: str,
    now: datetime,
) -> RepairOutcome:
    for month in (first_month, last_month):
        if not MONTH.match(month):
            raise RepairProblem(f"{month[:10]!r} is not a month such as 2026-03")
    if first_month > last_month:
        raise RepairProblem("the first month comes after the last")
    words = " ".join("".join(ch for ch in outcome if ch.isprintable()).split())
    if not words:
        raise RepairProblem("outcome is empty")
    if len(words) > LONGEST_OUTCOME:
        raise RepairProblem(f"outcome must be at most {LONGEST_OUTCOME} characters")
    row = RepairOutcome(
        job_type=normalise_job_type(job_type),
        first_month=first_month,
        last_month=last_month,
        outcome=words,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def outcomes(session: Session) -> list[RepairOutcome]:
    return list(session.scalars(select(RepairOutcome).order_by(RepairOutcome.id.desc())))


def months_between(first: str, last: str) -> Iterator[str]:
    year, month = int(first[:4]), int(first[5:])
    while f"{year:04d}-{month:02d}" <= last:
        yield f"{year:04d}-{month:02d}"
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
