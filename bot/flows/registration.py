"""Signing up a stranger who texts in: name (confirmed before it is kept), then estate.

The tenant is kept unverified until staff confirm. An estate we cannot match
is kept as typed, so nobody is stuck because of a spelling.

Strangers often greet us or ask who we are before anything else, so neither is
taken for a name or an estate: they are answered with who we are and how to join,
and the question is asked again. A greeting is a message that opens with one of the
greetings listed in the catalogue (``keyword.greetings``, a comma-separated list per
language, all languages' lists used, since we do not know a stranger's language
yet): "Hi", "Hello there", "Dzień dobry". A question is a message ending in a
question mark (also the Chinese and Urdu ones): "who is this?". One of our keywords
(REPORT, EVENTS, ...) is not a name either. Anything else may be a name, so we ask
"Is your name Ann Smith?" before keeping it.
"""

from __future__ import annotations

from bot import catalogue
from bot.flow import Answer, Flow, Question, Turn, yes_no
from bot.matching import ends_with_a_question_mark, normalise, opens_with
from models.tenants import Area, find_area

LONGEST_NAME = 40
WORDS_THAT_MAKE_A_MESSAGE = 4
GREETINGS = "keyword.greetings"
NAME = "name"  # the key in turn.answers of the name waiting to be confirmed


def welcome(turn: Turn) -> str:
    if len(turn.message.text.split()) >= WORDS_THAT_MAKE_A_MESSAGE:
        turn.to_inbox = True  # a first message with something to say: staff should see it
    return "name"


def tidy(text: str, longest: int) -> str:
    printable = "".join(ch for ch in text if ch.isprintable() or ch.isspace())
    return " ".join(printable.split())[:longest].strip()


def is_greeting(text: str) -> bool:
    greetings = (
        greeting
        for language in catalogue.languages()
        for greeting in catalogue.render(language, GREETINGS).split(",")
    )
    return opens_with(text, greetings)


def is_keyword(text: str) -> bool:
    said = normalise(text).upper()
    english = catalogue.entries(catalogue.DEFAULT_LANGUAGE)
    keys = (key for key in english if key.startswith("keyword.") and key != GREETINGS)
    return any(said in catalogue.keyword_forms(key) for key in keys)


def not_a_name(text: str) -> bool:
    """A greeting, a question or one of our keywords: what a stranger says before a name."""
    return is_greeting(text) or ends_with_a_question_mark(text) or is_keyword(text)


def take_name(turn: Turn, answer: Answer) -> str:
    if not_a_name(answer.text):
        return "about"
    name = tidy(answer.text, LONGEST_NAME)
    if not any(ch.isalpha() for ch in name):
        return "name_again"
    turn.answers[NAME] = name
    return "confirm_name"


def confirm_name(turn: Turn, answer: Answer) -> str:
    name = turn.answers.pop(NAME, None)
    if answer.value != "yes" or not name:
        return "name_again"
    turn.tenant.name = name
    return "area"


def take_area(turn: Turn, answer: Answer) -> str | None:
    if is_greeting(answer.text) or ends_with_a_question_mark(answer.text):
        return "about_area"
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


def _name_to_confirm(turn: Turn) -> dict[str, object]:
    return {"name": turn.answers.get(NAME, "")}


def _area(turn: Turn) -> dict[str, object]:
    area = turn.session.get(Area, turn.answers.get("area_id"))
    return {"area": area.name if area else ""}


QUESTIONS = {
    "name": Question("registration.welcome", take_name),
    "name_again": Question("registration.ask_name_again", take_name),
    "about": Question("registration.about", take_name),
    "confirm_name": Question(
        "registration.confirm_name", confirm_name, options=yes_no(), prompt_values=_name_to_confirm
    ),
    "area": Question("registration.ask_area", take_area, prompt_values=_name),
    "about_area": Question("registration.about_area", take_area),
    "confirm_area": Question(
        "registration.confirm_area", confirm_area, options=yes_no(), prompt_values=_area
    ),
}

FLOW = Flow(name="registration", begin=welcome, questions=QUESTIONS, resumable=True)
