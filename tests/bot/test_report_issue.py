"""REPORT, walked end to end: by SMS through the signed Twilio webhook, and on Telegram."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import catalogue
from bot.sms import count_segments
from models.consent import opted_out
from models.conversations import Conversation
from models.inspections import IssueReport
from models.messages import OutboundRecord, find_inbound
from models.tenants import Area, Identity, Tenant
from tests.factories import create_inspection, create_tenant
from tests.fakes import telegram_updates as updates
from tests.helpers import Clock, Phone, TelegramChat

CATEGORIES = "1 Litter\n2 Fly-tipping\n3 Lighting\n4 Graffiti\n5 Repair in a shared area"
WHERE = "Where is it?"
WHAT = "What is wrong?"
WHERE_PROMPT = catalogue.render("en", "report.where")
WHAT_PROMPT = catalogue.render("en", "report.what")
PHOTO = "If you can, send a photo of it now. Or reply SKIP."
PHOTO_KEPT = "Thank you for the photo."
CHECK = "Please check:"
CHANGE = "What do you want to change?"
THANKS = re.compile(r"^Thank you\. Your reference is (R-10\d\d)\. ")
NO_WALK_YET = "We will look at it on the next estate walk in your area"
# 10:30 in London, on the first Tuesday of British Summer Time's April
WALK_AT = datetime(2026, 4, 7, 9, 30, tzinfo=UTC)


@pytest.fixture
def telegram_tenant(db: Session, chat: TelegramChat, methil: Area) -> Tenant:
    tenant = create_tenant(db, name="Ann Smith", area=methil, channels=())
    tenant.identities.append(Identity(channel="telegram", address=str(chat.chat_id)))
    db.commit()
    return tenant


def reports(db: Session) -> list[IssueReport]:
    db.expire_all()
    return list(db.scalars(select(IssueReport).order_by(IssueReport.id)))


def only_report(db: Session) -> IssueReport:
    (report,) = reports(db)
    return report


def in_conversation(db: Session, tenant: Tenant) -> bool:
    db.expire_all()
    return db.get(Conversation, tenant.id) is not None


def reference_in(thanks: str) -> str:
    found = THANKS.match(thanks)
    assert found is not None, thanks
    return found.group(1)


def texts(phone: Phone, *said: str) -> list[str]:
    """Text each in turn; the replies to the last."""
    replies: list[str] = []
    for body in said:
        replies = phone.text(body)
    return replies


def telegram_answers(db: Session, chat: TelegramChat) -> list[str]:
    """What the bot queued in answer to the chat's last update, in order."""
    db.expire_all()
    inbound = find_inbound(db, "telegram", str(chat.sent_update_ids[-1]))
    assert inbound is not None, "the update was not stored"
    return list(
        db.scalars(
            select(OutboundRecord.body)
            .where(OutboundRecord.in_reply_to == inbound.id)
            .order_by(OutboundRecord.id)
        )
    )


def tell(chat: TelegramChat, db: Session, text: str) -> list[str]:
    response = chat.say(text)
    assert response.status_code == 200, response.get_data(as_text=True)
    return telegram_answers(db, chat)


def send_photo(
    chat: TelegramChat, db: Session, file_id: str, caption: str | None = None
) -> list[str]:
    update = updates.photo_update(
        update_id=chat.next_id(), chat_id=chat.chat_id, file_id=file_id, caption=caption
    )
    response = chat.post(update)
    assert response.status_code == 200, response.get_data(as_text=True)
    return telegram_answers(db, chat)


# -- by SMS --------------------------------------------------------------------------------


