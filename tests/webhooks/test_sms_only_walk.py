"""Every state of every SMS flow, walked by text alone: digits and plain words, nothing else.

A basic phone gives us no links, buttons or photos to count on, so each question must
say what to send back and be answerable with a number or a few words. The walk starts
each flow with its keyword (or its MENU number, or, for signing up, any first text),
then from each question it reaches tries every listed number and, for a free-text
question, plain words, a digit, a greeting, and SKIP where the question offers it. Each path is
replayed from a fresh tenant through the signed Twilio webhook, so no answer leaks
into the next; the tenant's conversation row says where each path left them.

A flow or state added later that no SMS path reaches, or that cannot be finished by
SMS, fails here by name.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot import catalogue
from bot.flow import Flow
from bot.flows import FLOWS
from bot.presentation import presentation_of
from channels.presentations import SMS
from models.audiences import Audience
from models.broadcasts import BroadcastKind, create_broadcast
from models.consent import Topic
from models.conversations import Conversation
from models.events import Answer, answer_rsvp
from models.inspections import close_inspection, record_finding
from models.messages import InboundRecord, OutboundRecord, OutboxStatus
from models.tenants import Area, Role, find_identity
from tests.conftest import PUBLIC_URL, TWILIO_TOKEN
from tests.factories import (
    create_area,
    create_event,
    create_inspection,
    create_outbound,
    create_poll,
    create_repair,
    create_tenant,
)
from tests.helpers import Clock, Phone

FIRST_NUMBER, LAST_NUMBER = 900001, 900199  # +44 7700 900000 is the landlord's own number
WORDS = "The light by the Methil shops is out"  # plain words that also name the estate
DIGIT = "2"  # a number typed as the answer to a free-text question (a party size, say)
FIRST_TEXT = "Hello"  # what a stranger might text first
MOST_VISITS_PER_STATE = 4  # the same question worded afresh: another event, a changed draft
SAYS_WHAT_TO_SEND = re.compile(r"\b(reply|text|skip|send)\b", re.IGNORECASE)
FINISHED = "(finished)"
# States an SMS flow asks on other channels only, each with the reason SMS needs it not.
NOT_ASKED_BY_SMS = {
    ("report_issue", "photo"): "a photo is asked for on Telegram only; SMS goes on to the check",
}


def offered_on_sms(flow: Flow) -> bool:
    return presentation_of(SMS).traits.issuperset(flow.needs)


SMS_FLOWS = sorted(name for name, flow in FLOWS.items() if offered_on_sms(flow))


# --- the world the flows need ---------------------------------------------------------------


@dataclass(frozen=True)
class World:
    """What is offered to any tenant of Methil; each tenant's own part comes in sign_up."""

    area_id: int
    opportunity_id: int

    def sign_up(self, db: Session, now: datetime, number: str) -> None:
        """A registered Methil tenant: a mystery shopper, with a repair survey and an offer."""
        area = db.get_one(Area, self.area_id)
        tenant = create_tenant(db, name=f"Tenant {number[-3:]}", phone=number, area=area)
        tenant.set_roles({Role.MYSTERY_SHOPPER.value})
        repair = create_repair(
            db,
            tenant=tenant,
            job_reference=f"JOB-{number[-3:]}",
            job_type="Plumbing",
            completed_at=now - timedelta(days=1),
            now=now,
        )
        repair.survey_sent_at = now
        offer = create_outbound(db, tenant=tenant, status=OutboxStatus.SENT)
        offer.broadcast_id, offer.sent_at = self.opportunity_id, now
        db.commit()


@pytest.fixture
def world(db: Session, sessions: sessionmaker[Session], clock: Clock) -> World:
    """Methil with a walk done and one planned, an event with guests and a full one,
    two open polls, and a volunteer opportunity."""
    area = create_area(db, name="Methil")
    db.commit()
    with sessions.begin() as session:
        methil = session.get_one(Area, area.id)
        plan_walks(session, methil, clock())
        book_events(session, methil, clock())
        open_polls(session, methil, clock())
        opportunity = create_broadcast(
            session,
            kind=BroadcastKind.OPPORTUNITY,
            texts={"en": "Can you help at the fun day? Reply YES if you can help."},
            audience={"everyone": True},
            topic=Topic.NEWS,
            urgent=False,
            staff_id=None,
            now=clock(),
        )
        return World(area_id=area.id, opportunity_id=opportunity.id)


def plan_walks(session: Session, area: Area, now: datetime) -> None:
    """A walk that found something (for MORE) and one to come (for COMING)."""
    done = create_inspection(
        session, area=area, starts_at=now - timedelta(days=14), now=now - timedelta(days=30)
    )
    close_inspection(session, done, now=now - timedelta(days=13))
    record_finding(
        session,
        done,
        found="Broken light on the stair",
        action="Replace the light",
        responsible="Repairs team",
        due_on=None,
        now=now - timedelta(days=13),
    )
    create_inspection(session, area=area, starts_at=now + timedelta(days=7), now=now)


