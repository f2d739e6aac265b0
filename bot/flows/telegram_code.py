"""TELEGRAM by SMS: a one-time code that links the tenant's Telegram chat to them.

Asking again replaces the code: a tenant holds one live code (models/link_codes.py).
"""

from __future__ import annotations

from bot.flow import Flow, Turn
from bot.presentation import Trait
from models.link_codes import new_link_code


def begin(turn: Turn) -> None:
    turn.say("telegram.code", code=new_link_code(turn.session, turn.tenant, turn.now))


FLOW = Flow(
    name="telegram_code",
    begin=begin,
    keywords=("keyword.telegram",),
    needs=frozenset({Trait.TYPES, Trait.PHONE}),
    resumable=False,
)
