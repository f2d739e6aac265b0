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
from functools import partial
from typing import Literal

from babel import Locale
from babel.dates import format_date
from sqlalchemy.orm import Session

from bot import catalogue
from bot.flow import Settings
from bot.message_kinds import declare
from bot.notices import queue_notices
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
from models.tenants import recipient_of

_queue_all = partial(queue_notices, topic=Topic.INSPECTIONS)  # every notice here is about a walk
REPORT_BY_PHONE = "REPORT"  # a notice phoned to a landline: press 1 to report a problem
COMING_BY_PHONE = "COMING"  # a move phoned to a landline: press 1 to say if you can come
NOTICE = declare("inspection.notice", answered_by=REPORT_BY_PHONE)
REMINDER = declare("inspection.reminder", answered_by=REPORT_BY_PHONE)
MOVED = declare("inspection.moved", answered_by=COMING_BY_PHONE)
CANCELLED = declare("inspection.cancelled")
SUMMARY = declare("inspection.summary")
SUMMARY_NOTHING = declare("inspection.summary_nothing")
REPORT_OUTCOME = declare("inspection.report_outcome")
REPORT_NO_ACTION = declare("inspection.report_no_action")
REPORT_DONE = declare("inspection.report_done")

SUMMARY_ACTIONS = 2
SHORTEST_ACTION = 20  # characters: an action cut shorter than this says nothing; drop it
# A move or cancellation that would wait for the window until less than this before the
# walk goes at once instead: nobody should set out for a walk that is off.
HEADS_UP = timedelta(hours=3)


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
        session, inspection, MOVED.key, soonest=soonest, now=now, settings=settings
    )


def tell_cancelled(
    session: Session, inspection: Inspection, *, now: datetime, settings: Settings
) -> int:
    """The walk is off: to everyone already told about it, naming the time that was booked."""
    return _tell_those_told(
        session,
        inspection,
        CANCELLED.key,
        soonest=inspection.starts_at,
        now=now,
        settings=settings,
    )


def send_after_summary(
    session: Session, inspection: Inspection, *, now: datetime, settings: Settings
) -> int:
    """After closing: the short summary to the area, and each reporter their report's outcome."""

    def text_in(language: str) -> str:
        return _summary(language, inspection, settings)

    sent = 0
    audience = audience_in_chunks(
        session, inspection.area_id, call_landlines=inspection.call_landlines
    )
    for chunk in audience:
        sent += _queue_all(session, chunk, text_in, now=now, settings=settings)
    for report in reports_for(session, inspection.id):
        if report.outcome_told_at is None and _tell_reporter(
            session, report, partial(_outcome, report, settings), now=now, settings=settings
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
            session,
            report,
            partial(_done, report, finding, settings),
            now=now,
            settings=settings,
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
                language, SUMMARY_NOTHING.key, landlord=settings.landlord, area=cut(area)
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
            SUMMARY.key,
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


def _outcome(report: IssueReport, settings: Settings, language: str, cut: Cut) -> str:
    """What the walk agreed about one tenant's report, in ``language`` (the reporter's, or
    the one a call speaks)."""
    finding = report.finding
    if finding is None or not _bare(finding.action):
        return catalogue.render(
            language,
            REPORT_NO_ACTION.key,
            landlord=settings.landlord,
            reference=report.reference,
        )
    return catalogue.render(
        language,
        REPORT_OUTCOME.key,
        landlord=settings.landlord,
        reference=report.reference,
        action=_action(language, finding, cut),
    )


def _done(
    report: IssueReport, finding: InspectionFinding, settings: Settings, language: str, cut: Cut
) -> str:
    return catalogue.render(
        language,
        REPORT_DONE.key,
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

    answer_by_phone = MOVED.answered_by if key == MOVED.key else None
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
    compose: Callable[[str, Cut], str],
    *,
    now: datetime,
    settings: Settings,
) -> bool:
    """One message about a tenant's own report, in their language; False when the tenant is
    gone or unreachable. A report left by voice note on a landline is answered by a call."""
    recipient = recipient_of(report.tenant) if report.tenant is not None else None
    if recipient is None:
        return False
    _queue_all(
        session,
        [recipient],
        lambda language: fit(partial(compose, language)),
        now=now,
        settings=settings,
    )
    return True
