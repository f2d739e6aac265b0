"""JOIN: the ways to get involved."""

from __future__ import annotations

from bot.flow import Flow


def _never(_tenant: object) -> bool:
    return False


FLOW = Flow(name="join", begin=lambda _turn: None, offered_to=_never)
