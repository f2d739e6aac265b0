"""The mystery shopper's monthly check-in, walked end to end through the signed Twilio webhook."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.conversations import Conversation
from models.messages import InboundRecord
from models.mystery_shopping import (
    MysteryShopCheckIn,
    ServiceResult,
    StaffAlert,
    response_rate,
    results_by_service,
)
from models.tenants import Tenant
from tests.conftest import PUBLIC_URL, TWILIO_TOKEN
from tests.factories import create_tenant
from tests.helpers import Clock, Phone

NAME = "Ann Smith"


@pytest.fixture
def shopper(db: Session, phone: Phone) -> Tenant:
    tenant = create_tenant(db, name=NAME, phone=phone.number)
    tenant.set_roles({"mystery_shopper"})
    db.commit()
    return tenant


def check_ins(db: Session) -> list[MysteryShopCheckIn]:
    db.expire_all()
    return list(db.scalars(select(MysteryShopCheckIn).order_by(MysteryShopCheckIn.id)))


def only_check_in(db: Session) -> MysteryShopCheckIn:
    (check_in,) = check_ins(db)
    return check_in


def alerts(db: Session) -> list[StaffAlert]:
    db.expire_all()
    return list(db.scalars(select(StaffAlert).order_by(StaffAlert.id)))


def in_conversation(db: Session, tenant: Tenant) -> bool:
    db.expire_all()
    return db.get(Conversation, tenant.id) is not None


def answers(check_in: MysteryShopCheckIn) -> tuple[object, ...]:
    return (
        check_in.service,
        check_in.when_used,
        check_in.ease,
        check_in.respect,
        check_in.sorted_out,
        check_in.what_happened,
        check_in.improve,
    )


def test_a_mystery_shopper_does_the_whole_check_in_by_digits(
    phone: Phone, db: Session, clock: Clock, shopper: Tenant
) -> None:
    (first,) = phone.text("SHOP")
    assert "Which of our services" in first
    assert "1 Phone call" in first and "6 None" in first and "Reply 1, 2, 3, 4, 5 or 6" in first
    assert "When was that?" in phone.text("2")[0]
    assert "How easy was it to get help" in phone.text("1")[0]
    assert "How well did our staff treat you" in phone.text("4")[0]
    assert "Was your question or problem sorted?" in phone.text("5")[0]
    assert "what happened? Reply with your words, or SKIP" in phone.text("1")[0]
    assert "one thing we could do better" in phone.text("Asked about my rent, clear answer")[0]
    (thanks,) = phone.text("Answer the phone faster")
    assert thanks.startswith("Thank you. Your answers help us improve our services.")

    check_in = only_check_in(db)
    assert answers(check_in) == (
        "office",
        "this_week",
        4,
        5,
        "yes",
        "Asked about my rent, clear answer",
        "Answer the phone faster",
    )
    assert (check_in.tenant_id, check_in.month, check_in.channel) == (shopper.id, "2026-03", "sms")
    assert check_in.started_at == check_in.finished_at == clock()
    assert alerts(db) == []
    assert not in_conversation(db, shopper)


def test_every_message_of_a_check_in_its_last_answer_too_is_recorded_as_the_check_ins(
    phone: Phone, db: Session, shopper: Tenant
) -> None:
    for reply in ("SHOP", "2", "1", "4", "5", "1", "Asked about my rent", "Answer faster"):
        phone.text(reply)
    phone.text("SHOP")  # this month's is done: the thank-you is the check-in's too
    phone.text("Is the office open on Monday?")  # no flow: for the inbox

    db.expire_all()
    flows = [row.flow for row in db.scalars(select(InboundRecord).order_by(InboundRecord.id))]
    assert flows == ["mystery_shop"] * 9 + [None]


def test_answers_are_kept_as_they_are_given_and_words_work_as_well_as_digits(
    phone: Phone, db: Session, shopper: Tenant
) -> None:
    phone.text("shop")
    phone.text("Housing officer")
    phone.text("last week")
    assert answers(only_check_in(db))[:3] == ("housing_officer", "last_week", None)
    phone.text("3")
    phone.text("very well")
    phone.text("Partly")
    check_in = only_check_in(db)
    assert answers(check_in)[:5] == ("housing_officer", "last_week", 3, 5, "partly")
    assert check_in.finished_at is None


def test_none_ends_the_check_in_politely(phone: Phone, db: Session, shopper: Tenant) -> None:
    phone.text("SHOP")
    assert phone.text("6") == ["Thank you for letting us know. We will text you again next month."]
    check_in = only_check_in(db)
    assert check_in.service == "none" and check_in.finished_at is not None
    assert not in_conversation(db, shopper)


def test_skip_leaves_the_free_text_answers_empty(
    phone: Phone, db: Session, shopper: Tenant
) -> None:
    for said in ("SHOP", "3", "1", "4", "4", "yes"):
        phone.text(said)
    assert "one thing we could do better" in phone.text("skip")[0]
    assert "Thank you" in phone.text(" Skip. ")[0]
    check_in = only_check_in(db)
    assert (check_in.what_happened, check_in.improve) == (None, None)
    assert check_in.finished_at is not None


def test_shop_typed_at_a_free_text_question_asks_it_again_rather_than_being_kept(
    phone: Phone, db: Session, shopper: Tenant
) -> None:
    for said in ("SHOP", "3", "1", "4", "4", "yes"):
        phone.text(said)
    assert "what happened?" in phone.text("SHOP")[0]
    assert only_check_in(db).what_happened is None
    assert "one thing we could do better" in phone.text("Fixed the door")[0]


def test_a_low_score_alerts_staff_at_once_without_saying_who_the_shopper_is(
    phone: Phone, db: Session, clock: Clock, shopper: Tenant
) -> None:
    for said in ("SHOP", "3", "2"):
        phone.text(said)
    assert alerts(db) == []
    phone.text("1")  # very hard to get help
    (alert,) = alerts(db)
    assert alert.kind == "mystery_shop" and alert.created_at == clock() and not alert.resolved
    assert "repairs" in alert.summary and "ease 1/5" in alert.summary

    phone.text("2")  # treated badly
    phone.text("no")  # not sorted
    phone.text("Waited 40 minutes on hold and nobody called back")
    (thanks,) = phone.text("Call back when you say you will")
    assert "If you still need help, call 0300 123 4567" in thanks

    (alert,) = alerts(db)
    check_in = only_check_in(db)
    assert alert.check_in_id == check_in.id and check_in.tenant_id == shopper.id
    assert "respect 2/5" in alert.summary and "sorted: no" in alert.summary
    assert "Waited 40 minutes on hold and nobody called back" in alert.summary
    assert "Call back when you say you will" in alert.summary
    for identifying in ("Ann", "Smith", phone.number, phone.number[3:], "07700"):
        assert identifying not in alert.summary


def test_not_sorted_alone_raises_the_alert(phone: Phone, db: Session, shopper: Tenant) -> None:
    for said in ("SHOP", "1", "1", "4", "5"):
        phone.text(said)
    assert alerts(db) == []
    phone.text("3")  # not sorted
    assert len(alerts(db)) == 1


def test_a_check_in_resumes_where_it_stopped_after_25_hours_of_silence(
    phone: Phone, db: Session, clock: Clock, shopper: Tenant
) -> None:
    for said in ("SHOP", "1", "1"):
        phone.text(said)
    clock.advance(hours=25)
    replies = phone.text("SHOP")
    assert replies[0] == "Welcome back. Let us carry on where you left off."
    assert "How easy was it to get help" in replies[1]
    for said in ("5", "5", "1", "skip"):
        phone.text(said)
    assert "Thank you" in phone.text("skip")[0]
    check_in = only_check_in(db)
    assert answers(check_in) == ("phone", "this_week", 5, 5, "yes", None, None)
    assert check_in.finished_at == clock()


def test_a_check_in_put_aside_for_the_menu_resumes_where_it_stopped(
    phone: Phone, db: Session, shopper: Tenant
) -> None:
    for said in ("SHOP", "2", "2", "3"):
        phone.text(said)
    assert "What would you like to do?" in phone.text("MENU")[0]
    replies = phone.text("2")  # the check-in, from the menu
    assert replies[0].startswith("Welcome back") and "How well did our staff" in replies[1]
    assert only_check_in(db).ease == 3


def test_shop_again_after_finishing_says_this_months_is_done_and_next_month_starts_afresh(
    phone: Phone, db: Session, clock: Clock, shopper: Tenant
) -> None:
    phone.text("SHOP")
    phone.text("6")
    assert phone.text("SHOP") == [
        "You have already done this month's check-in. Thank you. "
        "We will text you when the next one is ready."
    ]
    assert not in_conversation(db, shopper)
    assert len(check_ins(db)) == 1

    clock.advance(days=31)
    assert "Which of our services" in phone.text("SHOP")[0]
    assert [c.month for c in check_ins(db)] == ["2026-03", "2026-04"]


def test_a_tenant_who_is_not_a_mystery_shopper_texting_shop_reaches_the_team(
    phone: Phone, db: Session
) -> None:
    tenant = create_tenant(db, phone=phone.number)
    db.commit()
    assert phone.text("SHOP") == [
        "Thank you. We have passed your message to our team. Text MENU to see what else you can do."
    ]
    db.expire_all()
    inbound = db.scalar(select(InboundRecord))
    assert inbound is not None and inbound.inbox == "open"
    assert check_ins(db) == []
    assert not in_conversation(db, tenant)
    menu = phone.text("MENU")[0]
    assert "Mystery shopper" not in menu and "Reply 1, 2, 3, 4, 5, 6 or 7" in menu


def test_the_menu_offers_the_check_in_to_mystery_shoppers(
    phone: Phone, db: Session, shopper: Tenant
) -> None:
    menu = phone.text("MENU")[0]
    assert "2 Mystery shopper check-in" in menu and "Reply 1, 2, 3, 4, 5, 6, 7 or 8" in menu
    assert "Which of our services" in phone.text("2")[0]


def test_a_polish_shopper_checks_in_in_polish_with_klient_and_pomin(
    phone: Phone, db: Session, shopper: Tenant
) -> None:
    shopper.language = "pl"
    db.commit()
    (first,) = phone.text("klient")
    assert "Z czego u nas ostatnio" in first and "Odpowiedz 1, 2, 3, 4, 5 lub 6" in first
    for said in ("1", "1", "4", "4", "tak"):
        phone.text(said)
    assert "wyślij POMIN" in phone.text("POMIN")[0]
    assert phone.text("pomin")[0].startswith("Dziękujemy.")
    check_in = only_check_in(db)
    assert answers(check_in) == ("phone", "this_week", 4, 4, "yes", None, None)


def test_finished_check_ins_are_counted_per_month_and_service_for_staff(
    phone: Phone, db: Session, client: FlaskClient, shopper: Tenant
) -> None:
    other = create_tenant(db)
    other.set_roles({"mystery_shopper"})
    db.commit()
    assert other.phone is not None
    other_phone = Phone(client, other.phone, auth_token=TWILIO_TOKEN, public_url=PUBLIC_URL)
    for said in ("SHOP", "2", "1", "4", "5", "yes", "skip", "skip"):
        phone.text(said)
    for said in ("SHOP", "2", "3", "1", "2"):  # not finished: not counted yet
        other_phone.text(said)
    assert results_by_service(db, ["2026-03"]) == [
        ServiceResult("2026-03", "office", 1, 4.0, 5.0, sorted_yes=1, sorted_partly=0, sorted_no=0)
    ]
    for said in ("partly", "skip", "skip"):
        other_phone.text(said)
    (office,) = results_by_service(db, ["2026-03"])
    assert (office.responses, office.average_ease, office.average_respect) == (2, 2.5, 3.5)
    assert (office.sorted_yes, office.sorted_partly) == (1, 1)
    assert response_rate(db, "2026-03") == (2, 2)
