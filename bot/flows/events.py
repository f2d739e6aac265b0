"""EVENTS: upcoming events, the tenant's answer to each, and changing it."""

from __future__ import annotations

from bot.flow import Flow


def _never(_tenant: object) -> bool:
    return False


FLOW = Flow(name="events", begin=lambda _turn: None, offered_to=_never)
