"""EVENTS: upcoming events, the tenant's answer to each, and changing it.

Invitations tell tenants to reply EVENTS; saying it again asks again, and the new
answer replaces the old one. With one event open to the tenant the list is skipped.
A yes that does not fit goes on the waiting list (the tenant hears their place), and
a yes changed to no or maybe promotes the waiting list, each promoted tenant told by
a notice. An event moved or called off while the question was open is looked up
afresh, so nobody answers for a time that no longer holds.

    which_event (numbered on SMS, buttons on Telegram) -> are_you_coming
    are_you_coming --yes, guests allowed--> party_size -> answered
    are_you_coming --yes/no/maybe--> answered (see you / waiting list place / thanks)
"""

from __future__ import annotations

from bot import catalogue
from bot.event_notices import tell_promoted
from bot.flow import Answer, Flow, Option, Question, Turn, registered
from bot.matching import match_choice
from bot.messages import Reply
from bot.presentation import fitting_everywhere
from bot.sms import Cut
from models.events import Answer as RsvpAnswer
from models.events import Event, EventsError, answer_rsvp, rsvp_of, upcoming_for

EVENT, CHOICES = "event_id", "event_ids"  # keys in turn.answers
MOST_LISTED = 4
SHORTEST_TITLE = 12


def begin(turn: Turn) -> str | None:
    events = upcoming_for(turn.session, turn.tenant, now=turn.now)[:MOST_LISTED]
    if not events:
        turn.say("events.none")
        return None
    if len(events) == 1:
        return _ask_about(turn, events[0])
    turn.answers[CHOICES] = [event.id for event in events]
    return "which_event"


def _ask_about(turn: Turn, event: Event) -> str | None:
    if event.answers_closed(turn.now):
        deadline = event.rsvp_by or event.starts_at
        when = catalogue.spoken_time(turn.language, deadline, turn.settings.timezone)
        turn.say("events.too_late", event=event.title, deadline=when)
        return None
    turn.answers[EVENT] = event.id
    return "are_you_coming"


def _choices(turn: Turn) -> list[Event]:
    found = (turn.session.get(Event, event_id) for event_id in turn.answers.get(CHOICES, []))
    return [event for event in found if event is not None]


def _said(turn: Turn, event: Event) -> str | None:
    rsvp = rsvp_of(turn.session, event.id, turn.tenant.id)
    return None if rsvp is None else turn.text(f"events.said.{rsvp.answer}")


def _when(turn: Turn, event: Event) -> str:
    return catalogue.spoken_time(turn.language, event.starts_at, turn.settings.timezone)


def _line(turn: Turn, title: str, when: str, said: str | None) -> str:
    values = {"event": title, "when": when}
    if said is None:
        return turn.text("events.list_item", **values)
    return turn.text("events.list_item_answered", **values, said=said)


def event_choices(turn: Turn) -> list[Option]:
    """The events with the tenant's answers, titles shortened until the list fits 2 SMS."""
    events = _choices(turn)
    if not events:  # not listed yet
        return []

    known = [(event.title, _when(turn, event), _said(turn, event)) for event in events]

    def lines(shorten: Cut) -> tuple[str, ...]:
        return tuple(_line(turn, shorten(title), when, said) for title, when, said in known)

    def listed(shorten: Cut) -> Reply:
        return Reply(turn.text("events.which"), lines(shorten))

    shown = lines(fitting_everywhere(turn.language, listed, shortest=SHORTEST_TITLE))
    return [Option(str(n), text=line) for n, line in enumerate(shown)]


def take_which(turn: Turn, answer: Answer) -> str | None:
    return _ask_about(turn, _choices(turn)[int(answer.value or 0)])


def _event(turn: Turn) -> Event | None:
    """The event asked about, if it still takes answers at the time it was asked for."""
    event = turn.session.get(Event, turn.answers.get(EVENT, 0))
    return event if event is not None and event.open and event.starts_at > turn.now else None


def coming_values(turn: Turn) -> dict[str, str]:
    """The event's title and venue, cut where the question and its options need the room.

    In a language that goes as UCS-2 (134 characters in 2 SMS) a long title and venue
    leave no room for the answers, so they are shortened as the notices shorten them.
    """
    event = turn.session.get_one(Event, turn.answers[EVENT])
    said = _said(turn, event)
    when = _when(turn, event)
    you_said = "" if said is None else turn.text("events.you_said", said=said) + " "
    labels = tuple(turn.text(option.label) for option in ANSWERS)

    def values(shorten: Cut) -> dict[str, str]:
        title, venue = shorten(event.title), shorten(event.venue)
        return {"event": title, "when": when, "venue": venue, "said": you_said}

    def asked(shorten: Cut) -> Reply:
        return Reply(turn.text("events.are_you_coming", **values(shorten)), labels)

    return values(fitting_everywhere(turn.language, asked))


def take_coming(turn: Turn, answer: Answer) -> str | None:
    event = _event(turn)
    if event is None:  # called off or moved past: start again with what is open now
        return begin(turn)
    if answer.value == RsvpAnswer.YES and event.guests_allowed:
        return "party_size"
    _record(turn, event, answer.value or RsvpAnswer.NO, party=1)
    return None


def party_values(turn: Turn) -> dict[str, str]:
    event = turn.session.get_one(Event, turn.answers[EVENT])
    return {"most": str(event.most_per_party)}


def take_party(turn: Turn, answer: Answer) -> str | None:
    event = _event(turn)
    if event is None:
        return begin(turn)
    chosen = match_choice(answer.text, [(str(n),) for n in range(1, event.most_per_party + 1)])
    if chosen is None:
        return "party_again"
    _record(turn, event, RsvpAnswer.YES, party=chosen + 1)
    return None


def _record(turn: Turn, event: Event, said: str, *, party: int) -> None:
    """Keep the answer, tell anyone it promoted, and say where the tenant stands."""
    try:
        result = answer_rsvp(
            turn.session,
            event,
            turn.tenant.id,
            answer=said,
            party=party,
            channel=turn.channel,
            now=turn.now,
        )
    except EventsError:
        _ask_about(turn, event)  # the deadline passed while the question was open
        return
    tell_promoted(turn.session, event, result.promoted, now=turn.now, settings=turn.settings)
    values = {"event": event.title, "when": _when(turn, event), "venue": event.venue}
    if result.place is not None:
        turn.say("events.waiting", event=event.title, position=result.place)
    else:
        turn.say(f"events.answered.{result.rsvp.answer}", **values)


ANSWERS = (
    Option(RsvpAnswer.YES, "choice.yes", ("yes", "coming")),
    Option(RsvpAnswer.NO, "choice.no", ("no", "not coming")),
    Option(RsvpAnswer.MAYBE, "events.choice.maybe", ("maybe", "not sure", "perhaps")),
)

FLOW = Flow(
    name="events",
    begin=begin,
    questions={
        "which_event": Question("events.which", take_which, options=event_choices),
        "are_you_coming": Question(
            "events.are_you_coming", take_coming, options=ANSWERS, prompt_values=coming_values
        ),
        "party_size": Question("events.party", take_party, prompt_values=party_values, keypad=True),
        "party_again": Question(
            "events.party_again", take_party, prompt_values=party_values, keypad=True
        ),
    },
    keywords=("keyword.events",),
    menu_label="menu.events",
    offered_to=registered,
    resumable=False,
)
