"""Signing up a stranger who texts in: name, then estate or postcode.

The tenant is kept unverified until staff confirm. An estate we cannot match
is kept as typed, so nobody is stuck because of a spelling.
"""

from __future__ import annotations

from bot.flow import Answer, Flow, Question, Turn, yes_no
from models.tenants import Area, find_area

LONGEST_NAME = 40
WORDS_THAT_MAKE_A_MESSAGE = 4


def welcome(turn: Turn) -> str:
    if len(turn.message.text.split()) >= WORDS_THAT_MAKE_A_MESSAGE:
        turn.to_inbox = True  # a first message with something to say: staff should see it
    return "name"


def tidy(text: str, longest: int) -> str:
    printable = "".join(ch for ch in text if ch.isprintable() or ch.isspace())
    return " ".join(printable.split())[:longest].strip()


def take_name(turn: Turn, answer: Answer) -> str:
    name = tidy(answer.text, LONGEST_NAME)
    if not any(ch.isalpha() for ch in name):
        return "name_again"
    turn.tenant.name = name
    return "area"


def take_area(turn: Turn, answer: Answer) -> str | None:
    area = find_area(turn.session, answer.text)
    if area is None:
        turn.tenant.area_text = tidy(answer.text, 120)
        finish(turn)
        return None
    turn.answers["area_id"] = area.id
    turn.answers["area_text"] = tidy(answer.text, 120)
    return "confirm_area"


def confirm_area(turn: Turn, answer: Answer) -> None:
    if answer.value == "yes":
        turn.tenant.area_id = turn.answers["area_id"]
    else:
        turn.tenant.area_text = turn.answers.get("area_text")
    finish(turn)
    return None


def finish(turn: Turn) -> None:
    turn.tenant.registered = True
    turn.say("registration.done", name=turn.tenant.name or "")


def _name(turn: Turn) -> dict[str, object]:
    return {"name": turn.tenant.name or ""}


def _area(turn: Turn) -> dict[str, object]:
    area = turn.session.get(Area, turn.answers.get("area_id"))
    return {"area": area.name if area else ""}


QUESTIONS = {
    "name": Question("registration.welcome", take_name),
    "name_again": Question("registration.ask_name_again", take_name),
    "area": Question("registration.ask_area", take_area, prompt_values=_name),
    "confirm_area": Question(
        "registration.confirm_area", confirm_area, options=yes_no(), prompt_values=_area
    ),
}

FLOW = Flow(name="registration", begin=welcome, questions=QUESTIONS, resumable=True)
