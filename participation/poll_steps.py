"""The staff steps of a poll that tenants hear about, each in one transaction.

The console and the API both call these, so a poll published, an area reminded or
an outcome published reaches tenants the same way whichever way staff did it: the
change and the messages it causes commit together. A reason a step cannot be taken
comes back as models.polls.PollError, for the console or the API to show.

Staff may give the question, the options and the outcome in any of the other
languages we have; a language they leave out is sent the English with a note.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from itertools import chain

from sqlalchemy.orm import Session

from bot import catalogue
from bot.flow import Settings
from bot.household_votes import tell_replaced_member
from bot.poll_notices import (
    outcome_too_long,
    send_invitation,
    send_outcome,
    send_reminder,
    too_long_to_ask,
)
from models.audiences import Audience
from models.polls import (
    ENGLISH,
    LONGEST_QUESTION,
    Cast,
    Poll,
    PollError,
    Translation,
    VoteSource,
    cast_vote,
    check_options,
    check_outcomes,
    check_translations,
    close_poll,
    create_poll,
    non_voters,
    participants,
    set_outcome,
    tidy,
)
from models.tenants import Recipient, Tenant

STAFF_SOURCES = (VoteSource.PAPER, VoteSource.PHONE)


def publish(
    session: Session,
    *,
    question: str,
    options: Sequence[str],
    audience: Audience,
    closes_at: datetime,
    per_household: bool,
    reminder_days: int,
    staff_id: int | None,
    now: datetime,
    settings: Settings,
    translations: Mapping[str, Translation] | None = None,
    call_landlines: bool = False,
) -> Poll:
    """Open the poll and invite its audience; refused if VOTE could not ask it in 2 SMS.
    With ``call_landlines``, landline-only tenants are phoned, and vote with keys."""
    labels = check_options(options)
    _known_languages(translations or {})
    checked = check_translations(translations or {}, labels)
    written = {
        language: Translation(words["question"], words["options"])
        for language, words in checked.items()
    }
    asked = tidy(question, LONGEST_QUESTION)
    too_long = too_long_to_ask(asked, labels, closes_at, settings, written)
    if too_long is not None:
        raise PollError(too_long)
    poll = create_poll(
        session,
        question=question,
        options=labels,
        translations=written,
        audience=audience,
        closes_at=closes_at,
        per_household=per_household,
        reminder_days=reminder_days,
        staff_id=staff_id,
        now=now,
        zone=settings.timezone,
        call_landlines=call_landlines,
    )
    invited = audience.recipients(session, call_landlines=call_landlines)
    poll.invited = send_invitation(session, poll, _each(invited), now=now, settings=settings)
    return poll


def vote_for_tenant(
    session: Session,
    poll: Poll,
    tenant: Tenant,
    *,
    choice: int,
    source: str,
    staff_id: int | None,
    now: datetime,
    settings: Settings,
) -> Cast:
    """A paper or phone answer entered by staff; it counts like the tenant's own, and the
    tenant's own later vote (or their household's) replaces it. A household member whose
    vote it replaced is told, as when the tenant votes by text."""
    if source not in STAFF_SOURCES:
        raise PollError("staff enter paper or phone answers: source must be paper or phone")
    cast = cast_vote(
        session, poll, tenant, choice=choice, source=source, staff_id=staff_id, now=now
    )
    tell_replaced_member(session, poll, cast, now=now, settings=settings)
    return cast


def remind_area(
    session: Session, poll: Poll, area_id: int, *, now: datetime, settings: Settings
) -> int:
    """A reminder to the audience in one area who have not voted; how many were queued."""
    if not poll.open_at(now):
        raise PollError("this poll has closed: there is nobody left to remind")
    pages = non_voters(session, poll, area_id=area_id)
    return send_reminder(session, poll, _each(pages), now=now, settings=settings)


def remind_all(session: Session, poll: Poll, *, now: datetime, settings: Settings) -> int:
    """The poll's one automatic reminder, to everyone in its audience who has not voted."""
    told = send_reminder(
        session, poll, _each(non_voters(session, poll)), now=now, settings=settings
    )
    poll.reminder_sent_at = now
    return told


def close_early(session: Session, poll: Poll, *, now: datetime) -> None:
    if not close_poll(session, poll, now=now):
        raise PollError("this poll has closed already")


def publish_outcome(
    session: Session,
    poll: Poll,
    *,
    outcome: str,
    staff_id: int | None,
    now: datetime,
    settings: Settings,
    translations: Mapping[str, str] | None = None,
) -> int:
    """ "You said, we did", once: everyone who took part is told; how many were queued."""
    if not poll.open_at(now):
        close_poll(session, poll, now=now)  # its time has passed though the task has not run
    _known_languages(translations or {})
    written = check_outcomes(translations or {})
    too_long = outcome_too_long(tidy(outcome, len(outcome)), settings, written)
    if too_long is not None:
        raise PollError(too_long)
    set_outcome(poll, outcome=outcome, staff_id=staff_id, now=now, translations=written)
    return send_outcome(
        session, poll, _each(participants(session, poll)), now=now, settings=settings
    )


def _known_languages(translations: Mapping[str, object]) -> None:
    """Only the other languages we have: English is the poll's own question and options."""
    others = [code for code in catalogue.languages() if code != ENGLISH]
    for language in translations:
        if language not in others:
            raise PollError(
                f"{language[:8]}: not one of the other languages we have ({', '.join(others)})"
            )


def _each(pages: Iterable[list[Recipient]]) -> Iterator[Recipient]:
    """The recipients of a paged query one by one, still read a page at a time."""
    return chain.from_iterable(pages)
