"""Nothing a tenant sends is dropped: every kind of content is stored with what it carries.

Files come through both webhooks in the shapes the providers document, and are fetched
from the provider right after, by the scheduler's fetcher, with the real client
libraries against offline stand-ins: Twilio's media URLs ask for the account's
credentials and redirect to a cache that must not get them; Telegram's getFile hands
out a download. What cannot be kept is said to the tenant, in their language.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from channels.base import Channel
from models.inspections import IssueReport
from models.media import MAX_ATTEMPTS, MediaStatus
from models.messages import InboxState
from models.tenants import Tenant
from scheduler.dispatcher import Dispatcher
from tests.fakes import telegram_updates as updates
from tests.fakes.telegram_api import FakeBotApi
from tests.fakes.twilio_api import FakeTwilio
from tests.fakes.twilio_media import API, CACHE
from tests.helpers import Clock, Phone, TelegramChat, new_sid, twiml_messages
from tests.media_helpers import (
    AMR,
    CREDENTIALS,
    GP3,
    JPEG,
    M4A,
    MP4,
    OGG,
    PDF,
    VCARD,
    WEBP,
    Fetch,
    fetcher,
    files_of,
    last_from,
    last_message,
    post_update,
    replies_to,
    send_mms,
    telegram_tenant,
)

PASSED_ON = "We have passed your message to our team"


@pytest.fixture
def fetch(sessions: sessionmaker[Session], channels: dict[str, Channel], clock: Clock) -> Fetch:
    """One round of the scheduler's fetching, with the default limit of 5 MB."""
    return fetcher(sessions, channels, clock)


# -- Telegram: every kind of file, as the Bot API's Message carries it ----------------------

TELEGRAM_FILES = [
    pytest.param(updates.photo_update, "AgAC-photo", JPEG, "photo", "image/jpeg", "", id="photo"),
    pytest.param(
        updates.voice_update, "AwAC-voice", OGG, "voice", "audio/ogg", "(voice message)", id="voice"
    ),
    pytest.param(
        updates.audio_update, "CQAC-audio", M4A, "audio", "audio/mp4", "(voice message)", id="audio"
    ),
    pytest.param(updates.video_update, "BAAC-video", MP4, "video", "video/mp4", "", id="video"),
    pytest.param(
        updates.video_note_update, "DQAC-round", MP4, "video", "video/mp4", "", id="video-note"
    ),
    pytest.param(
        updates.document_update, "BQAC-doc", PDF, "document", "application/pdf", "", id="document"
    ),
    pytest.param(
        updates.sticker_update, "CAAC-sticker", WEBP, "sticker", "image/webp", "", id="sticker"
    ),
]


@pytest.mark.parametrize(
    ("build", "file_id", "content", "kind", "content_type", "body"), TELEGRAM_FILES
)
def test_every_kind_of_file_a_telegram_tenant_sends_is_fetched_and_kept_with_its_message(
    chat: TelegramChat,
    db: Session,
    bot_api: FakeBotApi,
    fetch: Fetch,
    build: Callable[..., dict[str, Any]],
    file_id: str,
    content: bytes,
    kind: str,
    content_type: str,
    body: str,
) -> None:
    telegram_tenant(db, chat)
    bot_api.add_file(file_id, content)

    post_update(chat, build, file_id=file_id)
    message = last_from(db, chat)
    waiting = [(f.kind, f.source, f.status) for f in files_of(db, message)]
    fetched = fetch()

    assert (message.body, message.inbox) == (body, InboxState.OPEN)
    assert PASSED_ON in replies_to(db, message)[0]
    assert waiting == [(kind, file_id, MediaStatus.WAITING)]
    assert fetched == 1 and bot_api.calls_to("getFile") == [{"file_id": file_id}]
    [kept] = files_of(db, message)
    assert (kept.status, kept.content, kept.content_type) == (
        MediaStatus.KEPT,
        content,
        content_type,
    )
    assert kept.size == len(content) and kept.fetched_at is not None


