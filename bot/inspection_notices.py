"""What tenants hear about an estate inspection, composed in their language and queued.

Every function queues outbox rows in the caller's transaction (through bot.notices, so
they wait for the sending window and are checked against the tenant's consent for
inspection messages when sent) and returns how many it queued.

Staff type the area's name, the meeting point, what was found and the action agreed,
and any of them can be long: each text cuts those words short (with an ellipsis) until
the whole message fits 2 SMS, and the after-summary drops an action rather than cut it
to nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from functools import cache, partial
from typing import Literal

from babel import Locale
from babel.dates import format_date
from sqlalchemy.orm import Session

from bot import catalogue
from bot.flow import Settings
from bot.notices import queue_notice, queue_notices
from bot.sms import Cut, fit, fit_for_sms, longest_cut
from models.consent import Topic
from models.inspections import (
    Inspection,
    InspectionFinding,
    IssueReport,
    audience_in_chunks,
    mark_all_told,
    reports_for,
    rsvps_for,
    told_in_chunks,
)
from models.tenants import Identity, Tenant, reach

_queue_all = partial(queue_notices, topic=Topic.INSPECTIONS)  # every notice here is about a walk
REPORT_BY_PHONE = "REPORT"  # a notice phoned to a landline: press 1 to report a problem
COMING_BY_PHONE = "COMING"  # a move phoned to a landline: press 1 to say if you can come

SUMMARY_ACTIONS = 2
SHORTEST_ACTION = 20  # characters: an action cut shorter than this says nothing; drop it
# A move or cancellation that would wait for the window until less than this before the
# walk goes at once instead: nobody should set out for a walk that is off.
HEADS_UP = timedelta(hours=3)

Compose = Callable[[Cut], str]


def send_notice(
    session: Session,
    inspection: Inspection,
    which: Literal["notice", "reminder"],
    *,
    now: datetime,
    settings: Settings,
) -> int:
    """The notice (or reminder) to the area's audience; each is recorded as told.

    The reminder leaves out tenants who said they are not coming.
    """
    not_coming = (
        {rsvp.tenant_id for rsvp in rsvps_for(session, inspection.id) if not rsvp.coming}
        if which == "reminder"
        else set()
    )

    def text_in(language: str) -> str:
        return _about_walk(language, f"inspection.{which}", inspection, settings)

    told = 0
    audience = audience_in_chunks(
        session, inspection.area_id, call_landlines=inspection.call_landlines
    )
    for chunk in audience:
        coming = [recipient for recipient in chunk if recipient.tenant_id not in not_coming]
        told += _queue_all(
            session, coming, text_in, now=now, settings=settings, keyword_on_1=REPORT_BY_PHONE
        )
        mark_all_told(session, inspection.id, [r.tenant_id for r in coming], now=now)
    return told


def tell_moved(
    session: Session,
    inspection: Inspection,
    *,
    previous_start: datetime,
    now: datetime,
    settings: Settings,
) -> int:
    """The new time and place, to everyone already told about the walk.

    It goes at once if the sooner of the old and new times is too close to wait for the
    window: a tenant must not set out for the old time because the news waited for 09:00.
    """
    soonest = min(previous_start, inspection.starts_at)
    return _tell_those_told(
        session, inspection, "inspection.moved", soonest=soonest, now=now, settings=settings
    )


def tell_cancelled(
    session: Session, inspection: Inspection, *, now: datetime, settings: Settings
) -> int:
    """The walk is off: to everyone already told about it, naming the time that was booked."""
    return _tell_those_told(
        session,
        inspection,
        "inspection.cancelled",
        soonest=inspection.starts_at,
        now=now,
        settings=settings,
    )


def send_after_summary(
    session: Session, inspection: Inspection, *, now: datetime, settings: Settings
) -> int:
    """After closing: the short summary to the area, and each reporter their report's outcome."""

    @cache
    def text_in(language: str) -> str:
        return _summary(language, inspection, settings)

    sent = 0
    for chunk in audience_in_chunks(session, inspection.area_id):
        sent += _queue_all(session, chunk, text_in, now=now, settings=settings)
    for report in reports_for(session, inspection.id):
        if report.outcome_told_at is None and _tell_reporter(
            session, report, _outcome(report, settings), now=now, settings=settings
        ):
            report.outcome_told_at = now
            sent += 1
    return sent


def tell_action_done(
    session: Session, finding: InspectionFinding, *, now: datetime, settings: Settings
) -> int:
    """A finding's action is done: each tenant whose report it answers hears so, once."""
    told = 0
    for report in finding.reports:
        if report.done_told_at is None and _tell_reporter(
            session, report, partial(_done, report, finding, settings), now=now, settings=settings
        ):
            report.done_told_at = now
            told += 1
    return told


def full_list(language: str, inspection: Inspection, *, settings: Settings) -> list[str]:
    """MORE: every finding of the walk, one short SMS each (at most 2 segments apiece)."""
    total = len(inspection.findings)
    return [
        fit_for_sms(fit(partial(_finding_line, language, finding, number, total)))
        for number, finding in enumerate(inspection.findings, start=1)
    ]


# --- composing -----------------------------------------------------------------------------


def _about_walk(language: str, key: str, inspection: Inspection, settings: Settings) -> str:
    """A notice, reminder, move or cancellation: who, where, when and the meeting point."""
    when = catalogue.spoken_time(language, inspection.starts_at, settings.timezone)
    return fit(
        lambda cut: catalogue.render(
            language,
            key,
            landlord=settings.landlord,
            area=cut(inspection.area.name),
            when=when,
            place=cut(inspection.meeting_point),
        )
    )


