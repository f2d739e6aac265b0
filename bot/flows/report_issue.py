"""REPORT: a tenant tells us about a problem on the estate, for their area's next walk.

Category, where, what, a photo on Telegram, then a check before it is sent; any one of
the three can be changed from the check. The draft lives in the conversation's answers,
so a report put aside for the menu carries on where it stopped. A photo is welcome at
every question: one sent before the words is kept and the question asked again; one
with a caption counts as both. The check is shortened to fit 2 SMS; the report keeps
the tenant's full words.

    category -> where -> what -> photo (Telegram, no photo kept yet) -> confirm
    confirm --send--> filed: the reference, and the walk's time if one is booked
    confirm --change--> change -> category | where | what -> confirm
"""

from __future__ import annotations

from bot import catalogue
from bot.flow import Answer, Flow, Option, Question, Reply, Turn, registered
from bot.matching import normalise
from bot.outbox import render_for_channel
from bot.sms import Cut, fitting
from models.inspections import LONGEST_WORDS, Inspection, ReportCategory, file_report
from models.tenants import Channel

CATEGORY, WHERE, WHAT = "category", "where", "what"  # questions, and keys of the draft
PHOTOS = "photo_ids"
CHANGING = "changing"  # the tenant is changing one answer: go back to the check after it
PHOTO_CHANNELS = frozenset({Channel.TELEGRAM.value})
MOST_PHOTOS = 10
SHORTEST = 12  # the fewest characters of where/what the check shows


def begin(_turn: Turn) -> str:
    return CATEGORY


def take_category(turn: Turn, answer: Answer) -> str:
    if answer.value is None:
        return _ask_again(turn, answer, CATEGORY)
    _keep_photos(turn, answer)
    turn.answers[CATEGORY] = answer.value
    return _next(turn, WHERE)


def take_where(turn: Turn, answer: Answer) -> str:
    words = _words_of(answer)
    if words is None:
        return _ask_again(turn, answer, WHERE)
    _keep_photos(turn, answer)
    turn.answers[WHERE] = words
    return _next(turn, WHAT)


def take_what(turn: Turn, answer: Answer) -> str:
    words = _words_of(answer)
    if words is None:
        return _ask_again(turn, answer, WHAT)
    _keep_photos(turn, answer)
    turn.answers[WHAT] = words
    wants_photo = turn.channel in PHOTO_CHANNELS and not turn.answers.get(PHOTOS)
    return _next(turn, "photo" if wants_photo else "confirm")


def take_photo(turn: Turn, answer: Answer) -> str:
    """A photo or SKIP moves on; anything else asks for one of the two again."""
    if _keep_photos(turn, answer) or _is_word(answer.text, "keyword.skip"):
        return "confirm"
    return "photo"


def take_confirm(turn: Turn, answer: Answer) -> str | None:
    if answer.value is None:
        return _ask_again(turn, answer, "confirm")
    if answer.value == "change":
        return "change"
    _send(turn)
    return None


def take_change(turn: Turn, answer: Answer) -> str:
    if answer.value is None:
        return _ask_again(turn, answer, "change")
    turn.answers[CHANGING] = True
    return answer.value


def _next(turn: Turn, question: str) -> str:
    """The next question, or back to the check when the tenant was changing one answer."""
    return "confirm" if turn.answers.pop(CHANGING, False) else question


def _ask_again(turn: Turn, answer: Answer, question: str) -> str:
    """No answer yet: keep any photo that came instead, say so, and ask the same again."""
    if _keep_photos(turn, answer):
        turn.say("report.photo_kept")
    return question


def _keep_photos(turn: Turn, answer: Answer) -> bool:
    """Add the answer's photos to the draft; whether it brought any."""
    if not answer.photo_ids:
        return False
    kept = list(turn.answers.get(PHOTOS, []))
    kept += [photo for photo in answer.photo_ids if photo not in kept]
    turn.answers[PHOTOS] = kept[:MOST_PHOTOS]
    return True


def _words_of(answer: Answer) -> str | None:
    """The tenant's words, tidied; None for a bare photo, or REPORT sent again."""
    words = " ".join("".join(ch for ch in answer.text if ch.isprintable()).split())
    if not normalise(words) or _is_word(words, "keyword.report"):
        return None
    return words[:LONGEST_WORDS]


def _is_word(text: str, key: str) -> bool:
    return normalise(text).upper() in catalogue.keyword_forms(key)


def confirm_values(turn: Turn) -> dict[str, str]:
    """The draft for the check, where and what shortened alike until it fits 2 SMS."""
    category = turn.text(f"report.category.{turn.answers[CATEGORY]}")
    where, what = turn.answers[WHERE], turn.answers[WHAT]
    labels = tuple(turn.text(option.label) for option in CONFIRM)

    def values(shorten: Cut) -> dict[str, str]:
        return {"category": category, "where": shorten(where), "what": shorten(what)}

    def check(shorten: Cut) -> str:
        asked = Reply(turn.text("report.confirm", **values(shorten)), labels)
        return render_for_channel("sms", turn.language, asked)

    return values(fitting(check, shortest=SHORTEST))


def _send(turn: Turn) -> None:
    """File the report; the thanks names the walk it will be looked at on, if one is booked."""
    report = file_report(
        turn.session,
        tenant=turn.tenant,
        category=turn.answers[CATEGORY],
        location=turn.answers[WHERE],
        description=turn.answers[WHAT],
        photo_ids=turn.answers.get(PHOTOS, []),
        channel=turn.channel,
        now=turn.now,
    )
    walk = turn.session.get(Inspection, report.inspection_id) if report.inspection_id else None
    if walk is None:
        turn.say("report.thanks", reference=report.reference)
        return
    when = catalogue.spoken_time(turn.language, walk.starts_at, turn.settings.timezone)
    turn.say("report.thanks_walk_booked", reference=report.reference, when=when)


CATEGORY_WORDS: dict[ReportCategory, tuple[str, ...]] = {
    ReportCategory.LIGHTING: ("light", "lights"),
    ReportCategory.REPAIR: ("repair", "repairs"),
    ReportCategory.GREEN_SPACE: ("grass", "trees", "play area", "green space"),
}
CATEGORIES = tuple(
    Option(category.value, f"report.category.{category.value}", CATEGORY_WORDS.get(category, ()))
    for category in ReportCategory
)
CONFIRM = (
    Option("send", "report.confirm.send", ("send",)),
    Option("change", "report.confirm.change", ("change",)),
)
CHANGES = (
    Option(CATEGORY, "report.change.category", ("kind",)),
    Option(WHERE, "report.change.where"),
    Option(WHAT, "report.change.what"),
)

QUESTIONS = {
    CATEGORY: Question("report.category", take_category, options=CATEGORIES, accepts_photo=True),
    WHERE: Question("report.where", take_where, accepts_photo=True),
    WHAT: Question("report.what", take_what, accepts_photo=True),
    "photo": Question("report.photo", take_photo, accepts_photo=True),
    "confirm": Question(
        "report.confirm",
        take_confirm,
        options=CONFIRM,
        prompt_values=confirm_values,
        accepts_photo=True,
    ),
    "change": Question("report.change", take_change, options=CHANGES, accepts_photo=True),
}

FLOW = Flow(
    name="report_issue",
    begin=begin,
    questions=QUESTIONS,
    keywords=("keyword.report",),
    menu_label="menu.report",
    offered_to=registered,
    channels=frozenset({"sms", "telegram"}),  # a call reports by voice note (voice_report)
)
