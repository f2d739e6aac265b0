"""UNLINK by SMS: the tenant takes off a Telegram chat they did not link themselves.

Every chat linked to a tenant is told to them by SMS, with this word to undo it.
It wins in every state, as MENU does, because a conversation follows the tenant: a
stranger's chat holding a question open must not turn the tenant's UNLINK into an
answer. Only the phone decides, never a chat that may be the stranger's; the chat
is told nothing, and writes next as a stranger.
"""

from __future__ import annotations

from bot.flow import Flow, Turn
from bot.presentation import Trait
from models.merging import unlink_telegram


def begin(turn: Turn) -> None:
    if not (turn.can(Trait.TYPES) and turn.can(Trait.PHONE)):
        turn.say("unlink.by_sms")
        return
    unlinked = unlink_telegram(turn.session, turn.tenant, turn.now)
    turn.say("unlink.done" if unlinked else "unlink.nothing_linked")


FLOW = Flow(name="unlink", begin=begin, keywords=("keyword.unlink",), resumable=False)
