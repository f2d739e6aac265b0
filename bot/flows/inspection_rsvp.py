"""COMING: whether the tenant is coming to their area's next estate walk.

The notice and reminder ask tenants to reply COMING; saying it again asks again, and
the new answer replaces the old one. A walk moved or called off while the question
was open is looked up afresh, so nobody answers for a time that no longer holds.

    will_you_come --yes--> see you (time and place)
    will_you_come --no--> not coming (REPORT is still open to them)
"""

from __future__ import annotations

from bot import catalogue
from bot.flow import Answer, Flow, Question, Turn, yes_no
from models.inspections import Inspection, answer_rsvp, next_inspection
from models.tenants import Tenant

INSPECTION = "inspection_id"  # the key in turn.answers


def has_an_area(tenant: Tenant) -> bool:
    return tenant.registered and tenant.area_id is not None


def begin(turn: Turn) -> str | None:
    walk = next_inspection(turn.session, turn.tenant.area_id, now=turn.now)
    if walk is None:
        turn.say("inspection.none_planned")
        return None
    turn.answers[INSPECTION] = walk.id
    return "will_you_come"


def _walk(turn: Turn) -> Inspection:
    return turn.session.get_one(Inspection, turn.answers[INSPECTION])


def walk_values(turn: Turn) -> dict[str, str]:
    walk = _walk(turn)
    return {
        "area": walk.area.name,
        "when": catalogue.spoken_time(turn.language, walk.starts_at, turn.settings.timezone),
        "place": walk.meeting_point,
    }


def take_answer(turn: Turn, answer: Answer) -> str | None:
    walk = _walk(turn)
    if not walk.open or walk.starts_at <= turn.now:  # called off or past: ask about the next
        return begin(turn)
    coming = answer.value == "yes"
    answer_rsvp(
        turn.session, walk, turn.tenant.id, coming=coming, channel=turn.channel, now=turn.now
    )
    if coming:
        values = walk_values(turn)
        turn.say("inspection.see_you", when=values["when"], place=values["place"])
    else:
        turn.say("inspection.not_coming")
    return None


FLOW = Flow(
    name="inspection_rsvp",
    begin=begin,
    questions={
        "will_you_come": Question(
            "inspection.will_you_come", take_answer, options=yes_no(), prompt_values=walk_values
        )
    },
    keywords=("keyword.coming",),
    menu_label="menu.inspection",
    offered_to=has_an_area,
    resumable=False,
)
