"""What tenants hear about a repair: the survey the day after, and "you said, we did".

Both are queued as notices on the surveys topic, so they wait for the sending window
and a tenant who opted out of surveys gets neither. The outcome staff write is cut
short (with an ellipsis) until the message fits 2 SMS.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

from babel import Locale
from babel.dates import format_date
from sqlalchemy.orm import Session

from bot import catalogue
from bot.flow import Settings
from bot.flows.repair_survey import job_label
from bot.message_kinds import declare
from bot.notices import queue_notices
from bot.sms import Cut, fit
from models.consent import Topic
from models.repairs import Repair, RepairOutcome, answered_for
from models.tenants import CALLING_LANDLINES, Tenant, recipient_of, recipients

SHORTEST_OUTCOME = 20
SURVEY_NOTICE = declare("repairs.survey_notice", answered_by="SURVEY")  # press 1 to answer
OUTCOME = declare("repairs.outcome")


def send_survey(session: Session, repair: Repair, *, now: datetime, settings: Settings) -> bool:
    """Ask the tenant about the repair, once; False when there is nobody to ask. A
    landline-only tenant is phoned, and pressing 1 starts the survey on the call."""
    tenant = repair.tenant
    recipient = recipient_of(tenant) if tenant is not None else None
    if recipient is None or repair.survey_sent_at is not None:
        return False
    queue_notices(
        session,
        [recipient],
        partial(survey_text, repair=repair, settings=settings),
        topic=Topic.SURVEYS,
        now=now,
        settings=settings,
        keyword_on_1=SURVEY_NOTICE.answered_by,
    )
    repair.survey_sent_at = now
    return True


def survey_text(language: str, repair: Repair, settings: Settings) -> str:
    local = repair.completed_at.astimezone(settings.timezone)
    locale = Locale.parse(catalogue.template(language, "language.locale"))
    day = format_date(
        local.date(), catalogue.template(language, "format.spoken_date"), locale=locale
    )
    return catalogue.render(
        language,
        SURVEY_NOTICE.key,
        landlord=settings.landlord,
        job=job_label(language, repair.job_type),
        date=day,
    )


def tell_outcome(
    session: Session, outcome: RepairOutcome, *, now: datetime, settings: Settings
) -> int:
    """'You said, we did' to everyone who answered a survey for the outcome's repairs; one
    who answered on a landline is phoned it."""
    tenant_ids = answered_for(session, outcome)

    def text_in(language: str) -> str:
        return outcome_text(language, outcome, settings)

    told = 0
    for start in range(0, len(tenant_ids), 500):
        chunk = tenant_ids[start : start + 500]
        for page in recipients(session, Tenant.id.in_(chunk), channels=CALLING_LANDLINES):
            told += queue_notices(
                session, page, text_in, topic=Topic.SURVEYS, now=now, settings=settings
            )
    return told


def outcome_text(language: str, outcome: RepairOutcome, settings: Settings) -> str:
    def compose(shorten: Cut) -> str:
        return catalogue.render(
            language,
            OUTCOME.key,
            landlord=settings.landlord,
            job=job_label(language, outcome.job_type),
            outcome=shorten(outcome.outcome),
        )

    return fit(compose, shortest=SHORTEST_OUTCOME)