def book_events(session: Session, area: Area, now: datetime) -> None:
    """A coffee morning with guests allowed, and a gala whose one place is taken."""
    create_event(
        session,
        area=area,
        title="Coffee morning",
        starts_at=now + timedelta(days=7),
        hours=2,
        most_per_party=3,
        now=now,
    )
    gala = create_event(
        session,
        area=area,
        title="Gala",
        starts_at=now + timedelta(days=14),
        hours=2,
        capacity=1,
        now=now,
    )
    neighbour = create_tenant(session, name="A neighbour", area=area)
    answer_rsvp(session, gala, neighbour.id, answer=Answer.YES, party=1, channel="sms", now=now)


def open_polls(session: Session, area: Area, now: datetime) -> None:
    """Two polls, so VOTE first asks which."""
    for days, question in ((7, "Rents for 2027: which do you prefer?"), (10, "New bins?")):
        create_poll(
            session,
            question=question,
            options=["The first choice", "The second choice"],
            audience=Audience(area_ids=frozenset({area.id})),
            closes_at=now + timedelta(days=days),
            now=now,
        )


# --- texting, and checking what comes back --------------------------------------------------


@dataclass(frozen=True)
class Stop:
    """Where a path of texts left the tenant: at a flow's question (as sent), or finished."""

    flow: str | None = None
    state: str | None = None
    question: str = ""
    said: tuple[str, ...] = field(default=(), compare=False)  # every SMS the last text got

    @property
    def finished(self) -> bool:
        return self.state is None


def first_contact_only(flow: Flow) -> bool:
    """A flow with no word and no menu entry: the one an unknown number's first text starts."""
    return not flow.keywords and not flow.menu_label and flow.name != "menu"


@dataclass
class Walker:
    """Texts the webhook from a fresh phone for each path, checking every SMS it gets back."""

    client: FlaskClient
    db: Session
    clock: Clock
    world: World
    used: int = 0

    def run(self, flow: Flow, answers: tuple[str, ...]) -> Stop:
        """Start the flow on a fresh phone, send the answers, and say where that leaves it."""
        phone = self.fresh_phone()
        if not first_contact_only(flow):
            self.world.sign_up(self.db, self.clock(), phone.number)
        opening = self.opening(phone, flow)
        stop = self.text(phone, opening)
        assert stop.finished or stop.flow == flow.name, f"{opening!r} did not start {flow.name}"
        assert stop.said != (catalogue.render("en", "inbox.thanks"),), (
            f"{opening!r} went to staff instead of starting {flow.name}"
        )
        for answer in answers:
            assert not stop.finished, f"{flow.name}: finished before {answer!r}"
            numbers = numbers_offered(stop.question)
            stop = self.text(phone, answer)
            if numbers:
                assert stop.question != reprompt(numbers), f"{answer} was not taken"
        return stop

    def fresh_phone(self) -> Phone:
        number = FIRST_NUMBER + self.used
        assert number <= LAST_NUMBER, "the walk needs more numbers than its range holds"
        self.used += 1
        return Phone(self.client, f"+447700{number}", TWILIO_TOKEN, PUBLIC_URL)

    def opening(self, phone: Phone, flow: Flow) -> str:
        """The text that starts the flow: its keyword, its MENU number, or any first text."""
        if flow.keywords:
            return catalogue.render("en", flow.keywords[0])
        menu_word = catalogue.render("en", "keyword.menu")
        if flow.name == "menu":
            return menu_word
        if flow.menu_label:
            menu = self.text(phone, menu_word).question
            return number_in(menu, catalogue.render("en", flow.menu_label), flow.name)
        return FIRST_TEXT

    def text(self, phone: Phone, body: str) -> Stop:
        replies = phone.text(body)
        for reply in replies:
            check_reply(reply, after=body)
        self.db.expire_all()
        identity = find_identity(self.db, "sms", phone.number)
        assert identity is not None
        conversation = self.db.get(Conversation, identity.tenant_id)
        if conversation is None:
            return Stop(said=tuple(replies))
        where = f"{conversation.flow}.{conversation.state}"
        assert replies, f"{where} was never asked by SMS (after {body!r})"
        stop = Stop(conversation.flow, conversation.state, replies[-1], tuple(replies))
        check_question(stop)
        return stop


def number_in(menu: str, label: str, flow_name: str) -> str:
    for line in menu.splitlines():
        number, _, said = line.partition(" ")
        if number.isdigit() and said == label:
            return number
    raise AssertionError(f"{flow_name} is not in the SMS menu:\n{menu}")


def check_reply(reply: str, *, after: str) -> None:
    lowered = reply.lower()
    assert "http" not in lowered and "www." not in lowered, f"a link after {after!r}: {reply!r}"
    assert reply != catalogue.render("en", "error.sorry"), f"the engine failed on {after!r}"


def reprompt(numbers: list[str]) -> str:
    """What the bot says when a listed number is not taken: it should never be said here."""
    listed = catalogue.numbers_list("en", len(numbers))
    return catalogue.render("en", "reprompt.choice", numbers=listed)


