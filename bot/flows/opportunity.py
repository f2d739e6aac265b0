"""YES: a volunteer-bank member taking up an opportunity.

An opportunity is a broadcast ending "Reply YES if you can help." YES is only a
keyword for a tenant an opportunity reached and who has not answered it yet. Like
every keyword it is an answer first: a YES to a question with a Yes option is that
question's answer, untouched; elsewhere (a free-text question, a menu) it starts this
flow and the question is put aside. Within 14
days of the opportunity the member is recorded as interested and thanked, and the
message lands in the staff inbox linked to it, as a notification; later than that
it is an ordinary message for the inbox.

    [*] --> thanks (interest recorded, inbox notified)
"""

from __future__ import annotations

from sqlalchemy.orm import object_session

from bot.flow import Flow, Turn
from models.broadcasts import has_open_opportunity, open_opportunity, record_interest
from models.tenants import Tenant


def reached_by_an_opportunity(tenant: Tenant) -> bool:
    """An opportunity reached them and they have not said YES to it yet."""
    session = object_session(tenant)
    if session is None or not tenant.registered or tenant.id is None:
        return False
    return has_open_opportunity(session, tenant.id)


def begin(turn: Turn) -> str | None:
    opportunity = open_opportunity(turn.session, turn.tenant.id, turn.now)
    turn.to_inbox = True  # staff see who offered, beside the broadcast it answers
    if opportunity is None:  # more than 14 days on: a message like any other
        turn.say("inbox.thanks")
        return None
    record_interest(turn.session, opportunity, turn.tenant.id, channel=turn.channel, now=turn.now)
    turn.say("broadcasts.thanks")
    return None


FLOW = Flow(
    name="opportunity",
    begin=begin,
    keywords=("keyword.yes",),
    offered_to=reached_by_an_opportunity,
    resumable=False,
)
