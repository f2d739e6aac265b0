"""What tenants hear about a poll, composed in their language and queued.

The question as VOTE asks it (the question, its numbered options and the closing
time) must fit 2 SMS in every language, and so must the outcome: staff are told on
saving when they do not, rather than tenants paying for a third segment. The
invitation and reminders carry the question too; there it is cut short (with an
ellipsis) if the words around it would push it past 2 SMS, since VOTE asks it whole.

Every function that queues does so in the caller's transaction through
bot.notices, so the messages wait for the sending window and are checked against
the tenant's consent to surveys when sent; each returns how many it queued.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from functools import cache

from sqlalchemy.orm import Session

from bot import catalogue
from bot.flow import Reply, Settings
from bot.notices import queue_notices
from bot.outbox import render_for_channel
from bot.sms import fit_for_sms, fits
from models.consent import Topic
from models.polls import Poll
from models.tenants import Recipient

ELLIPSIS = "..."
LONGEST_LISTED = 40  # characters of a question in the list of open polls


def closes(language: str, poll: Poll, settings: Settings) -> str:
    return catalogue.spoken_time(language, poll.closes_at, settings.timezone)


def ask_text(
    language: str, question: str, options: Sequence[str], closes_at: datetime, settings: Settings
) -> str:
    """The poll as VOTE asks it on SMS: the question and by when, its numbered options."""
    closes = catalogue.spoken_time(language, closes_at, settings.timezone)
    asked = catalogue.render(language, "polls.ask", question=question, closes=closes)
    return render_for_channel("sms", language, Reply(asked, tuple(options)))


def too_long_to_ask(
    question: str, options: Sequence[str], closes_at: datetime, settings: Settings
) -> str | None:
    """Why the poll cannot be asked in 2 SMS (in some language), or None when it can."""
    for language in catalogue.languages():
        if not _fits(ask_text(language, question, options, closes_at, settings)):
            return (
                "The question and its options do not fit in 2 text messages "
                f"(checked in {catalogue.render(language, 'language.name')}). "
                "Shorten the question or the options."
            )
    return None


def outcome_text(language: str, outcome: str, settings: Settings) -> str:
    return catalogue.render(language, "polls.outcome", outcome=outcome, landlord=settings.landlord)


def outcome_too_long(outcome: str, settings: Settings) -> str | None:
    """Why the outcome does not fit 2 SMS (in some language), or None when it does."""
    for language in catalogue.languages():
        if not _fits(outcome_text(language, outcome, settings)):
            return (
                "The outcome does not fit in 2 text messages "
                f"(checked in {catalogue.render(language, 'language.name')}). Shorten it."
            )
    return None


def listed(question: str) -> str:
    """A question short enough to stand in the list of open polls."""
    return _cut(question, LONGEST_LISTED)


def about_poll(language: str, key: str, poll: Poll, settings: Settings) -> str:
    """The invitation or a reminder, with the question cut only as far as it must be."""

    def compose(question: str) -> str:
        return catalogue.render(
            language,
            key,
            landlord=settings.landlord,
            question=question,
            closes=closes(language, poll, settings),
        )

    whole = compose(poll.question)
    if _fits(whole):
        return whole
    longest = len(poll.question)
    while longest > 0 and not _fits(compose(_cut(poll.question, longest))):
        longest -= 5
    return compose(_cut(poll.question, max(longest, 0)))


# --- queueing --------------------------------------------------------------------------------


def send_invitation(
    session: Session,
    poll: Poll,
    recipients: Iterable[Recipient],
    *,
    now: datetime,
    settings: Settings,
) -> int:
    return _queue(session, recipients, _texts("polls.invitation", poll, settings), now, settings)


def send_reminder(
    session: Session,
    poll: Poll,
    recipients: Iterable[Recipient],
    *,
    now: datetime,
    settings: Settings,
) -> int:
    return _queue(session, recipients, _texts("polls.reminder", poll, settings), now, settings)


def send_outcome(
    session: Session,
    poll: Poll,
    recipients: Iterable[Recipient],
    *,
    now: datetime,
    settings: Settings,
) -> int:
    @cache
    def text_in(language: str) -> str:
        return outcome_text(language, poll.outcome, settings)

    return _queue(session, recipients, text_in, now, settings)


def _texts(key: str, poll: Poll, settings: Settings) -> Callable[[str], str]:
    @cache
    def text_in(language: str) -> str:
        return about_poll(language, key, poll, settings)

    return text_in


def _queue(
    session: Session,
    recipients: Iterable[Recipient],
    text_in: Callable[[str], str],
    now: datetime,
    settings: Settings,
) -> int:
    return queue_notices(
        session, recipients, text_in, topic=Topic.SURVEYS, now=now, settings=settings
    )


def _fits(text: str) -> bool:
    return fits(fit_for_sms(text))


def _cut(words: str, longest: int) -> str:
    if len(words) <= longest:
        return words
    head = words[: max(longest - len(ELLIPSIS), 0)]
    return head.rstrip(" .,;:?") + ELLIPSIS
