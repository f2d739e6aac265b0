"""What staff enter for a tenant who phoned, wrote or came to the office.

Each entry goes through the same rules as the tenant's own answer (an event's capacity
and waiting list, under the event's lock), is marked with how it came
(models.on_behalf.EntrySource) and who entered it, and queues what the tenant's own
answer would have caused for others (a place freed promotes the waiting list). The
console and the API both call these, so an entry made either way is the same.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import danger
from bot.event_notices import tell_promoted
from bot.flow import Settings
from models.events import Answer, Answered, Event, EventRecipient, answer_rsvp, open_to
from models.inspections import IssueReport, ReportCategory, file_report
from models.mystery_shopping import (
    SHOPPER_ROLE,
    MysteryShopCheckIn,
    check_in_for,
    find_check_in,
    finish,
    month_of,
    record_answers,
    record_words,
)
from models.on_behalf import EntrySource, OnBehalfError
from models.tenants import Tenant

RSVP_ANSWERS = (Answer.YES, Answer.NO, Answer.MAYBE)


def source_checked(source: str) -> EntrySource:
    """How an entry came; anything else is refused with the choices."""
    try:
        return EntrySource(source)
    except ValueError:
        choices = ", ".join(each.value for each in EntrySource)
        raise OnBehalfError(f"how it came must be one of {choices}") from None


def rsvp_for_tenant(
    session: Session,
    event: Event,
    tenant: Tenant,
    *,
    answer: str,
    party: int,
    source: str,
    staff_id: int | None,
    now: datetime,
    settings: Settings,
) -> Answered:
    """A tenant's answer to an event, taken by staff; it counts exactly as their own.

    Only a tenant the event is open to may answer it, as by text. A yes that does not fit
    goes on the waiting list, numbered under the event's lock (models.events.answer_rsvp).
    Raises models.events.EventsError when answers are closed.
    """
    came = source_checked(source)
    if answer not in RSVP_ANSWERS:
        raise OnBehalfError("the answer must be yes, no or maybe")
    if not 1 <= party <= event.most_per_party:
        raise OnBehalfError(f"the party must be 1 to {event.most_per_party} people")
    invited = set(
        session.scalars(
            select(EventRecipient.event_id).where(EventRecipient.tenant_id == tenant.id)
        )
    )
    if not open_to(event, tenant, invited):
        raise OnBehalfError("this event is not open to this tenant")
    result = answer_rsvp(
        session,
        event,
        tenant.id,
        answer=answer,
        party=party,
        channel=came.value,
        now=now,
        staff_id=staff_id,
    )
    tell_promoted(session, event, result.promoted, now=now, settings=settings)
    return result


def report_for_tenant(
    session: Session,
    tenant: Tenant,
    *,
    category: str,
    location: str,
    description: str,
    source: str,
    staff_id: int | None,
    now: datetime,
) -> IssueReport:
    """An estate issue a tenant told staff about, kept for their area's next walk as their
    own report is. Danger is flagged as by text (bot.danger); the tenant, there with staff,
    is not texted the repairs line: staff tell them."""
    came = source_checked(source)
    try:
        ReportCategory(category)
    except ValueError:
        raise OnBehalfError(f"there is no category {category}") from None
    if not location.strip() or not description.strip():
        raise OnBehalfError("say where it is and what is wrong")
    report = file_report(
        session,
        tenant=tenant,
        category=category,
        location=location,
        description=description,
        photo_ids=[],
        channel=came.value,
        now=now,
        staff_id=staff_id,
    )
    report.urgent = danger.sounds_dangerous(f"{report.location}\n{report.description}")
    return report


def check_in_for_shopper(
    session: Session,
    tenant: Tenant,
    *,
    answers: dict[str, str | int],
    what_happened: str | None,
    improve: str | None,
    source: str,
    staff_id: int | None,
    now: datetime,
    settings: Settings,
) -> MysteryShopCheckIn:
    """A shopper's check-in for this month, told to staff, kept finished as their own.

    Who may enter one is the staff side's rule (staff.shoppers): only staff an admin lets
    see shoppers, since whether a tenant is one is what the rule hides. A low score
    raises the same unnamed alert. The tenant's row is locked, as the scheduler does, so a
    check-in by text at the same moment cannot make a second one.
    """
    came = source_checked(source)
    session.execute(select(Tenant.id).where(Tenant.id == tenant.id).with_for_update())
    if SHOPPER_ROLE not in tenant.role_names:
        raise OnBehalfError("this tenant is not a mystery shopper")
    month = month_of(now, settings.timezone)
    found = find_check_in(session, tenant.id, month)
    if found is not None and found.finished:
        raise OnBehalfError(f"this shopper has checked in for {month} already")
    check_in = check_in_for(session, tenant.id, month)
    check_in.started_at = check_in.started_at or now
    check_in.channel, check_in.entered_by_staff_id = came.value, staff_id
    record_answers(session, check_in, now=now, **answers)  # type: ignore[arg-type]
    record_words(session, check_in, now=now, question="what_happened", words=what_happened)
    record_words(session, check_in, now=now, question="improve", words=improve)
    finish(check_in, now=now)
    return check_in
