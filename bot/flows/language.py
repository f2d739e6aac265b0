"""LANG: each language offered in its own name; the choice sticks on every channel."""

from __future__ import annotations

from bot import catalogue
from bot.flow import Answer, Flow, Option, Question, Turn
from bot.presentation import Trait


def _languages(_turn: Turn) -> list[Option]:
    return [
        Option(code, "language.name", (code,), label_language=code)
        for code in catalogue.languages()
    ]


def choose(turn: Turn, answer: Answer) -> None:
    turn.tenant.language = answer.value or turn.tenant.language
    turn.say("language.changed")


FLOW = Flow(
    name="language",
    begin=lambda _turn: "choose",
    questions={"choose": Question("language.prompt", choose, options=_languages)},
    menu_label="menu.language",
    resumable=False,
    needs=frozenset({Trait.TYPES}),  # each name is in its own script: a list to read
)