def test_an_sms_tenant_reports_by_digits_and_gets_a_reference(
    phone: Phone, db: Session, clock: Clock, tenant: Tenant
) -> None:
    (categories,) = phone.text("REPORT")
    assert categories.startswith("What kind of problem is it?\n" + CATEGORIES)
    assert "8 Something else\nReply 1, 2, 3, 4, 5, 6, 7 or 8" in categories
    assert WHERE in phone.text("2")[0]
    assert WHAT in phone.text("Bin store behind 12 High Street")[0]
    (check,) = phone.text("Mattress and bags dumped by the bins")
    assert check == (
        "Please check: Fly-tipping at Bin store behind 12 High Street: "
        "Mattress and bags dumped by the bins\n1 Send it\n2 Change something\nReply 1 or 2"
    )
    (thanks,) = phone.text("1")
    assert NO_WALK_YET in thanks

    report = only_report(db)
    assert reference_in(thanks) == report.reference
    assert (report.category, report.location, report.description) == (
        "fly_tipping",
        "Bin store behind 12 High Street",
        "Mattress and bags dumped by the bins",
    )
    assert (report.tenant_id, report.area_id, report.inspection_id, report.finding_id) == (
        tenant.id,
        tenant.area_id,
        None,
        None,
    )
    assert (report.photo_ids, report.channel, report.created_at) == ([], "sms", clock())
    assert not in_conversation(db, tenant)


def test_the_kind_of_problem_can_be_given_as_a_word(
    phone: Phone, db: Session, tenant: Tenant
) -> None:
    phone.text("report")
    assert WHERE in phone.text("Graffiti!")[0]
    texts(phone, "Underpass", "Painted all over", "send")
    assert only_report(db).category == "graffiti"


def test_a_report_changed_from_the_check_keeps_the_other_answers(
    phone: Phone, db: Session, tenant: Tenant
) -> None:
    texts(phone, "REPORT", "3", "Stair 4", "The light is out")
    (change,) = phone.text("2")
    assert change == (
        CHANGE + "\n1 The kind of problem\n2 Where it is\n3 What is wrong\nReply 1, 2 or 3"
    )
    assert WHERE in phone.text("2")[0]
    (check,) = phone.text("Stair 6, top landing")
    assert check.startswith("Please check: Lighting at Stair 6, top landing: The light is out")
    phone.text("2")
    assert "What kind of problem" in phone.text("1")[0]
    assert phone.text("5")[0].startswith("Please check: Repair in a shared area at Stair 6")
    thanks = phone.text("1")[0]

    report = only_report(db)
    assert reference_in(thanks) == report.reference
    assert (report.category, report.location, report.description) == (
        "common_area_repair",
        "Stair 6, top landing",
        "The light is out",
    )


def test_a_report_with_a_walk_booked_is_attached_and_the_thanks_names_its_time(
    phone: Phone, db: Session, clock: Clock, methil: Area, tenant: Tenant
) -> None:
    walk_id = create_inspection(
        db, area=methil, starts_at=WALK_AT, meeting_point="Community flat", now=clock()
    ).id
    db.commit()
    (thanks,) = texts(phone, "REPORT", "1", "Play park", "Broken glass by the swings", "1")
    report = only_report(db)
    assert thanks == (
        f"Thank you. Your reference is {report.reference}. We will look at it on the "
        "estate walk on Tue 7 Apr, 10:30 and tell you what happens."
    )
    assert report.inspection_id == walk_id


def test_a_report_with_no_walk_booked_is_kept_and_joins_the_next_walk_staff_book(
    phone: Phone, db: Session, clock: Clock, methil: Area, tenant: Tenant
) -> None:
    (thanks,) = texts(phone, "REPORT", "6", "Car park", "Abandoned van", "1")
    assert NO_WALK_YET in thanks
    assert only_report(db).inspection_id is None

    clock.advance(days=2)
    walk_id = create_inspection(
        db, area=methil, starts_at=WALK_AT, meeting_point="Car park entrance", now=clock()
    ).id
    db.commit()
    assert only_report(db).inspection_id == walk_id


def test_a_tenant_with_no_area_can_still_report(phone: Phone, db: Session) -> None:
    create_tenant(db, phone=phone.number, area=None)
    db.commit()
    (thanks,) = texts(phone, "REPORT", "8", "Outside my block", "Pigeons nesting in the vent", "1")
    assert NO_WALK_YET in thanks
    report = only_report(db)
    assert (report.area_id, report.inspection_id, report.category) == (None, None, "other")


