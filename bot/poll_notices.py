"""What tenants hear about a poll, composed in their language and queued.

The question as VOTE asks it (the question, its numbered options and the closing
time) must fit 2 SMS in English and in each language staff wrote it in, and so must
the outcome: staff are told on saving when they do not, rather than tenants paying
for a third segment. A tenant of a language staff did not write gets it all in
English (VOTE asks in English too, so the SMS stays GSM-7), and the invitation,
reminder and outcome carry a one-line note in their language (bot.notices.InEnglish).
The invitation and reminders carry the question too; there it is cut short (with an
ellipsis) if the words around it would push it past 2 SMS, since VOTE asks it whole.

Every function that queues does so in the caller's transaction through
bot.notices, so the messages wait for the sending window and are checked against
the tenant's consent to surveys when sent; each returns how many it queued.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from bot import catalogue
from bot.flow import Settings
from bot.message_kinds import declare
from bot.messages import Reply
from bot.notices import Notice, english_for, queue_notices
from bot.presentation import fits_everywhere
from bot.sms import Cut, cut, fit, fit_for_sms, fits
from models.consent import Topic
from models.polls import ENGLISH, Poll, Translation
from models.tenants import Recipient

LONGEST_LISTED = 40  # characters of a question in the list of open polls
VOTE_BY_PHONE = "VOTE"  # an invitation or reminder phoned to a landline: press 1 to vote
INVITATION = declare("polls.invitation", answered_by=VOTE_BY_PHONE)
REMINDER = declare("polls.reminder", answered_by=VOTE_BY_PHONE)
OUTCOME = declare("polls.outcome")


def closes(language: str, poll: Poll, settings: Settings) -> str:
    return catalogue.spoken_time(language, poll.closes_at, settings.timezone)


def asking(
    language: str, question: str, options: Sequence[str], closes_at: datetime, settings: Settings
) -> Reply:
    """The poll as VOTE asks it: the question and by when, and its options."""
    closes = catalogue.spoken_time(language, closes_at, settings.timezone)
    asked = catalogue.render(language, "polls.ask", question=question, closes=closes)
    return Reply(asked, tuple(options))


def asked_in(poll: Poll, language: str) -> str:
    """The language a tenant of ``language`` is asked in: theirs if staff wrote it, else English."""
    return language if poll.question_in(language) is not None else ENGLISH


def too_long_to_ask(
    question: str,
    options: Sequence[str],
    closes_at: datetime,
    settings: Settings,
    translations: Mapping[str, Translation] | None = None,
) -> str | None:
    """Why the poll cannot be asked in 2 SMS (in English or a language staff wrote it in),
    or None when it can; every other language is asked in English."""
    asked = {ENGLISH: Translation(question, options), **(translations or {})}
    for language, words in asked.items():
        reply = asking(language, words.question, words.options, closes_at, settings)
        if not fits_everywhere(language, reply):
            return (
                "The question and its options do not fit in 2 text messages "
                f"(checked in {catalogue.render(language, 'language.name')}). "
                "Shorten the question or the options."
            )
    return None


def outcome_text(language: str, outcome: str, settings: Settings) -> str:
    return catalogue.render(language, OUTCOME.key, outcome=outcome, landlord=settings.landlord)


def outcome_too_long(
    outcome: str, settings: Settings, translations: Mapping[str, str] | None = None
) -> str | None:
    """Why the outcome does not fit 2 SMS (in English or a language staff wrote it in),
    or None when it does."""
    for language, words in {ENGLISH: outcome, **(translations or {})}.items():
        if not _fits(outcome_text(language, words, settings)):
            return (
                "The outcome does not fit in 2 text messages "
                f"(checked in {catalogue.render(language, 'language.name')}). Shorten it."
            )
    return None


def listed(question: str) -> str:
    """A question short enough to stand in the list of open polls."""
    return cut(question, LONGEST_LISTED)


def about_poll(language: str, key: str, poll: Poll, settings: Settings) -> Notice:
    """The invitation or a reminder in the tenant's language, or in English with the note."""
    question = poll.question_in(language)
    if question is None:
        return english_for(language, _about(ENGLISH, key, poll.question, poll, settings))
    return _about(language, key, question, poll, settings)


def outcome_for(language: str, poll: Poll, settings: Settings) -> Notice:
    """The outcome in the tenant's language, or in English with the note."""
    outcome = poll.outcome_in(language)
    if outcome is None:
        return english_for(language, outcome_text(ENGLISH, poll.outcome, settings))
    return outcome_text(language, outcome, settings)


def _about(language: str, key: str, question: str, poll: Poll, settings: Settings) -> str:
    """The question cut only as far as it must be for the whole to fit 2 SMS."""

    def compose(shorten: Cut) -> str:
        return catalogue.render(
            language,
            key,
            landlord=settings.landlord,
            question=shorten(question),
            closes=closes(language, poll, settings),
        )

    return fit(compose)


# --- queueing --------------------------------------------------------------------------------


def send_invitation(
    session: Session,
    poll: Poll,
    recipients: Iterable[Recipient],
    *,
    now: datetime,
    settings: Settings,
) -> int:
    text_in = _texts(INVITATION.key, poll, settings)
    return _queue(session, recipients, text_in, now, settings, keyword_on_1=INVITATION.answered_by)


def send_reminder(
    session: Session,
    poll: Poll,
    recipients: Iterable[Recipient],
    *,
    now: datetime,
    settings: Settings,
) -> int:
    text_in = _texts(REMINDER.key, poll, settings)
    return _queue(session, recipients, text_in, now, settings, keyword_on_1=REMINDER.answered_by)


def send_outcome(
    session: Session,
    poll: Poll,
    recipients: Iterable[Recipient],
    *,
    now: datetime,
    settings: Settings,
) -> int:
    def text_in(language: str) -> Notice:
        return outcome_for(language, poll, settings)

    return _queue(session, recipients, text_in, now, settings)


def _texts(key: str, poll: Poll, settings: Settings) -> Callable[[str], Notice]:
    def text_in(language: str) -> Notice:
        return about_poll(language, key, poll, settings)

    return text_in


def _queue(
    session: Session,
    recipients: Iterable[Recipient],
    text_in: Callable[[str], Notice],
    now: datetime,
    settings: Settings,
    *,
    keyword_on_1: str | None = None,
) -> int:
    return queue_notices(
        session,
        recipients,
        text_in,
        topic=Topic.SURVEYS,
        now=now,
        settings=settings,
        keyword_on_1=keyword_on_1,
    )


def _fits(text: str) -> bool:
    return fits(fit_for_sms(text))
