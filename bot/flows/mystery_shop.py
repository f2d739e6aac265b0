"""SHOP: a mystery shopper's monthly check-in, seven questions, every one a digit away.

Shoppers tell us about a real call, visit or repair, in the strategy's "5-10 minutes
each month". Each answer is written to this month's check-in as it is given, so a
check-in left half-way keeps what was said and picks up where it stopped; a low score
or a problem not sorted alerts staff there and then. The two free-text questions take
SKIP for "nothing to add".

    service --none--> thanks (nothing used)
    service -> when -> ease -> respect -> sorted -> what_happened -> improve -> thanks
"""

from __future__ import annotations

from bot import catalogue
from bot.flow import Answer, Flow, Option, Question, Turn
from bot.matching import normalise
from models.mystery_shopping import (
    MysteryShopCheckIn,
    Service,
    Sorted,
    When,
    WordsQuestion,
    check_in_for,
    find_check_in,
    finish,
    month_of,
    record_answers,
    record_words,
)
from models.tenants import Role, Tenant

CHECK_IN = "check_in_id"  # the key in turn.answers


def is_mystery_shopper(tenant: Tenant) -> bool:
    return Role.MYSTERY_SHOPPER.value in tenant.role_names


def begin(turn: Turn) -> str | None:
    """This month's check-in: a fresh start, where an unfinished one stopped, or a thank-you."""
    month = month_of(turn.now, turn.settings.timezone)
    check_in = find_check_in(turn.session, turn.tenant.id, month)
    if check_in is not None and check_in.finished:
        turn.say("mystery_shop.already_done")
        return None
    check_in = check_in_for(turn.session, turn.tenant.id, month)
    check_in.started_at = check_in.started_at or turn.now
    check_in.channel = turn.channel
    turn.answers[CHECK_IN] = check_in.id
    first = _first_unanswered(check_in)
    if first != "service":
        turn.say("conversation.resumed")
    return first


def _first_unanswered(check_in: MysteryShopCheckIn) -> str:
    """Where a check-in whose saved place was lost stands, judged from its answers."""
    answered = {
        "service": check_in.service,
        "when": check_in.when_used,
        "ease": check_in.ease,
        "respect": check_in.respect,
        "sorted": check_in.sorted_out,
    }
    return next((name for name, value in answered.items() if value is None), "what_happened")


def _check_in(turn: Turn) -> MysteryShopCheckIn:
    check_in = turn.session.get(MysteryShopCheckIn, turn.answers.get(CHECK_IN))
    if check_in is None:  # erased by staff mid-way: carry on into a fresh one
        check_in = check_in_for(
            turn.session, turn.tenant.id, month_of(turn.now, turn.settings.timezone)
        )
        turn.answers[CHECK_IN] = check_in.id
    return check_in


def take_service(turn: Turn, answer: Answer) -> str | None:
    check_in = _check_in(turn)
    record_answers(turn.session, check_in, now=turn.now, service=answer.value)
    if answer.value != Service.NONE:
        return "when"
    finish(check_in, now=turn.now)
    turn.say("mystery_shop.nothing_used")
    return None


def take_when(turn: Turn, answer: Answer) -> str:
    record_answers(turn.session, _check_in(turn), now=turn.now, when_used=answer.value)
    return "ease"


def take_ease(turn: Turn, answer: Answer) -> str:
    record_answers(turn.session, _check_in(turn), now=turn.now, ease=int(answer.value or 0))
    return "respect"


def take_respect(turn: Turn, answer: Answer) -> str:
    record_answers(turn.session, _check_in(turn), now=turn.now, respect=int(answer.value or 0))
    return "sorted"


def take_sorted(turn: Turn, answer: Answer) -> str:
    record_answers(turn.session, _check_in(turn), now=turn.now, sorted_out=answer.value)
    return "what_happened"


def take_what_happened(turn: Turn, answer: Answer) -> str:
    return _take_words(turn, answer, "what_happened") or "improve"


def take_improve(turn: Turn, answer: Answer) -> str | None:
    again = _take_words(turn, answer, "improve")
    if again is not None:
        return again
    check_in = _check_in(turn)
    finish(check_in, now=turn.now)
    not_sorted = check_in.sorted_out in (Sorted.NO, Sorted.PARTLY)
    turn.say("mystery_shop.thanks_not_sorted" if not_sorted else "mystery_shop.thanks")
    return None


def _take_words(turn: Turn, answer: Answer, question: WordsQuestion) -> str | None:
    """Keep the words (None for SKIP); SHOP from a reminder asks the same question again."""
    if _is_word(answer.text, "keyword.shop"):
        return question
    words = None if _is_word(answer.text, "keyword.skip") else answer.text
    record_words(turn.session, _check_in(turn), now=turn.now, question=question, words=words)
    return None


def _is_word(text: str, key: str) -> bool:
    return normalise(text).upper() in catalogue.keyword_forms(key)


def _scale(*labels: str) -> tuple[Option, ...]:
    return tuple(Option(str(n), label) for n, label in enumerate(labels, start=1))


SERVICES = (
    Option(Service.PHONE, "mystery_shop.phone"),
    Option(Service.OFFICE, "mystery_shop.office"),
    Option(Service.REPAIRS, "mystery_shop.repairs"),
    Option(Service.HOUSING_OFFICER, "mystery_shop.housing_officer"),
    Option(Service.ONLINE, "mystery_shop.online"),
    Option(Service.NONE, "mystery_shop.no_service", ("none", "nothing")),
)
WHEN = (
    Option(When.THIS_WEEK, "mystery_shop.this_week"),
    Option(When.LAST_WEEK, "mystery_shop.last_week"),
    Option(When.EARLIER, "mystery_shop.earlier", ("earlier",)),
)
EASE = _scale(
    "mystery_shop.ease_very_hard",
    "mystery_shop.ease_hard",
    "mystery_shop.ease_middling",
    "mystery_shop.ease_easy",
    "mystery_shop.ease_very_easy",
)
RESPECT = _scale(
    "mystery_shop.respect_very_badly",
    "mystery_shop.respect_badly",
    "mystery_shop.respect_middling",
    "mystery_shop.respect_well",
    "mystery_shop.respect_very_well",
)
SORTED = (
    Option(Sorted.YES, "choice.yes", ("yes",)),
    Option(Sorted.PARTLY, "mystery_shop.partly"),
    Option(Sorted.NO, "choice.no", ("no",)),
)

QUESTIONS = {
    "service": Question("mystery_shop.service", take_service, options=SERVICES),
    "when": Question("mystery_shop.when", take_when, options=WHEN),
    "ease": Question("mystery_shop.ease", take_ease, options=EASE),
    "respect": Question("mystery_shop.respect", take_respect, options=RESPECT),
    "sorted": Question("mystery_shop.sorted", take_sorted, options=SORTED),
    "what_happened": Question("mystery_shop.what_happened", take_what_happened),
    "improve": Question("mystery_shop.improve", take_improve),
}

FLOW = Flow(
    name="mystery_shop",
    begin=begin,
    questions=QUESTIONS,
    keywords=("keyword.shop",),
    menu_label="menu.mystery_shop",
    offered_to=is_mystery_shopper,
)
