"""Notice calls nobody answered are tried again: later the same day, then the next day.

A landline that is busy or rings out is often a tenant who was out or on the phone,
not one who cannot be reached. Twilio's report of such a call puts its outbox row
back in the queue, where the dispatcher places it again like any row due; each
placing is one more of the row's ``attempts``, so the delivery report shows how often
we rang. Every new try waits for the sending window; after the last, the row is
undelivered as before.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.presentation import Trait, has
from bot.sending_window import SendingWindow
from models.messages import OutboundRecord, OutboxStatus

UNANSWERED = frozenset({"busy", "no-answer"})  # a call's status, as its report gives it
# How long after the n-th unanswered try the next one is due; the last repeats.
RETRY_AFTER = (timedelta(hours=2), timedelta(days=1))


def waiting_to_call_again(row: OutboundRecord) -> bool:
    """A report about a call whose row is queued again speaks of an earlier try: no news."""
    return has(row.channel, Trait.HEARS) and row.status == OutboxStatus.QUEUED


def call_again(
    row: OutboundRecord,
    *,
    error_code: str | None,
    now: datetime,
    window: SendingWindow,
    most_attempts: int,
) -> bool:
    """Queue an unanswered call to be placed again, while tries are left; True if queued."""
    if error_code not in UNANSWERED or not has(row.channel, Trait.HEARS):
        return False
    if row.status not in (OutboxStatus.SENDING, OutboxStatus.SENT) or row.attempts >= most_attempts:
        return False
    wait = RETRY_AFTER[min(row.attempts, len(RETRY_AFTER)) - 1]
    row.status = OutboxStatus.QUEUED
    row.next_attempt_at = window.first_moment(now + wait)
    row.error_code = error_code
    row.error = f"{error_code} on try {row.attempts} of {most_attempts}; calling again"
    return True