def test_a_stickers_emoji_and_a_documents_name_are_kept_with_the_file(
    chat: TelegramChat, db: Session, bot_api: FakeBotApi, fetch: Fetch
) -> None:
    telegram_tenant(db, chat)
    post_update(chat, updates.sticker_update, file_id="CAAC-s", emoji="🙏", animated=True)
    post_update(chat, updates.document_update, file_id="BQAC-d", file_name="Rent letter.pdf")

    sticker = files_of(db, last_message(db, "telegram", str(chat.sent_update_ids[0])))[0]
    document = files_of(db, last_from(db, chat))[0]

    assert (sticker.emoji, sticker.content_type) == ("🙏", "application/x-tgsticker")
    assert (document.filename, document.content_type) == ("Rent letter.pdf", "application/pdf")


def test_a_location_or_a_place_sent_outside_a_report_is_kept_as_a_pin_for_staff(
    chat: TelegramChat, db: Session
) -> None:
    telegram_tenant(db, chat)
    post_update(chat, updates.location_update, latitude=56.18712, longitude=-3.02591)
    pin = last_from(db, chat)
    post_update(
        chat,
        updates.venue_update,
        latitude=56.1901,
        longitude=-3.0142,
        title="Methil Co-op",
        address="12 High Street, Methil",
    )
    place = last_from(db, chat)

    assert pin.media["location"] == [56.18712, -3.02591] and pin.inbox == InboxState.OPEN
    assert place.media["place"] == "Methil Co-op, 12 High Street, Methil"
    assert PASSED_ON in replies_to(db, place)[0]


def test_somebody_elses_contact_card_is_kept_with_its_name_and_number(
    chat: TelegramChat, db: Session
) -> None:
    telegram_tenant(db, chat)
    post_update(
        chat,
        updates.contact_card_update,
        phone_number="+447700900999",
        contact_first_name="Jean",
        contact_last_name="Brown",
    )
    message = last_from(db, chat)

    assert message.media["contact"] == {"name": "Jean Brown", "phone": "+447700900999"}
    assert message.inbox == InboxState.OPEN and PASSED_ON in replies_to(db, message)[0]


# -- MMS: every type, fetched with the account's credentials ---------------------------------

MMS_FILES = [
    pytest.param(JPEG, "image/jpeg", "photo", "", id="photo"),
    pytest.param(AMR, "audio/amr", "audio", "(voice message)", id="audio"),
    pytest.param(GP3, "video/3gpp", "video", "", id="video"),
    pytest.param(VCARD, "text/vcard", "contact", "", id="contact-card"),
    pytest.param(PDF, "application/pdf", "document", "", id="document"),
]


@pytest.mark.parametrize(("content", "content_type", "kind", "body"), MMS_FILES)
def test_every_kind_of_file_an_mms_brings_is_fetched_with_the_accounts_credentials(
    phone: Phone,
    tenant: Tenant,
    db: Session,
    fake_twilio: FakeTwilio,
    fetch: Fetch,
    content: bytes,
    content_type: str,
    kind: str,
    body: str,
) -> None:
    sid = new_sid()
    replies = twiml_messages(send_mms(phone, fake_twilio, [(content, content_type)], sid=sid))
    message = last_message(db, "sms", sid)
    fetch()

    [kept] = files_of(db, message)
    assert (message.body, message.inbox) == (body, InboxState.OPEN) and PASSED_ON in replies[0]
    assert (kept.kind, kept.status, kept.content) == (kind, MediaStatus.KEPT, content)
    asked, cached = fake_twilio.media.requests
    assert asked.url == kept.source and asked.url.startswith(API)
    assert asked.authorization is not None and asked.authorization.startswith("Basic ")
    assert cached.url.startswith(CACHE) and cached.authorization is None  # not sent on


def test_a_contact_card_by_mms_is_read_for_its_name_and_number(
    phone: Phone, tenant: Tenant, db: Session, fake_twilio: FakeTwilio, fetch: Fetch
) -> None:
    sid = new_sid()
    send_mms(phone, fake_twilio, [(VCARD, "text/x-vcard")], sid=sid)
    fetch()

    message = last_message(db, "sms", sid)
    assert message.media["contact"] == {"name": "Jean Brown", "phone": "+447700900999"}


