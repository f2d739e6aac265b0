"""A call from a number we do not know: the caller's voice message goes to staff.

A call cannot sign anybody up (there is nothing to type a name with), so a stranger
who rings the landlord's line is told who we are and how to reach a person, and
what they say after the tone lands in the staff inbox with their number, for staff
to call back and add them.
"""

from __future__ import annotations

from bot.flow import Flow, Turn
from bot.presentation import Trait


def take_voice_message(turn: Turn) -> None:
    turn.to_inbox = True
    turn.say("voice.stranger.thanks")


FLOW = Flow(
    name="stranger_call",
    begin=take_voice_message,
    needs=frozenset({Trait.HEARS}),
    resumable=False,
)
