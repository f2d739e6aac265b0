"""The staff steps of an inspection that tenants hear about, each in one transaction.

The console and the API both call these, so a cancelled walk is announced the same way
whichever way staff cancelled it: the change and the messages it causes commit together.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.flow import Settings
from bot.inspection_notices import (
    send_after_summary,
    tell_action_done,
    tell_cancelled,
    tell_moved,
)
from models.inspections import (
    Inspection,
    InspectionFinding,
    cancel_inspection,
    change_inspection,
    close_inspection,
    mark_action_done,
)


def change(
    session: Session,
    inspection: Inspection,
    *,
    starts_at: datetime,
    meeting_point: str,
    officer: str,
    notes: str,
    now: datetime,
    settings: Settings,
) -> int:
    """Edit the walk; a time or place moved after tenants were told is told to them."""
    result = change_inspection(
        session,
        inspection,
        starts_at=starts_at,
        meeting_point=meeting_point,
        officer=officer,
        notes=notes,
        now=now,
        zone=settings.timezone,
    )
    if not result.moved:
        return 0
    return tell_moved(
        session, inspection, previous_start=result.previous_start, now=now, settings=settings
    )


def cancel(session: Session, inspection: Inspection, *, now: datetime, settings: Settings) -> int:
    """Call the walk off and tell those already told; returns how many were told."""
    cancel_inspection(session, inspection, now=now)
    return tell_cancelled(session, inspection, now=now, settings=settings)


def close(session: Session, inspection: Inspection, *, now: datetime, settings: Settings) -> int:
    """Close the walk with its findings recorded; the after-summary and outcomes go out."""
    close_inspection(session, inspection, now=now)
    return send_after_summary(session, inspection, now=now, settings=settings)


def action_done(
    session: Session, finding: InspectionFinding, *, now: datetime, settings: Settings
) -> int:
    """Mark the finding's action done and tell its reporters, once."""
    if not mark_action_done(finding, now=now):
        return 0
    return tell_action_done(session, finding, now=now, settings=settings)