def test_a_report_put_aside_by_the_menu_resumes_where_it_stopped(
    phone: Phone, db: Session, tenant: Tenant
) -> None:
    texts(phone, "REPORT", "4", "Garages on Leslie Road")
    (menu,) = phone.text("MENU")
    assert "4 Report a problem on your estate" in menu
    replies = phone.text("4")
    assert replies[0].startswith("Welcome back") and WHAT in replies[1]
    assert phone.text("Tags on every door")[0].startswith(
        "Please check: Graffiti at Garages on Leslie Road: Tags on every door"
    )
    phone.text("1")
    assert only_report(db).location == "Garages on Leslie Road"


def test_stop_in_the_middle_of_a_report_files_nothing_and_start_lets_it_carry_on(
    phone: Phone, db: Session, tenant: Tenant
) -> None:
    texts(phone, "REPORT", "1", "Back lane")
    assert "no more texts" in phone.text("STOP")[0]
    assert opted_out(db, tenant.id, "sms")
    assert reports(db) == [] and not in_conversation(db, tenant)

    phone.text("START")
    replies = phone.text("REPORT")
    assert replies[0].startswith("Welcome back") and WHAT in replies[1]
    texts(phone, "Bags split open", "1")
    assert (only_report(db).location, only_report(db).description) == (
        "Back lane",
        "Bags split open",
    )


def test_report_sent_again_at_a_question_asks_it_again_rather_than_keeping_it(
    phone: Phone, db: Session, tenant: Tenant
) -> None:
    texts(phone, "REPORT", "1")
    assert WHERE in phone.text("REPORT")[0]
    assert WHAT in phone.text("Back lane")[0]


ODD_BODIES = {
    "empty": "",
    "emoji only": "\U0001f600\U0001f44d\U0001f3e0",
    "2000 characters": "a" * 2000,
    "control characters": "\x00\x07\x1b\u202e",
}
# each question, the answers that reach it, and what it says when it does not understand
QUESTIONS = {
    "category": ([], "Sorry, I did not understand. Please reply 1, 2, 3, 4, 5, 6, 7 or 8."),
    "where": (["1"], "Sorry, that was empty. Please reply with a few words."),
    "what": (["1", "Back lane"], "Sorry, that was empty. Please reply with a few words."),
    "confirm": (["1", "Back lane", "Bags"], "Sorry, I did not understand. Please reply 1 or 2."),
    "change": (["1", "Back lane", "Bags", "2"], "Please reply 1, 2 or 3."),
}


@pytest.mark.parametrize("question", list(QUESTIONS))
@pytest.mark.parametrize("body", list(ODD_BODIES))
def test_odd_input_at_every_question_gets_a_reprompt_and_the_report_goes_on(
    question: str, body: str, phone: Phone, db: Session, tenant: Tenant
) -> None:
    before, reprompt = QUESTIONS[question]
    texts(phone, "REPORT", *before)
    replies = phone.text(ODD_BODIES[body])
    if body == "2000 characters" and question in ("where", "what"):
        assert CHECK in replies[0] or WHAT in replies[0]  # words, however many, are words
        return
    assert len(replies) == 1 and reprompt in replies[0]
    db.expire_all()
    conversation = db.get(Conversation, tenant.id)
    assert conversation is not None
    assert (conversation.flow, conversation.state) == ("report_issue", question)


def test_the_check_fits_two_sms_however_much_the_tenant_wrote_and_the_report_keeps_it(
    phone: Phone, db: Session, tenant: Tenant
) -> None:
    where = "Behind the \U0001f3e0 block at 12 High Street " * 40
    what = "\U0001d538 glass, needles and \u00e9normous bags of rubbish everywhere " * 40
    texts(phone, "REPORT", "1", where)
    (check,) = phone.text(what)
    assert check.startswith("Please check: Litter at Behind the \U0001f3e0 block")
    assert "...: " in check and "...\n1 Send it\n2 Change something" in check
    assert count_segments(check).segments <= 2
    phone.text("1")
    report = only_report(db)
    assert report.location.startswith("Behind the \U0001f3e0 block at 12 High Street Behind")
    assert len(report.location) == len(report.description) == 1000


