"""YES: a volunteer-bank member taking up an opportunity."""

from __future__ import annotations

from bot.flow import Flow


def _never(_tenant: object) -> bool:
    return False


FLOW = Flow(name="opportunity", begin=lambda _turn: None, offered_to=_never)
