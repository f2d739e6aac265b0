"""Random conversations through the signed Twilio webhook: whatever a tenant texts, in any order.

Hypothesis drives one phone with a mix of every flow's keywords (in English and Polish),
digits, yes and no, SKIP and odd bodies, and lets time pass. After every text the webhook
has answered 200, the engine did not fail, the reply fits two SMS, an opted-out tenant
heard only about consent, and the stored position is one the engine knows. Now and then,
and at the end of every run, MENU (after START, for a tenant who said STOP) must bring
up the menu: there is no state a tenant cannot leave.

Each example starts from an empty database and seeds its own area, so examples do not
lean on one another and a failure shrinks to a conversation that fails on its own.
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime

from flask import Flask
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot import catalogue, consent_words
from bot.flows import FLOWS
from bot.matching import normalise
from bot.sms import MAX_SEGMENTS, count_segments, plain_letters
from models.all import metadata
from models.consent import opted_out
from models.conversations import Conversation
from models.inspections import close_inspection, record_finding
from models.messages import InboundRecord
from models.tenants import Area, Identity, Tenant
from tests.factories import create_area, create_inspection, create_tenant
from tests.helpers import Clock, Phone, new_sid, twiml_messages

KEYWORDS = (
    *("HELP", "MENU", "STOP", "START", "LANG", "SHOP", "REPORT", "COMING", "MORE", "TELEGRAM"),
    *("POMOC", "JEZYK", "KLIENT", "ZGLOS", "BEDE", "WIECEJ"),  # the Polish forms
    "UNSTOP",
)
KEYWORD_TEXTS = st.tuples(
    st.sampled_from(KEYWORDS), st.sampled_from((str.upper, str.lower, str.title))
).map(lambda keyword_and_case: keyword_and_case[1](keyword_and_case[0]))
NUMBERS = st.integers(min_value=0, max_value=12).map(str)
WORDS = (
    *("yes", "Y", "aye", "no", "nope", "Tak", "Nie", "SKIP", "pomin", "1.", "option 2"),
    *("Methil", "Ann Smith", "Back lane", "Bags split open", "English", "Polski"),
)
ODD_BODIES = (
    "",
    "   ",
    "\U0001f600\U0001f44d\U0001f3e0",
    "1\ufe0f\u20e3",  # the keycap 1
    "a" * 2000,
    "\U0001f3e0" * 2000,
    "hi\x00\x07\x1b[31m\u202e",
    "\u0645\u0631\u062d\u0628\u0627 \u05e9\u05dc\u05d5\u05dd",
    "\u4f60\u597d\uff0c\u6211\u7684\u623f\u5b50",
)
ANYTHING = st.one_of(st.sampled_from(ODD_BODIES), st.text(max_size=30))
# consent words and HELP: the only things an opted-out tenant hears an answer to
ANSWERED_WHEN_OPTED_OUT = (
    consent_words.STOP_WORDS
    | consent_words.START_WORDS
    | consent_words.START_WORDS_WHEN_OPTED_OUT
    | catalogue.keyword_forms("keyword.help")
)

TEXTS_BETWEEN_MENUS = 5  # MENU puts the conversation aside, so it is tried only now and then
NEXT_WALK_AT = datetime(2026, 4, 7, 9, 30, tzinfo=UTC)
LAST_WALK_BOOKED = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)
LAST_WALK_AT = datetime(2026, 2, 10, 10, 0, tzinfo=UTC)
LAST_WALK_CLOSED = datetime(2026, 2, 10, 13, 0, tzinfo=UTC)


def start_afresh(engine: Engine) -> None:
    """Empty every table; plain DELETEs, as PostgreSQL's TRUNCATE takes 0.1 s an example."""
    with engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())


def seed_area(session: Session, *, now: datetime) -> int:
    """Methil, with a walk booked and one closed walk with findings: every flow has a target."""
    area = create_area(session, name="Methil")
    area.postcode_prefixes = "KY8 2,KY8 3"
    create_inspection(
        session, area=area, starts_at=NEXT_WALK_AT, meeting_point="Community flat", now=now
    )
    last = create_inspection(
        session,
        area=area,
        starts_at=LAST_WALK_AT,
        meeting_point="Car park entrance",
        now=LAST_WALK_BOOKED,
    )
    for found, action, due_on in (
        ("Stair light out at 12", "Replace the stair light", date(2026, 3, 20)),
        ("Mattress by the garages", "Clear the fly-tipping", None),
    ):
        record_finding(
            session,
            last,
            found=found,
            action=action,
            responsible="Repairs",
            due_on=due_on,
            now=LAST_WALK_CLOSED,
        )
    close_inspection(session, last, now=LAST_WALK_CLOSED)
    return area.id


