"""VOTE: the open polls for this tenant, and their vote."""

from __future__ import annotations

from bot.flow import Flow


def _never(_tenant: object) -> bool:
    return False


FLOW = Flow(name="vote", begin=lambda _turn: None, offered_to=_never)
