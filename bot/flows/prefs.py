"""PREFS: each topic with whether the tenant gets it; picking one switches it.

The same choice as texting STOP EVENTS or START EVENTS, for a tenant who would
rather pick from a list (a digit, a Telegram button, a key on a call). The list
shows each topic as it was when asked; the switch reads it afresh when answered.
"""

from __future__ import annotations

from bot.consent_words import change_topic
from bot.flow import Answer, Flow, Option, Question, Turn
from bot.presentation import Trait
from models.consent import CHOSEN_TOPICS, topics_of

OFF = "off"  # turn.answers[OFF]: the topics stopped when the list was shown


def begin(turn: Turn) -> str:
    turn.answers[OFF] = [
        topic for topic, on in topics_of(turn.session, turn.tenant.id).items() if not on
    ]
    return "topic"


def _topics(turn: Turn) -> list[Option]:
    stopped = turn.answers.get(OFF, [])
    return [
        Option(str(topic), f"prefs.{topic}.{'off' if topic in stopped else 'on'}")
        for topic in CHOSEN_TOPICS
    ]


def switch(turn: Turn, answer: Answer) -> None:
    topic = answer.value or ""
    on = topics_of(turn.session, turn.tenant.id)[topic]
    change_topic(turn, topic, granted=not on, source="keyword PREFS")


FLOW = Flow(
    name="prefs",
    begin=begin,
    questions={"topic": Question("prefs.prompt", switch, options=_topics)},
    keywords=("keyword.prefs",),
    needs=frozenset({Trait.TYPES}),  # a keyword a call cannot type; not on its menu yet
    resumable=False,
)
