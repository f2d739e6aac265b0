"""REPORT: a tenant tells us about a problem on the estate, for their area's next walk.

Category, where, what, a photo on Telegram, then a check before it is sent; any one of
the three can be changed from the check. The draft lives in the conversation's answers,
so a report put aside for the menu carries on where it stopped. A photo is welcome at
every question: one sent before the words is kept and the question asked again; one
with a caption counts as both. "Where" may be a map pin, "where" and "what" a voice
note; every file sent on the way (an MMS photo too) is kept with the report. The check
is shortened to fit 2 SMS; the report keeps the tenant's full words.

    category -> where -> what -> photo (Telegram, no photo kept yet) -> confirm
    confirm --send--> filed: the reference, and the walk's time if one is booked
                      (danger: the repairs line to call now instead)
    confirm --change--> change -> category | where | what -> confirm
"""

from __future__ import annotations

from bot import catalogue, danger
from bot.flow import Answer, Flow, Option, Question, Turn, registered
from bot.matching import normalise
from bot.messages import LOCATION_NOTE, VOICE_NOTE, Reply
from bot.presentation import Trait, fitting_everywhere
from bot.sms import Cut
from models.inspections import LONGEST_WORDS, Inspection, ReportCategory, file_report
from models.media import attach_to_report, ids_of_message

CATEGORY, WHERE, WHAT = "category", "where", "what"  # questions, and keys of the draft
PHOTOS = "photo_ids"
FILES = "files"  # every file sent during the report (photos, voice notes), kept with it
PIN = "pin"  # [latitude, longitude] of a map pin sent for "where"
CHANGING = "changing"  # the tenant is changing one answer: go back to the check after it
MOST_PHOTOS = 10
MOST_FILES = 20
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
    """Words, or a map pin (with its place's name and address when a place was shared)."""
    words = _words_of(answer) or _pinned(turn, answer)
    if words is None:
        return _ask_again(turn, answer, WHERE)
    _keep_photos(turn, answer)
    turn.answers[WHERE] = words
    turn.answers[PIN] = list(answer.location) if answer.location else None
    return _next(turn, WHAT)


def _pinned(turn: Turn, answer: Answer) -> str | None:
    if answer.location is None:
        return None
    return (turn.message.place or LOCATION_NOTE)[:LONGEST_WORDS]


def take_what(turn: Turn, answer: Answer) -> str:
    words = _words_of(answer)
    if words is None:
        return _ask_again(turn, answer, WHAT)
    _keep_photos(turn, answer)
    turn.answers[WHAT] = words
    wants_photo = turn.can(Trait.PHOTOS) and not turn.answers.get(PHOTOS)
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
    """Add the answer's photos to the draft, and every file it came with to the report's
    files (a voice note too); whether it brought photos."""
    _keep_files(turn)
    if not answer.photo_ids:
        return False
    kept = list(turn.answers.get(PHOTOS, []))
    kept += [photo for photo in answer.photo_ids if photo not in kept]
    turn.answers[PHOTOS] = kept[:MOST_PHOTOS]
    return True


def _keep_files(turn: Turn) -> None:
    if not turn.message.attachments:
        return
    kept = list(turn.answers.get(FILES, []))
    kept += [found for found in ids_of_message(turn.session, turn.inbound_id) if found not in kept]
    turn.answers[FILES] = kept[:MOST_FILES]


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
    where, what = (_as_told(turn, turn.answers[key]) for key in (WHERE, WHAT))
    labels = tuple(turn.text(option.label) for option in CONFIRM)

    def values(shorten: Cut) -> dict[str, str]:
        return {"category": category, "where": shorten(where), "what": shorten(what)}

    def check(shorten: Cut) -> Reply:
        return Reply(turn.text("report.confirm", **values(shorten)), labels)

    return values(fitting_everywhere(turn.language, check, shortest=SHORTEST))


def _as_told(turn: Turn, words: str) -> str:
    """A voice note or a pin, named in the tenant's own language for the check."""
    told = {VOICE_NOTE: "report.your_voice_note", LOCATION_NOTE: "report.your_pin"}.get(words)
    return turn.text(told) if told else words


def _send(turn: Turn) -> None:
    """File the report; the thanks names the walk it will be looked at on, if one is booked,
    or, for danger, the repairs line to call now (bot.danger): no walk should wait for that."""
    report = file_report(
        turn.session,
        tenant=turn.tenant,
        category=turn.answers[CATEGORY],
        location=turn.answers[WHERE],
        description=turn.answers[WHAT],
        photo_ids=turn.answers.get(PHOTOS, []),
        channel=turn.channel,
        now=turn.now,
        coordinates=tuple(pin) if (pin := turn.answers.get(PIN)) else None,
    )
    attach_to_report(turn.session, report.id, turn.answers.get(FILES, []))
    report.urgent = danger.sounds_dangerous(f"{report.location}\n{report.description}")
    if report.urgent:
        turn.say("danger.report_thanks", reference=report.reference, repairs=turn.settings.repairs)
        return
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
    needs=frozenset({Trait.TYPES}),  # a call reports by voice note (voice_report)
)
