"""Telling a household member that another member's vote replaced theirs.

In a poll of one vote per household the latest answer by any member counts. The
member who votes hears so in their reply; the one whose answer no longer counts would
otherwise never know, so they get a notice of their own, in their language (or, where
staff did not write the poll in it, in English with a note in theirs, as every poll
notice goes), on the channel their notices reach them by, inside the sending window.
"""

from __future__ import annotations

from datetime import datetime
from itertools import chain

from sqlalchemy.orm import Session

from bot.flow import Settings
from bot.message_kinds import declare
from bot.notices import Notice, queue_notices
from bot.poll_notices import VOTE_BY_PHONE, about_poll
from models.consent import Topic
from models.polls import Cast, Poll
from models.tenants import CALLING_LANDLINES, Tenant, recipients

REPLACED = declare("polls.household_replaced", answered_by=VOTE_BY_PHONE)


def tell_replaced_member(
    session: Session, poll: Poll, cast: Cast, *, now: datetime, settings: Settings
) -> int:
    """Queue the notice to the member whose vote ``cast`` replaced; how many were queued."""
    if cast.replaced_member is None:
        return 0

    def text_in(language: str) -> Notice:
        return about_poll(language, REPLACED.key, poll, settings)

    replaced = recipients(session, Tenant.id == cast.replaced_member, channels=CALLING_LANDLINES)
    return queue_notices(
        session,
        chain.from_iterable(replaced),
        text_in,
        topic=Topic.SURVEYS,
        now=now,
        settings=settings,
        keyword_on_1=REPLACED.answered_by,
    )
