"""Keywords win over questions: a word from a notice starts its flow wherever the tenant is.

The walk notice says "Reply COMING if you can come, or REPORT to tell us about a problem
now"; a tenant who answers COMING and then REPORT is reporting, not answering the walk's
question wrongly. The conversation in hand is put aside and resumes when the tenant
comes back to it. A keyword the open question takes as an answer stays an answer.

The last test drives every keyword (every language's form of each flow's word) from
every state of every SMS flow, both read from the registry (bot.flows FLOWS, each
flow's ``keywords`` and ``questions``), so a new flow or word is covered by itself.
States are reached as tests/webhooks/test_sms_only_walk.py reaches them, by signed
texts from a fresh phone; once there, the conversation is set back to that state
before each keyword, so every keyword meets the same question.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

import tests.webhooks.test_sms_only_walk as sms_walk
from bot import catalogue
from bot.flow import Flow
from bot.flows import FLOWS
from models.conversations import Conversation, SavedProgress
from models.inspections import IssueReport
from models.messages import InboundRecord
from models.tenants import Area, Identity, Tenant, find_identity
from tests.factories import create_event, create_inspection, create_poll
from tests.helpers import Clock, Phone, TelegramChat
from tests.webhooks.test_sms_only_walk import Stop, Walker, answers_to, first_contact_only

world, walker = sms_walk.world, sms_walk.walker  # the walk's fixtures: its world, its walker

WHAT_KIND = "What kind of problem is it?"
NONE_OPEN = "There is no poll open for you just now. We will text you when there is one."


def position(db: Session, tenant: Tenant) -> tuple[str, str] | None:
    db.expire_all()
    conversation = db.get(Conversation, tenant.id)
    return (conversation.flow, conversation.state) if conversation else None


def put_aside(db: Session, tenant: Tenant) -> list[tuple[str, str]]:
    db.expire_all()
    saved = db.scalars(select(SavedProgress).where(SavedProgress.tenant_id == tenant.id))
    return [(row.flow, row.state) for row in saved]


def test_report_after_coming_starts_the_report_and_it_reaches_the_walk(
    phone: Phone, db: Session, clock: Clock, methil: Area, tenant: Tenant
) -> None:
    walk = create_inspection(db, area=methil, now=clock(), starts_at=clock() + timedelta(days=7))
    db.commit()
    assert "Can you come?" in phone.text("COMING")[0]

    assert phone.text("REPORT")[0].startswith(WHAT_KIND)
    assert position(db, tenant) == ("report_issue", "category")
    assert put_aside(db, tenant) == [("inspection_rsvp", "will_you_come")]
    phone.text("3")  # lighting
    phone.text("The stair at number 4")
    phone.text("The light is out")
    assert "R-" in phone.text("1")[0]  # send

    db.expire_all()
    report = db.scalars(select(IssueReport)).one()
    assert (report.inspection_id, report.location) == (walk.id, "The stair at number 4")
    inbox = db.scalars(select(InboundRecord).where(InboundRecord.inbox.is_not(None))).all()
    assert inbox == []


def test_report_after_menu_starts_the_report(
    phone: Phone, db: Session, methil: Area, tenant: Tenant
) -> None:
    assert "What would you like to do?" in phone.text("MENU")[0]
    assert phone.text("report")[0].startswith(WHAT_KIND)
    assert position(db, tenant) == ("report_issue", "category")


def test_a_report_put_aside_by_a_keyword_resumes_where_it_stopped(
    phone: Phone, db: Session, clock: Clock, methil: Area, tenant: Tenant
) -> None:
    create_event(db, area=methil, now=clock(), starts_at=clock() + timedelta(days=7))
    db.commit()
    phone.text("REPORT")
    assert phone.text("1")[0].startswith("Where is it?")
    assert "Are you coming?" in phone.text("EVENTS")[0]
    assert position(db, tenant) == ("events", "are_you_coming")

    replies = phone.text("REPORT")
    assert replies[0] == catalogue.render("en", "conversation.resumed")
    assert replies[1].startswith("Where is it?")
    assert position(db, tenant) == ("report_issue", "where")


def test_the_keyword_of_the_conversation_in_hand_asks_its_question_again(
    phone: Phone, db: Session, methil: Area, tenant: Tenant
) -> None:
    phone.text("REPORT")
    phone.text("1")
    assert phone.text("Report")[-1].startswith("Where is it?")
    assert position(db, tenant) == ("report_issue", "where")
    assert put_aside(db, tenant) == []


def test_a_keyword_that_answers_the_question_in_hand_stays_its_answer(
    phone: Phone, db: Session, clock: Clock, methil: Area, tenant: Tenant
) -> None:
    """COMING is a way of saying yes to an event; with a walk planned too, it answers the event."""
    create_inspection(db, area=methil, now=clock(), starts_at=clock() + timedelta(days=3))
    create_event(db, area=methil, now=clock(), starts_at=clock() + timedelta(days=7))
    db.commit()
    phone.text("EVENTS")
    assert phone.text("Coming")[0].startswith("Thank you")
    assert position(db, tenant) is None
    db.expire_all()
    last = db.scalars(select(InboundRecord).order_by(InboundRecord.id.desc())).first()
    assert last is not None and last.flow == "events"


def test_a_polish_keyword_wins_for_a_polish_tenant(
    phone: Phone, db: Session, clock: Clock, methil: Area, tenant: Tenant
) -> None:
    tenant.language = "pl"
    create_inspection(db, area=methil, now=clock(), starts_at=clock() + timedelta(days=7))
    db.commit()
    phone.text("BEDE")
    phone.text("ZGLOS")
    assert position(db, tenant) == ("report_issue", "category")


def test_a_keyword_in_a_free_text_answer_starts_its_flow(
    phone: Phone, db: Session, clock: Clock, methil: Area, tenant: Tenant
) -> None:
    create_inspection(db, area=methil, now=clock(), starts_at=clock() + timedelta(days=7))
    db.commit()
    phone.text("REPORT")
    phone.text("1")
    assert "Can you come?" in phone.text("coming")[0]
    assert put_aside(db, tenant) == [("report_issue", "where")]


def test_vote_with_no_poll_open_says_so_instead_of_going_to_the_inbox(
    phone: Phone, db: Session, methil: Area, tenant: Tenant
) -> None:
    assert phone.text("VOTE") == [NONE_OPEN]
    db.expire_all()
    assert db.scalars(select(InboundRecord.inbox)).one() is None


def test_vote_mid_question_starts_the_vote(
    phone: Phone, db: Session, clock: Clock, methil: Area, tenant: Tenant
) -> None:
    create_poll(db, now=clock(), closes_at=clock() + timedelta(days=7))
    create_inspection(db, area=methil, now=clock(), starts_at=clock() + timedelta(days=7))
    db.commit()
    phone.text("COMING")
    assert "Which rent rise do you prefer for 2027?" in phone.text("VOTE")[0]
    assert position(db, tenant) == ("vote", "choose_option")


def test_on_telegram_report_after_coming_starts_the_report(
    chat: TelegramChat, db: Session, clock: Clock, methil: Area
) -> None:
    tenant = Tenant(name="Ann Smith", area=methil, registered=True)
    tenant.identities.append(Identity(channel="telegram", address=str(chat.chat_id)))
    db.add(tenant)
    create_inspection(db, area=methil, now=clock(), starts_at=clock() + timedelta(days=7))
    db.commit()
    assert chat.say("COMING").status_code == 200
    assert position(db, tenant) == ("inspection_rsvp", "will_you_come")
    assert chat.say("REPORT").status_code == 200
    assert position(db, tenant) == ("report_issue", "category")


def test_on_telegram_a_keyword_at_the_photo_question_puts_the_report_aside(
    chat: TelegramChat, db: Session, clock: Clock, methil: Area
) -> None:
    """The photo question is asked on Telegram only, so the SMS walk below cannot reach it."""
    tenant = Tenant(name="Ann Smith", area=methil, registered=True)
    tenant.identities.append(Identity(channel="telegram", address=str(chat.chat_id)))
    db.add(tenant)
    create_event(db, area=methil, now=clock(), starts_at=clock() + timedelta(days=7))
    db.commit()
    for said in ("REPORT", "1", "Back lane", "Bags of rubbish"):
        assert chat.say(said).status_code == 200
    assert position(db, tenant) == ("report_issue", "photo")
    assert chat.say("EVENTS").status_code == 200
    assert position(db, tenant) == ("events", "are_you_coming")
    assert put_aside(db, tenant) == [("report_issue", "photo")]


# --- every keyword from every state of every flow -------------------------------------------

KEYWORDS = sorted({key for flow in FLOWS.values() for key in flow.keywords})
ASKING_FLOWS = [name for name in sms_walk.SMS_FLOWS if FLOWS[name].questions]
REPROMPT = "Sorry, I did not understand."


def reach(walker: Walker, flow: Flow, path: tuple[str, ...]) -> tuple[Phone, Stop]:
    """A fresh phone, its flow started and ``path`` answered, as the SMS walk does it."""
    phone = walker.fresh_phone()
    if not first_contact_only(flow):
        walker.world.sign_up(walker.db, walker.clock(), phone.number)
    stop = walker.text(phone, walker.opening(phone, flow))
    for answer in path:
        stop = walker.text(phone, answer)
    return phone, stop


def tenant_on(db: Session, phone: Phone) -> Tenant:
    db.expire_all()
    identity = find_identity(db, "sms", phone.number)
    assert identity is not None
    return identity.tenant


def set_back(db: Session, tenant: Tenant, to: Conversation, now: datetime) -> None:
    """The conversation where it stood, nothing put aside: each keyword meets the question."""
    db.execute(delete(SavedProgress).where(SavedProgress.tenant_id == tenant.id))
    row = db.get(Conversation, tenant.id) or Conversation(tenant_id=tenant.id)
    row.flow, row.state, row.answers = to.flow, to.state, dict(to.answers)
    row.updated_at, row.expires_at = now, now + timedelta(hours=1)
    db.add(row)
    db.commit()


def keyword_flow(tenant: Tenant, key: str) -> Flow | None:
    """The flow the word starts for this tenant by SMS, if it is offered to them."""
    return next((f for f in FLOWS.values() if key in f.keywords and f.offered(tenant, "sms")), None)


def check_every_keyword(walker: Walker, phone: Phone, stop: Stop) -> None:
    db, here, here_at = walker.db, f"{stop.flow}.{stop.state}", (stop.flow, stop.state)
    tenant = tenant_on(db, phone)
    snapshot = db.get_one(Conversation, tenant.id)
    asked = Conversation(flow=snapshot.flow, state=snapshot.state, answers=dict(snapshot.answers))
    for key in KEYWORDS:
        for word in sorted(catalogue.keyword_forms(key)):
            set_back(db, tenant, asked, walker.clock())
            wanted = keyword_flow(tenant_on(db, phone), key)
            said = walker.text(phone, word).said
            db.expire_all()
            answered_in = db.scalars(
                select(InboundRecord.flow)
                .where(InboundRecord.address == phone.number)
                .order_by(InboundRecord.id.desc())
            ).first()
            if wanted is None:  # not offered to them: the word is only words to the question
                assert answered_in == stop.flow, f"{word} at {here} went to {answered_in}"
                continue
            assert not any(reply.startswith(REPROMPT) for reply in said), f"{word} at {here}"
            own = wanted.name == stop.flow
            if answered_in == wanted.name and (own or (here_at in put_aside(db, tenant))):
                continue  # the word won, the question put aside (or its own flow's, asked again)
            choice = bool(sms_walk.numbers_offered(stop.question))  # one of its options took it
            assert choice and answered_in in (stop.flow, wanted.name), f"{word} at {here}"


@pytest.mark.parametrize("flow_name", ASKING_FLOWS)
def test_every_keyword_from_every_state_starts_its_flow_unless_it_answers_the_question(
    flow_name: str, walker: Walker
) -> None:
    """A word the question does not take starts its flow, the question put aside; a word
    the question takes (one of its options) is its answer; never a re-prompt either way."""
    flow = FLOWS[flow_name]
    kept_off = {state for (name, state) in sms_walk.NOT_ASKED_BY_SMS if name == flow_name}
    checked: set[str] = set()
    frontier: deque[tuple[str, ...]] = deque([()])
    while frontier and checked != set(flow.questions) - kept_off:
        path = frontier.popleft()
        phone, stop = reach(walker, flow, path)
        if stop.finished or stop.flow != flow.name or stop.state in checked:
            continue
        checked.add(stop.state or "")
        check_every_keyword(walker, phone, stop)
        frontier.extend((*path, answer) for answer in answers_to(stop.question))
    assert checked == set(flow.questions) - kept_off
