"""The staff steps of a repair survey that tenants hear about, each in one transaction.

The console (CSV import, outcomes) and the API both call these, so registering a
repair books its survey, and publishing an outcome queues its notices, in the same
transaction as the change, whichever way staff or the housing system did it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.flow import Settings
from models.repairs import Repair, RepairOutcome, RepairProblem, new_outcome, register_repair
from models.tenants import Tenant
from participation.repair_notices import tell_outcome


def register(
    session: Session,
    *,
    tenant: Tenant,
    job_reference: str,
    job_type: str,
    completed_at: datetime,
    now: datetime,
    settings: Settings,
) -> tuple[Repair, bool]:
    """The repair and whether it is new; a new one's survey is booked for the next day."""
    return register_repair(
        session,
        tenant=tenant,
        job_reference=job_reference,
        job_type=job_type,
        completed_at=completed_at,
        now=now,
        zone=settings.timezone,
    )


def publish(session: Session, outcome: RepairOutcome, *, now: datetime, settings: Settings) -> int:
    """Publish the outcome, once, to everyone who answered; how many were told."""
    if outcome.published_at is not None:
        raise RepairProblem("this outcome was already published")
    outcome.published_at = now
    outcome.told = tell_outcome(session, outcome, now=now, settings=settings)
    return outcome.told


def write_and_publish(
    session: Session,
    *,
    job_type: str,
    first_month: str,
    last_month: str,
    outcome: str,
    now: datetime,
    settings: Settings,
) -> tuple[RepairOutcome, int]:
    row = new_outcome(
        session,
        job_type=job_type,
        first_month=first_month,
        last_month=last_month,
        outcome=outcome,
        now=now,
    )
    return row, publish(session, row, now=now, settings=settings)