class Conversations(RuleBasedStateMachine):
    """One phone texting the bot; the database and the clock start afresh for each example."""

    def __init__(
        self, phone: Phone, sessions: sessionmaker[Session], engine: Engine, clock: Clock
    ) -> None:
        super().__init__()
        self.phone, self.sessions, self.clock = phone, sessions, clock
        self.started_at = clock.now
        self.texts_since_menu = 0
        start_afresh(engine)
        clock.now = self.started_at

    @initialize(who=st.sampled_from(["shopper", "polish shopper", "stranger"]))
    def arrange(self, who: str) -> None:
        with self.sessions.begin() as session:
            area_id = seed_area(session, now=self.clock())
            if who != "stranger":
                area = session.get_one(Area, area_id)
                tenant = create_tenant(
                    session,
                    name="Ann Smith",
                    phone=self.phone.number,
                    area=area,
                    language="pl" if who == "polish shopper" else "en",
                )
                tenant.set_roles({"mystery_shopper"})

    def tenant(self, session: Session) -> Tenant | None:
        identity = session.scalar(
            select(Identity).where(Identity.channel == "sms", Identity.address == self.phone.number)
        )
        return identity.tenant if identity is not None else None

    def is_opted_out(self) -> bool:
        with self.sessions() as session:
            tenant = self.tenant(session)
            return tenant is not None and opted_out(session, tenant.id, "sms")

    def text(self, body: str) -> list[str]:
        """Send one text and check what holds after any text: 200, no engine failure, short."""
        sid = new_sid()
        response = self.phone.send(body, sid=sid)
        assert response.status_code == 200, (body, response.status_code)
        replies = twiml_messages(response)
        with self.sessions() as session:
            stored = session.scalar(select(InboundRecord).where(InboundRecord.provider_id == sid))
        assert stored is not None, f"{body!r} was not stored"
        assert stored.flow != "error", f"the engine failed on {body!r}: see the log"
        for reply in replies:
            assert count_segments(reply).segments <= MAX_SEGMENTS, reply
        return replies

    # Keywords open flows; numbers and words answer them, so they come twice as often.
    @rule(body=KEYWORD_TEXTS)
    def tenant_texts_a_keyword(self, body: str) -> None:
        self.tenant_texts(body)

    @rule(body=NUMBERS)
    def tenant_answers_with_a_number(self, body: str) -> None:
        self.tenant_texts(body)

    @rule(body=st.sampled_from(WORDS))
    def tenant_answers_in_words(self, body: str) -> None:
        self.tenant_texts(body)

    @rule(body=ANYTHING)
    def tenant_texts_anything(self, body: str) -> None:
        self.tenant_texts(body)

    def tenant_texts(self, body: str) -> None:
        """Silence for an opted-out tenant, bar consent words and HELP; else an answer."""
        self.texts_since_menu += 1
        was_opted_out = self.is_opted_out()
        replies = self.text(body)
        if was_opted_out and normalise(body).upper() not in ANSWERED_WHEN_OPTED_OUT:
            assert replies == [], f"an opted-out tenant was answered {replies!r} to {body!r}"
        else:
            assert replies, f"{body!r} got no answer"

    @rule(hours=st.sampled_from([1, 25]))
    def time_passes(self, hours: int) -> None:
        self.clock.advance(hours=hours)

    @precondition(lambda self: self.texts_since_menu >= TEXTS_BETWEEN_MENUS)
    @rule()
    def menu_gets_them_out(self) -> None:
        self.texts_since_menu = 0
        if self.is_opted_out():
            assert self.text("START"), "START got no answer from an opted-out tenant"
        replies = self.text("MENU")
        with self.sessions() as session:
            tenant = self.tenant(session)
            assert tenant is not None
            prompt = catalogue.render(tenant.language, "menu.prompt")  # accents may go, to fit
        assert replies and plain_letters(replies[0]).startswith(plain_letters(prompt)), replies

    @invariant()
    def the_stored_position_is_one_the_engine_knows(self) -> None:
        with self.sessions() as session:
            tenant = self.tenant(session)
            conversation = session.get(Conversation, tenant.id) if tenant else None
            if conversation is None:
                return
            flow = FLOWS.get(conversation.flow)
            assert flow is not None and conversation.state in flow.questions, (
                conversation.flow,
                conversation.state,
            )

    def teardown(self) -> None:
        """End every run with the way out; a run that already failed keeps its own error."""
        if sys.exc_info()[1] is None:
            self.menu_gets_them_out()


def test_no_sequence_of_texts_errs_runs_long_or_leaves_a_tenant_stuck(
    app: Flask, phone: Phone, sessions: sessionmaker[Session], clock: Clock
) -> None:
    engine: Engine = app.extensions["doorstep.engine"]
    run_state_machine_as_test(
        lambda: Conversations(phone, sessions, engine, clock),
        settings=settings(
            max_examples=40,
            stateful_step_count=25,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
