"""JOIN: the ways to get involved, and asking to take one on.

The list is short labels only, so all seven fit 2 SMS; the one line about a role
comes on the next step with the question whether to ask to join. A role the tenant
already holds is marked in the list, and choosing it says so. Asking records a
request staff see on the involvement page; staff grant or decline it from there.

    role --held--> already (thanks)
    role -> confirm --yes--> asked (or already asked) / --no--> not now
"""

from __future__ import annotations

from bot.flow import Answer, Flow, Option, Question, Turn, registered
from bot.involvement_steps import ask_to_join
from models.involvement import ROLES

ROLE = "role"  # the key in turn.answers


def begin(_turn: Turn) -> str:
    return ROLE


def role_options(turn: Turn) -> list[Option]:
    held = turn.tenant.role_names
    return [
        Option(
            role.value,
            f"involvement.{'held' if role.value in held else 'role'}.{role.value}",
            (role.value.replace("_", " "),),
        )
        for role in ROLES
    ]


def take_role(turn: Turn, answer: Answer) -> str | None:
    role = answer.value or ""
    if role in turn.tenant.role_names:
        turn.say(f"involvement.already.{role}")
        return None
    turn.answers[ROLE] = role
    return "confirm"


def about_values(turn: Turn) -> dict[str, str]:
    return {"about": turn.text(f"involvement.about.{turn.answers[ROLE]}")}


def take_confirm(turn: Turn, answer: Answer) -> None:
    if answer.value != "yes":
        turn.say("involvement.not_now")
        return
    new = ask_to_join(
        turn.session, turn.tenant, turn.answers[ROLE], channel=turn.channel, now=turn.now
    )
    turn.say("involvement.asked" if new else "involvement.already_asked")


CONFIRM = (
    Option("yes", "involvement.yes_ask", ("yes", "join")),
    Option("no", "choice.no", ("no",)),
)

FLOW = Flow(
    name="join",
    begin=begin,
    questions={
        ROLE: Question("involvement.choose", take_role, options=role_options),
        "confirm": Question(
            "involvement.confirm", take_confirm, options=CONFIRM, prompt_values=about_values
        ),
    },
    keywords=("keyword.join",),
    menu_label="menu.join",
    offered_to=registered,
    resumable=False,
)