def test_an_mms_with_words_and_several_files_keeps_them_all_in_order(
    phone: Phone, tenant: Tenant, db: Session, fake_twilio: FakeTwilio, fetch: Fetch
) -> None:
    sid = new_sid()
    files = [(JPEG, "image/jpeg"), (GP3, "video/3gpp"), (AMR, "audio/amr")]
    send_mms(phone, fake_twilio, files, "The bins at Wellesley Road again", sid=sid)
    fetch()

    message = last_message(db, "sms", sid)
    kept = files_of(db, message)
    assert message.body == "The bins at Wellesley Road again"  # words win over "(voice message)"
    assert [(f.kind, f.content) for f in kept] == [("photo", JPEG), ("video", GP3), ("audio", AMR)]


def test_a_retried_mms_is_stored_once_with_its_files_once(
    phone: Phone, tenant: Tenant, db: Session, fake_twilio: FakeTwilio
) -> None:
    sid = new_sid()
    url = fake_twilio.media.add(JPEG, "image/jpeg", credentials=CREDENTIALS)
    mms = {"NumMedia": "1", "MediaUrl0": url, "MediaContentType0": "image/jpeg"}
    first = phone.send("", sid=sid, **mms)
    again = phone.send("", sid=sid, **mms)

    assert first.status_code == again.status_code == 200
    assert twiml_messages(again) == []
    assert len(files_of(db, last_message(db, "sms", sid))) == 1


def test_a_form_without_message_sid_or_with_a_media_url_too_long_to_be_twilios_is_a_400(
    phone: Phone, tenant: Tenant, db: Session
) -> None:
    no_sid = phone.post("/webhooks/twilio/sms", {"From": phone.number, "Body": "hello"})
    too_long = phone.send(
        "", NumMedia="1", MediaUrl0=API + "x" * 600, MediaContentType0="image/jpeg"
    )

    assert no_sid.status_code == 400 and "MessageSid and From are required" in no_sid.text
    assert too_long.status_code == 400 and "MediaUrl0" in too_long.text


def test_a_media_address_that_is_not_twilios_is_never_sent_the_credentials(
    phone: Phone, tenant: Tenant, db: Session, fake_twilio: FakeTwilio, fetch: Fetch
) -> None:
    sid = new_sid()
    phone.send(
        "",
        sid=sid,
        NumMedia="1",
        MediaUrl0="https://media.example.org/steal",
        MediaContentType0="image/jpeg",
    )
    fetch()

    [file] = files_of(db, last_message(db, "sms", sid))
    assert file.status == MediaStatus.LOST and fake_twilio.media.requests == []


# -- a fetch that fails is tried again; what cannot be kept is said ---------------------------


def test_an_mms_file_whose_fetch_fails_is_tried_again_later_and_kept(
    phone: Phone, tenant: Tenant, db: Session, fake_twilio: FakeTwilio, fetch: Fetch, clock: Clock
) -> None:
    sid = new_sid()
    fake_twilio.media.fail_next(status=503)
    send_mms(phone, fake_twilio, [(JPEG, "image/jpeg")], sid=sid)
    message = last_message(db, "sms", sid)

    fetch()
    [failed] = [(f.status, f.attempts, f.next_attempt_at, f.error) for f in files_of(db, message)]
    too_soon = fetch()
    again_at = clock.advance(seconds=30)
    fetch()
    [kept] = files_of(db, message)

    assert failed[:3] == (MediaStatus.WAITING, 1, again_at) and "503" in (failed[3] or "")
    assert too_soon == 0 and (kept.status, kept.content) == (MediaStatus.KEPT, JPEG)
    assert len(replies_to(db, message)) == 1  # the thanks, and nothing more said


def test_a_telegram_file_whose_fetch_fails_is_tried_again_later_and_kept(
    chat: TelegramChat, db: Session, bot_api: FakeBotApi, fetch: Fetch, clock: Clock
) -> None:
    telegram_tenant(db, chat)
    bot_api.add_file("AwAC-voice", OGG)
    bot_api.fail_next(status=502, description="Bad Gateway", method="getFile")
    post_update(chat, updates.voice_update, file_id="AwAC-voice")
    message = last_from(db, chat)

    fetch()
    waiting = files_of(db, message)[0].status
    clock.advance(minutes=1)
    fetch()

    assert waiting == MediaStatus.WAITING
    assert [(f.status, f.content) for f in files_of(db, message)] == [(MediaStatus.KEPT, OGG)]