def numbers_offered(question: str) -> list[str]:
    """The numbers a question's closing "Reply 1, 2 or 3" line asks for, if it has one."""
    last = question.splitlines()[-1]
    return re.findall(r"\d+", last) if last.startswith("Reply ") else []


def check_question(stop: Stop) -> None:
    """The question's SMS says what to send; each number asked for has its option's line."""
    named = f"{stop.flow}.{stop.state}"
    numbers = numbers_offered(stop.question)
    if not numbers:
        assert SAYS_WHAT_TO_SEND.search(stop.question), f"{named} says not what to send"
        return
    lines = stop.question.splitlines()
    for number in numbers:
        assert any(line.startswith(f"{number} ") for line in lines), (
            f"{named} asks for {number} but lists no option {number}: {stop.question!r}"
        )
    options = FLOWS[stop.flow or ""].questions[stop.state or ""].options
    if not callable(options):
        assert len(numbers) == len(options), f"{named} does not number all its options"


def answers_to(question: str) -> list[str]:
    """What a basic phone would send back: a listed number; or words, a digit, a greeting,
    SKIP if offered."""
    numbers = numbers_offered(question)
    if numbers:
        return numbers
    skip = catalogue.render("en", "keyword.skip")
    return [WORDS, DIGIT, FIRST_TEXT, *([skip] if skip in question else [])]


# --- exploring a flow -------------------------------------------------------------------------


@dataclass
class Exploration:
    """The states of one flow the walk reached, and where each answer from them led."""

    flow: Flow
    states: set[str] = field(default_factory=set)
    leads_to: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    finished_paths: list[tuple[str, ...]] = field(default_factory=list)
    handed_over: set[str] = field(default_factory=set)

    def reached(self, path: tuple[str, ...], stop: Stop) -> str:
        """Note where a path stopped: one of the flow's states, the end, or another flow."""
        if stop.finished:
            self.finished_paths.append(path)
            return FINISHED
        if stop.flow != self.flow.name:
            assert stop.flow in SMS_FLOWS, f"{self.flow.name} hands over to {stop.flow}"
            self.handed_over.add(f"flow {stop.flow}")
            return f"flow {stop.flow}"
        self.states.add(stop.state or "")
        return stop.state or ""

    def cannot_finish(self) -> set[str]:
        """States with no path of texts to the end, nor to another SMS flow (walked on its own)."""
        can = {FINISHED, *self.handed_over}
        grew = True
        while grew:
            more = {state for state in self.states - can if self.leads_to[state] & can}
            can |= more
            grew = bool(more)
        return self.states - can


def explore(walker: Walker, flow: Flow) -> Exploration:
    """Breadth first from the flow's opening, each answer replayed from a fresh tenant."""
    found = Exploration(flow)
    visits: Counter[str] = Counter()
    start = walker.run(flow, ())
    found.reached((), start)
    frontier: deque[tuple[tuple[str, ...], Stop]] = deque([((), start)])
    seen = {start}
    while frontier:
        path, stop = frontier.popleft()
        if (
            stop.finished
            or stop.flow != flow.name
            or visits[stop.state or ""] >= MOST_VISITS_PER_STATE
        ):
            continue
        here = stop.state or ""
        visits[here] += 1
        for answer in answers_to(stop.question):
            child = walker.run(flow, (*path, answer))
            found.leads_to[here].add(found.reached((*path, answer), child))
            if child not in seen:
                seen.add(child)
                frontier.append(((*path, answer), child))
    return found


# --- the tests ----------------------------------------------------------------------------------


@pytest.fixture
def walker(client: FlaskClient, db: Session, clock: Clock, world: World) -> Walker:
    return Walker(client, db, clock, world)


@pytest.mark.parametrize("flow_name", SMS_FLOWS)
def test_every_state_of_the_flow_is_reached_and_finished_by_sms_with_digits_and_words(
    flow_name: str, walker: Walker, db: Session
) -> None:
    flow = FLOWS[flow_name]
    walked = explore(walker, flow)

    kept_off = {state for (name, state) in NOT_ASKED_BY_SMS if name == flow_name}
    assert not kept_off & walked.states, f"{flow_name}: NOT_ASKED_BY_SMS is out of date"
    unreached = sorted(set(flow.questions) - kept_off - walked.states)
    assert not unreached, f"no SMS path reaches {', '.join(f'{flow_name}.{s}' for s in unreached)}"
    stuck = sorted(walked.cannot_finish())
    assert not stuck, f"no SMS path finishes from {', '.join(f'{flow_name}.{s}' for s in stuck)}"
    assert walked.finished_paths or walked.handed_over, f"no SMS path finishes {flow_name}"
    db.expire_all()
    assert db.scalars(select(InboundRecord).where(InboundRecord.flow == "error")).all() == []
    links = [
        body
        for body in db.scalars(select(OutboundRecord.body).where(OutboundRecord.channel == "sms"))
        if "http" in body.lower() or "www." in body.lower()
    ]
    assert links == []
