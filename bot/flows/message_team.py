"""A free-text message for staff, when a tenant wants a person rather than a form.

One about danger is marked urgent, and the tenant told of the repairs line (bot.danger).
"""

from __future__ import annotations

from bot import danger
from bot.flow import Answer, Flow, Question, Turn


def take_message(turn: Turn, _answer: Answer) -> None:
    turn.to_inbox = True
    danger.thank(turn, "message_team.thanks")


FLOW = Flow(
    name="message_team",
    begin=lambda _turn: "message",
    questions={"message": Question("message_team.prompt", take_message)},
    menu_label="menu.message_team",
    resumable=False,
)