def test_a_file_that_keeps_failing_is_given_up_and_the_tenant_told_truthfully(
    phone: Phone, tenant: Tenant, db: Session, fake_twilio: FakeTwilio, fetch: Fetch, clock: Clock
) -> None:
    sid = new_sid()
    fake_twilio.media.fail_next(count=MAX_ATTEMPTS, status=500)
    send_mms(phone, fake_twilio, [(GP3, "video/3gpp")], sid=sid)
    message = last_message(db, "sms", sid)
    for _ in range(MAX_ATTEMPTS):
        fetch()
        clock.advance(hours=1)

    [lost] = files_of(db, message)
    assert (lost.status, lost.attempts) == (MediaStatus.LOST, MAX_ATTEMPTS - 1)
    assert replies_to(db, message)[1:] == [
        "Sorry, we could not get the file you sent (video). Please send it again, "
        "or tell us about it in words."
    ]


def test_a_file_twilio_no_longer_has_is_lost_at_once_and_the_tenant_told(
    phone: Phone,
    tenant: Tenant,
    db: Session,
    fake_twilio: FakeTwilio,
    fetch: Fetch,
    dispatcher: Dispatcher,
) -> None:
    sid = new_sid()
    send_mms(phone, fake_twilio, [(JPEG, "image/jpeg")], sid=sid)
    message = last_message(db, "sms", sid)
    fake_twilio.media.delete(files_of(db, message)[0].source)
    fetch()
    dispatcher.run_once()

    assert files_of(db, message)[0].status == MediaStatus.LOST
    [told] = fake_twilio.sent_to(phone.number)
    assert told["body"].startswith("Sorry, we could not get the file you sent (photo).")


def test_a_telegram_video_over_the_limit_is_not_downloaded_and_the_tenant_told_in_polish(
    chat: TelegramChat,
    db: Session,
    bot_api: FakeBotApi,
    fetch: Fetch,
    dispatcher: Dispatcher,
) -> None:
    telegram_tenant(db, chat, language="pl")
    post_update(chat, updates.video_update, file_id="BAAC-big", file_size=12_000_000)
    message = last_from(db, chat)
    fetch()
    dispatcher.run_once()

    [refused] = files_of(db, message)
    assert (refused.status, refused.size, refused.content) == (
        MediaStatus.TOO_BIG,
        12_000_000,
        None,
    )
    assert bot_api.calls_to("getFile") == []
    assert bot_api.sent_messages(chat.chat_id)[-1]["text"] == (
        "Przepraszamy, nie możemy zachować przesłanego pliku (film), bo ma ponad 5 MB. "
        "Opisz go słowami lub wyślij mniejszy."
    )


def test_an_mms_file_found_too_big_while_fetching_is_cut_off_and_the_tenant_told(
    phone: Phone,
    tenant: Tenant,
    db: Session,
    fake_twilio: FakeTwilio,
    sessions: sessionmaker[Session],
    channels: dict[str, Channel],
    clock: Clock,
) -> None:
    limit = 200 * 1024  # MEDIA_MAX_BYTES set low: Twilio announces no size, the fetch finds it
    sid = new_sid()
    send_mms(phone, fake_twilio, [(JPEG * 10_000, "image/jpeg")], sid=sid)
    message = last_message(db, "sms", sid)
    fetcher(sessions, channels, clock, max_bytes=limit)()

    [refused] = files_of(db, message)
    assert (refused.status, refused.content) == (MediaStatus.TOO_BIG, None)
    assert replies_to(db, message)[1] == (
        "Sorry, we could not keep the file you sent (photo): it is bigger than 0.2 megabytes. "
        "Please tell us about it in words, or send a smaller one."
    )


# -- REPORT: a map pin answers "Where is it?", a voice note "What is wrong?" ------------------


def say(chat: TelegramChat, db: Session, text: str) -> list[str]:
    response = chat.say(text)
    assert response.status_code == 200, response.get_data(as_text=True)
    return replies_to(db, last_from(db, chat))


def sent(chat: TelegramChat, db: Session, build: Callable[..., Any], **fields: Any) -> list[str]:
    post_update(chat, build, **fields)
    return replies_to(db, last_from(db, chat))