def test_a_polish_tenant_reports_in_polish_with_zglos(
    phone: Phone, db: Session, tenant: Tenant
) -> None:
    tenant.language = "pl"
    db.commit()
    (categories,) = phone.text("zglos")
    assert categories.startswith("Jaki to problem?\n1 Smieci") and "lub 8" in categories
    (check,) = texts(phone, "7", "Plac zabaw przy szkole", "Zepsuta huśtawka")
    assert check.startswith("Sprawdz: Trawa, drzewa, plac zabaw, miejsce: Plac zabaw")
    assert count_segments(check).segments <= 2
    assert phone.text("1")[0].startswith("Dziekujemy. Numer zgloszenia: R-10")
    assert only_report(db).category == "green_space"


# -- on Telegram -----------------------------------------------------------------------------


def test_a_photo_sent_before_the_words_is_kept_and_the_question_asked_again(
    chat: TelegramChat, db: Session, telegram_tenant: Tenant
) -> None:
    tell(chat, db, "REPORT")
    assert WHERE in tell(chat, db, "3")[0]
    assert send_photo(chat, db, "photo-dark-stair") == [PHOTO_KEPT, WHERE_PROMPT]
    assert WHAT in tell(chat, db, "Stair 4, Main Street")[0]
    (check,) = tell(chat, db, "Light out on the top landing")  # no photo question: one is kept
    assert check == "Please check: Lighting at Stair 4, Main Street: Light out on the top landing"
    thanks = tell(chat, db, "1")[0]

    report = only_report(db)
    assert reference_in(thanks) == report.reference
    assert (report.photo_ids, report.channel, report.location) == (
        ["photo-dark-stair"],
        "telegram",
        "Stair 4, Main Street",
    )


def test_a_telegram_tenant_is_asked_for_a_photo_and_may_skip_it(
    chat: TelegramChat, db: Session, telegram_tenant: Tenant
) -> None:
    for said in ("REPORT", "1", "Back lane"):
        tell(chat, db, said)
    assert tell(chat, db, "Bags split open") == [PHOTO]
    assert tell(chat, db, "a photo later maybe") == [PHOTO]  # neither a photo nor SKIP
    assert tell(chat, db, "skip")[0].startswith(CHECK)
    tell(chat, db, "1")
    assert only_report(db).photo_ids == []


def test_a_photo_with_a_caption_counts_as_the_answer_and_the_photo(
    chat: TelegramChat, db: Session, telegram_tenant: Tenant
) -> None:
    tell(chat, db, "REPORT")
    tell(chat, db, "2")
    assert WHAT in send_photo(chat, db, "photo-sofa", caption="Behind the garages")[0]
    assert send_photo(chat, db, "photo-sofa-2") == [PHOTO_KEPT, WHAT_PROMPT]
    assert tell(chat, db, "An old sofa")[0].startswith(CHECK)
    assert send_photo(chat, db, "photo-sofa-3")[0] == PHOTO_KEPT  # at the check, too
    tell(chat, db, "1")
    report = only_report(db)
    assert report.location == "Behind the garages"
    assert report.photo_ids == ["photo-sofa", "photo-sofa-2", "photo-sofa-3"]


def test_a_photo_at_the_photo_question_goes_on_to_the_check(
    chat: TelegramChat, db: Session, telegram_tenant: Tenant
) -> None:
    for said in ("REPORT", "4", "Underpass"):
        tell(chat, db, said)
    assert tell(chat, db, "Painted all over") == [PHOTO]
    assert send_photo(chat, db, "photo-tags")[0].startswith("Please check: Graffiti")
    tell(chat, db, "1")
    assert only_report(db).photo_ids == ["photo-tags"]


@pytest.mark.parametrize("body", ["", "\U0001f600\U0001f44d", "\x01\x07\x1b", "b" * 2000])
def test_odd_input_at_the_photo_question_asks_for_the_photo_again(
    body: str, chat: TelegramChat, db: Session, telegram_tenant: Tenant
) -> None:
    for said in ("REPORT", "1", "Back lane", "Bags"):
        tell(chat, db, said)
    replies = tell(chat, db, body)
    assert replies and (PHOTO in replies[0] or "Sorry" in replies[0])
    db.expire_all()
    conversation = db.get(Conversation, telegram_tenant.id)
    assert conversation is not None and conversation.state == "photo"