def _summary(language: str, inspection: Inspection, settings: Settings) -> str:
    """How many things to fix and the first actions due, dropping actions that do not fit."""
    area = inspection.area.name
    if not inspection.findings:
        return fit(
            lambda cut: catalogue.render(
                language, "inspection.summary_nothing", landlord=settings.landlord, area=cut(area)
            )
        )
    first_due = sorted(
        (finding for finding in inspection.findings if _bare(finding.action)),
        key=lambda finding: (finding.due_on is None, finding.due_on or date.min, finding.id),
    )[:SUMMARY_ACTIONS]

    def compose(shown: Sequence[InspectionFinding], cut: Cut) -> str:
        actions = " ".join(_action(language, finding, cut) for finding in shown)
        text = catalogue.render(
            language,
            "inspection.summary",
            landlord=settings.landlord,
            area=cut(area),
            count=len(inspection.findings),
            actions=actions,
        )
        return " ".join(text.split())  # no double space where no action is shown

    for count in range(len(first_due), 0, -1):
        longest = longest_cut(partial(compose, first_due[:count]))
        if longest is None or longest >= SHORTEST_ACTION:
            return fit(partial(compose, first_due[:count]))
    return fit(partial(compose, ()))


def _action(language: str, finding: InspectionFinding, cut: Cut) -> str:
    """'Fix the stair light, by Tue 3 Dec.' or, with no date agreed, 'Fix the stair light.'"""
    action = cut(_bare(finding.action))
    if finding.due_on is None:
        return catalogue.render(language, "inspection.action_undated", action=action)
    return catalogue.render(
        language, "inspection.action_by", action=action, date=_spoken_date(language, finding.due_on)
    )


def _finding_line(
    language: str, finding: InspectionFinding, number: int, total: int, cut: Cut
) -> str:
    """'2/5: Broken stair light at number 12. Replace the light, by Fri 12 Dec.'"""
    action = _action(language, finding, cut) if _bare(finding.action) else ""
    return catalogue.render(
        language,
        "inspection.more_item",
        number=number,
        total=total,
        found=cut(_bare(finding.found)),
        action=action,
    ).strip()


def _outcome(report: IssueReport, settings: Settings) -> Compose:
    """What the walk agreed about one tenant's report, in the reporter's language."""
    language = report.tenant.language if report.tenant else catalogue.DEFAULT_LANGUAGE
    finding = report.finding
    if finding is None or not _bare(finding.action):
        return lambda _cut: catalogue.render(
            language,
            "inspection.report_no_action",
            landlord=settings.landlord,
            reference=report.reference,
        )
    return lambda cut: catalogue.render(
        language,
        "inspection.report_outcome",
        landlord=settings.landlord,
        reference=report.reference,
        action=_action(language, finding, cut),
    )


def _done(report: IssueReport, finding: InspectionFinding, settings: Settings, cut: Cut) -> str:
    language = report.tenant.language if report.tenant else catalogue.DEFAULT_LANGUAGE
    return catalogue.render(
        language,
        "inspection.report_done",
        landlord=settings.landlord,
        reference=report.reference,
        action=cut(_bare(finding.action) or _bare(finding.found)),
    )


def _spoken_date(language: str, day: date) -> str:
    locale = Locale.parse(catalogue.template(language, "language.locale"))
    return format_date(day, catalogue.template(language, "format.spoken_date"), locale=locale)


def _bare(words: str) -> str:
    """Staff words without the full stop the texts add themselves."""
    return words.strip().rstrip(".,;: ")


# --- queueing ----------------------------------------------------------------------------


def _tell_those_told(
    session: Session,
    inspection: Inspection,
    key: str,
    *,
    soonest: datetime,
    now: datetime,
    settings: Settings,
) -> int:
    """A move or a cancellation, at once if waiting for the window would leave it too late."""
    wait_until = settings.sending_window.first_moment(now)
    urgent = now < soonest and wait_until > soonest - HEADS_UP

    def text_in(language: str) -> str:
        return _about_walk(language, key, inspection, settings)

    answer_by_phone = COMING_BY_PHONE if key == "inspection.moved" else None
    told = 0
    for chunk in told_in_chunks(session, inspection):
        told += _queue_all(
            session,
            chunk,
            text_in,
            now=now,
            settings=settings,
            urgent=urgent,
            keyword_on_1=answer_by_phone,
        )
    return told


def _tell_reporter(
    session: Session,
    report: IssueReport,
    compose: Compose,
    *,
    now: datetime,
    settings: Settings,
) -> bool:
    """One message about a tenant's own report; False when the tenant is gone or unreachable."""
    identity = reach(report.tenant) if report.tenant is not None else None
    if report.tenant is None or identity is None:
        return False
    _queue(session, report.tenant, identity, fit(compose), now=now, settings=settings)
    return True


def _queue(
    session: Session,
    tenant: Tenant,
    identity: Identity,
    text: str,
    *,
    now: datetime,
    settings: Settings,
    urgent: bool = False,
) -> None:
    queue_notice(
        session,
        tenant=tenant,
        identity=identity,
        text=text,
        topic=Topic.INSPECTIONS,
        now=now,
        settings=settings,
        urgent=urgent,
    )