def the_report(db: Session) -> IssueReport:
    db.expire_all()
    [report] = db.scalars(select(IssueReport))
    return report


def test_a_map_pin_answers_where_is_it_and_the_report_keeps_its_coordinates(
    chat: TelegramChat, db: Session
) -> None:
    telegram_tenant(db, chat)
    say(chat, db, "REPORT")
    [what] = say(chat, db, "3")  # lighting: asks where
    assert "Where is it?" in what
    [asked] = sent(chat, db, updates.location_update, latitude=56.187123, longitude=-3.025911)
    say(chat, db, "The lamp post by the path is out")
    [check] = say(chat, db, "SKIP")
    say(chat, db, "1")

    report = the_report(db)
    assert asked.startswith("What is wrong?")
    assert check.startswith("Please check: Lighting at the place you sent on the map: The lamp")
    assert (report.location, report.latitude, report.longitude) == (
        "(shared location)",
        56.187123,
        -3.025911,
    )


def test_a_place_picked_on_the_map_answers_where_is_it_by_its_name(
    chat: TelegramChat, db: Session
) -> None:
    telegram_tenant(db, chat)
    for text in ("REPORT", "2"):
        say(chat, db, text)
    sent(
        chat,
        db,
        updates.venue_update,
        latitude=56.1901,
        longitude=-3.0142,
        title="Methil Co-op",
        address="12 High Street, Methil",
    )
    say(chat, db, "Two mattresses behind the shop")
    [check] = say(chat, db, "SKIP")
    say(chat, db, "1")

    report = the_report(db)
    assert "at Methil Co-op, 12 High Street, Methil:" in check
    assert (report.location, report.latitude) == ("Methil Co-op, 12 High Street, Methil", 56.1901)


def test_a_voice_note_answers_what_is_wrong_and_is_kept_with_the_report(
    chat: TelegramChat, db: Session, bot_api: FakeBotApi, fetch: Fetch
) -> None:
    telegram_tenant(db, chat)
    bot_api.add_file("AwAC-what", OGG)
    for text in ("REPORT", "5", "Stair door at 4 Wellesley Road"):
        say(chat, db, text)
    [photo] = sent(chat, db, updates.voice_update, file_id="AwAC-what")
    [check] = say(chat, db, "SKIP")
    say(chat, db, "1")
    fetch()

    report = the_report(db)
    assert photo.startswith("If you can, send a photo")
    assert check.endswith("at Stair door at 4 Wellesley Road: your voice message")
    assert report.description == "(voice message)"
    assert [(f.kind, f.status, f.content) for f in report.media] == [("voice", "kept", OGG)]


def test_an_mms_voice_clip_answers_what_is_wrong_by_sms(
    phone: Phone, tenant: Tenant, db: Session, fake_twilio: FakeTwilio
) -> None:
    for text in ("REPORT", "4"):
        phone.text(text)
    phone.text("Underpass on Leslie Road")
    [check] = twiml_messages(send_mms(phone, fake_twilio, [(AMR, "audio/amr")]))
    phone.text("1")

    report = the_report(db)
    assert check.startswith(
        "Please check: Graffiti at Underpass on Leslie Road: your voice message"
    )
    assert report.description == "(voice message)" and [f.kind for f in report.media] == ["audio"]


def test_an_mms_photo_in_an_sms_report_is_kept_as_our_own_file_with_the_report(
    phone: Phone, tenant: Tenant, db: Session, fake_twilio: FakeTwilio, fetch: Fetch
) -> None:
    for text in ("REPORT", "2"):
        phone.text(text)
    kept, where = twiml_messages(send_mms(phone, fake_twilio, [(JPEG, "image/jpeg")]))
    phone.text("Bin store behind 12 High Street")
    phone.text("A sofa and bags of rubbish")
    phone.text("1")
    fetch()

    report = the_report(db)
    [photo] = report.media
    assert (kept, where[:13]) == ("Thank you for the photo.", "Where is it? ")
    assert report.photo_ids == [photo.source] and photo.source.startswith(API)
    assert (photo.kind, photo.status, photo.content) == ("photo", "kept", JPEG)
