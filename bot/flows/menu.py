"""MENU: the ways to take part, as numbered options built from the flows that offer them."""

from __future__ import annotations

from collections.abc import Sequence

from bot.flow import Answer, Flow, Option, Question, Turn


def build(entries: Sequence[Flow]) -> Flow:
    """The menu over these flows; each shows only to tenants and channels it is offered to."""

    def options(turn: Turn) -> list[Option]:
        return [
            Option(flow.name, flow.menu_label)
            for flow in entries
            if flow.menu_label and flow.offered(turn.tenant, turn.channel)
        ]

    def choose(turn: Turn, answer: Answer) -> None:
        turn.hand_over = answer.value

    return Flow(
        name="menu",
        begin=lambda _turn: "choose",
        questions={"choose": Question("menu.prompt", choose, options=options)},
        resumable=False,
    )
