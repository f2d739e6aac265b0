"""One vote per household: the member whose vote another member replaces is told.

Votes come in through the signed Twilio webhook, Telegram and the console's paper
vote; the notice is delivered by the dispatcher to the fake Twilio or the fake Bot API.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.polls import PollVote, Translation
from models.tenants import Area, Tenant
from scheduler.dispatcher import Dispatcher
from tests.conftest import PUBLIC_URL, TWILIO_TOKEN
from tests.factories import create_poll, create_tenant
from tests.fakes.telegram_api import FakeBotApi
from tests.fakes.twilio_api import FakeTwilio
from tests.helpers import Clock, Phone, StaffBrowser, TelegramChat

CLOSES_AT = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)  # Tue 10 Mar, 17:00 in London
TENANCY = "T-0042"
REPLACED = (
    "Fife Housing Group: someone else in your home has voted on: Which rent rise do you "
    "prefer for 2027? Your home has one vote, so their answer now counts instead of yours. "
    "Reply VOTE to change it."
)
POLISH = Translation("Jaką podwyżkę czynszu wolisz na 2027?", ("3%", "4% z nowymi kuchniami"))


def household_member(
    db: Session, name: str, area: Area, *, language: str = "en", telegram_chat: int | None = None
) -> Tenant:
    """A tenant of the one tenancy: on SMS, or on Telegram only when given a chat."""
    channels = ("sms",) if telegram_chat is None else ("telegram",)
    tenant = create_tenant(db, name=name, area=area, language=language, channels=channels)
    if telegram_chat is not None:
        tenant.identities[0].address = str(telegram_chat)
    tenant.tenancy = TENANCY
    db.commit()
    return tenant


def phone_of(client: FlaskClient, tenant: Tenant) -> Phone:
    return Phone(client, tenant.phone or "", auth_token=TWILIO_TOKEN, public_url=PUBLIC_URL)


def texts_to(fake_twilio: FakeTwilio, tenant: Tenant) -> list[str]:
    return [message["body"] for message in fake_twilio.sent_to(tenant.phone or "")]


def votes(db: Session) -> list[tuple[int | None, int]]:
    db.expire_all()
    return [(vote.tenant_id, vote.choice) for vote in db.scalars(select(PollVote))]


def test_the_member_whose_vote_another_replaces_is_told_by_sms_and_only_then(
    client: FlaskClient,
    db: Session,
    clock: Clock,
    methil: Area,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    ann = household_member(db, "Ann Smith", methil)
    bob = household_member(db, "Bob Smith", methil)
    create_poll(db, now=clock(), closes_at=CLOSES_AT, per_household=True)
    db.commit()
    ann_phone, bob_phone = phone_of(client, ann), phone_of(client, bob)
    ann_phone.text("VOTE")
    ann_phone.text("1")
    ann_phone.text("VOTE")
    ann_phone.text("2")  # her own vote changed: nobody else to tell
    dispatcher.run_once()
    assert REPLACED not in texts_to(fake_twilio, ann)
    before = {tenant.id: len(texts_to(fake_twilio, tenant)) for tenant in (ann, bob)}

    bob_phone.text("VOTE")
    assert bob_phone.text("1")[0].startswith("Thank you. You voted 3% rise. Your home has one")
    dispatcher.run_once()

    assert texts_to(fake_twilio, ann)[before[ann.id] :] == [REPLACED]
    assert texts_to(fake_twilio, bob)[before[bob.id] :] == []
    assert votes(db) == [(bob.id, 0)]


def test_a_member_on_telegram_is_told_in_their_own_language(
    client: FlaskClient,
    chat: TelegramChat,
    db: Session,
    clock: Clock,
    methil: Area,
    dispatcher: Dispatcher,
    bot_api: FakeBotApi,
) -> None:
    household_member(db, "Anna Nowak", methil, language="pl", telegram_chat=chat.chat_id)
    bob = household_member(db, "Bob Nowak", methil)
    create_poll(
        db, now=clock(), closes_at=CLOSES_AT, per_household=True, translations={"pl": POLISH}
    )
    db.commit()
    assert chat.say("GLOS").status_code == 200
    assert chat.press("2").status_code == 200
    dispatcher.run_once()
    before = len(bot_api.sent_messages(chat.chat_id))

    phone = phone_of(client, bob)
    phone.text("VOTE")
    phone.text("1")
    dispatcher.run_once()

    assert [message["text"] for message in bot_api.sent_messages(chat.chat_id)[before:]] == [
        "Fife Housing Group: inna osoba z Twojego domu zagłosowała: Jaką podwyżkę czynszu "
        "wolisz na 2027? Dom ma jeden głos, więc liczy się teraz jej odpowiedź, nie Twoja. "
        "Aby zmienić, napisz GLOS."
    ]
    assert votes(db) == [(bob.id, 0)]


def test_a_paper_vote_entered_by_staff_for_one_member_tells_the_member_it_replaced(
    client: FlaskClient,
    staff_as: Callable[[str], StaffBrowser],
    db: Session,
    clock: Clock,
    methil: Area,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    ann = household_member(db, "Ann Smith", methil)
    bob = household_member(db, "Bob Smith", methil)
    poll_id = create_poll(db, now=clock(), closes_at=CLOSES_AT, per_household=True).id
    db.commit()
    phone = phone_of(client, ann)
    phone.text("VOTE")
    phone.text("2")
    dispatcher.run_once()
    before = len(texts_to(fake_twilio, ann))

    page = f"/staff/polls/{poll_id}"
    officer = staff_as("officer")
    entered = officer.submit(
        page, f"{page}/votes", {"tenant": bob.phone, "choice": "0", "source": "paper"}
    )
    assert entered.status_code == 302
    dispatcher.run_once()

    assert texts_to(fake_twilio, ann)[before:] == [REPLACED]
    assert votes(db) == [(bob.id, 0)]
