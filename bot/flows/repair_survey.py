"""SURVEY: three quick questions about a repair that was just finished.

The notice the day after the repair tells the tenant to reply SURVEY; the flow asks
about their latest survey not yet answered. Each question says what to send, and the
comment takes SKIP. A low score or a repair not right first time alerts staff as the
answers are kept, and the thanks says someone will look at it.

    satisfaction (1-5) -> right_first_time (yes/no) -> comment (words or SKIP) -> thanks
"""

from __future__ import annotations

from bot import catalogue
from bot.flow import Answer, Flow, Option, Question, Turn, registered, yes_no
from bot.matching import normalise
from models.repairs import KNOWN_JOB_TYPES, Repair, open_survey, record_survey

REPAIR = "repair_id"  # keys in turn.answers
SATISFACTION, RIGHT_FIRST_TIME = "satisfaction", "right_first_time"


def begin(turn: Turn) -> str | None:
    repair = open_survey(turn.session, turn.tenant.id, now=turn.now)
    if repair is None:
        turn.say("repairs.no_survey")
        return None
    turn.answers[REPAIR] = repair.id
    return SATISFACTION


def job_label(language: str, job_type: str) -> str:
    """The job type in the tenant's words; a free-text type the system sent stays as sent."""
    if job_type in KNOWN_JOB_TYPES:
        return catalogue.render(language, f"repairs.job.{job_type}")
    return job_type


def job_values(turn: Turn) -> dict[str, str]:
    repair = turn.session.get(Repair, turn.answers.get(REPAIR))
    return {"job": job_label(turn.language, repair.job_type) if repair else ""}


def take_satisfaction(turn: Turn, answer: Answer) -> str:
    turn.answers[SATISFACTION] = int(answer.value or 0)
    return RIGHT_FIRST_TIME


def take_right_first_time(turn: Turn, answer: Answer) -> str:
    turn.answers[RIGHT_FIRST_TIME] = answer.value == "yes"
    return "comment"


def take_comment(turn: Turn, answer: Answer) -> str | None:
    """Words or SKIP finish the survey; SURVEY sent again asks the same question."""
    if _is_word(answer.text, "keyword.survey"):
        return "comment"
    comment = None if _is_word(answer.text, "keyword.skip") else _tidy(answer.text)
    repair = turn.session.get(Repair, turn.answers.get(REPAIR))
    if repair is None or repair.answered_at is not None:  # erased, or answered elsewhere
        turn.say("repairs.thanks")
        return None
    record_survey(
        turn.session,
        repair,
        satisfaction=turn.answers[SATISFACTION],
        right_first_time=turn.answers[RIGHT_FIRST_TIME],
        comment=comment,
        channel=turn.channel,
        now=turn.now,
    )
    turn.say("repairs.thanks_follow_up" if repair.needs_alert else "repairs.thanks")
    return None


def _tidy(text: str) -> str:
    return " ".join("".join(ch for ch in text if ch.isprintable()).split())


def _is_word(text: str, key: str) -> bool:
    return normalise(text).upper() in catalogue.keyword_forms(key)


SCALE = tuple(
    Option(str(score), f"repairs.{label}")
    for score, label in enumerate(
        ("very_unhappy", "unhappy", "middling", "happy", "very_happy"), start=1
    )
)

QUESTIONS = {
    SATISFACTION: Question(
        "repairs.satisfaction", take_satisfaction, options=SCALE, prompt_values=job_values
    ),
    RIGHT_FIRST_TIME: Question("repairs.right_first_time", take_right_first_time, options=yes_no()),
    "comment": Question("repairs.comment", take_comment),
}

FLOW = Flow(
    name="repair_survey",
    begin=begin,
    questions=QUESTIONS,
    keywords=("keyword.survey",),
    offered_to=registered,
)
