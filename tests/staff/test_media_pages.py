"""Staff see, play and open what tenants send, wherever the message shows; the API lists it.

The files come in through the webhooks as tenants send them and are fetched as the
scheduler fetches them; staff then find each on the tenant's thread, in the inbox, and
with an estate report on its walk's page, served from doorstep's own database (an MMS
photo in an SMS report no longer goes looking in Telegram). A file sent within a
mystery-shop check-in is no more shown to staff without leave than its message is.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from channels.base import Channel
from models.inspections import IssueReport
from models.media import Media, MediaStatus
from models.tenants import Area, Tenant
from tests.factories import create_inspection
from tests.fakes import telegram_updates as updates
from tests.fakes.telegram_api import FakeBotApi
from tests.fakes.twilio_api import FakeTwilio
from tests.helpers import Clock, Phone, StaffBrowser, TelegramChat, new_sid
from tests.media_helpers import (
    JPEG,
    MP4,
    OGG,
    PDF,
    Fetch,
    fetcher,
    files_of,
    last_from,
    last_message,
    post_update,
    send_mms,
    telegram_tenant,
)
from tests.staff.shopper_leave import let_see_shoppers

Staff = Callable[[str], StaffBrowser]
Headers = Callable[[str], dict[str, str]]


@pytest.fixture
def fetch(sessions: sessionmaker[Session], channels: dict[str, Channel], clock: Clock) -> Fetch:
    return fetcher(sessions, channels, clock)


def page(browser: StaffBrowser, path: str) -> str:
    response = browser.client.get(path)
    assert response.status_code == 200, response.text
    return unescape(response.get_data(as_text=True))


def address(found: Media) -> str:
    return f"/staff/media/{found.id}"


def a_tenant_who_sent_everything(
    chat: TelegramChat, db: Session, bot_api: FakeBotApi, fetch: Fetch
) -> tuple[Tenant, dict[str, Media]]:
    """A photo, a voice message, a video, a document, a pin and a contact card, fetched."""
    tenant = telegram_tenant(db, chat)
    sent = {}
    for name, build, file_id, content in (
        ("photo", updates.photo_update, "AgAC-bins", JPEG),
        ("voice", updates.voice_update, "AwAC-lift", OGG),
        ("video", updates.video_update, "BAAC-stairs", MP4),
        ("document", updates.document_update, "BQAC-letter", PDF),
    ):
        bot_api.add_file(file_id, content)
        post_update(chat, build, file_id=file_id)
        [sent[name]] = files_of(db, last_from(db, chat))
    post_update(chat, updates.location_update, latitude=56.18712, longitude=-3.02591)
    post_update(
        chat,
        updates.contact_card_update,
        phone_number="+447700900999",
        contact_first_name="Jean",
        contact_last_name="Brown",
    )
    fetch()
    return tenant, sent


def test_the_tenants_thread_shows_each_file_as_it_can_be_opened_and_a_pin_on_a_map(
    chat: TelegramChat, db: Session, bot_api: FakeBotApi, fetch: Fetch, staff_as: Staff
) -> None:
    tenant, sent = a_tenant_who_sent_everything(chat, db, bot_api, fetch)

    html = page(staff_as("viewer"), f"/staff/tenants/{tenant.id}")

    assert f'<img src="{address(sent["photo"])}" alt="Photo sent with this message"' in html
    assert f'<audio controls preload="none" src="{address(sent["voice"])}">' in html
    assert f'<video controls preload="none" src="{address(sent["video"])}">' in html
    assert f'<a href="{address(sent["document"])}" download>Download the file' in html
    assert "“Letter from the council.pdf”" in html and "(application/pdf, 1 kB)" in html
    assert "https://www.openstreetmap.org/?mlat=56.187120&mlon=-3.025910#map=18/" in html
    assert "Contact card: Jean Brown, +447700900999" in html


def test_a_file_is_served_with_its_own_type_and_one_a_browser_could_run_only_to_download(
    chat: TelegramChat, db: Session, bot_api: FakeBotApi, fetch: Fetch, staff_as: Staff
) -> None:
    _, sent = a_tenant_who_sent_everything(chat, db, bot_api, fetch)
    viewer = staff_as("viewer")

    photo = viewer.client.get(address(sent["photo"]))
    voice = viewer.client.get(address(sent["voice"]))
    document = viewer.client.get(address(sent["document"]))

    assert (photo.status_code, photo.data, photo.mimetype) == (200, JPEG, "image/jpeg")
    assert photo.headers["X-Content-Type-Options"] == "nosniff"
    assert photo.headers["Content-Security-Policy"].startswith("sandbox")
    assert photo.headers["Cache-Control"] == "private, max-age=3600"
    assert (voice.data, voice.mimetype) == (OGG, "audio/ogg")
    assert (document.data, document.mimetype) == (PDF, "application/octet-stream")
    assert document.headers["Content-Disposition"].startswith("attachment;")


def test_a_recording_can_be_played_from_the_middle(
    chat: TelegramChat, db: Session, bot_api: FakeBotApi, fetch: Fetch, staff_as: Staff
) -> None:
    _, sent = a_tenant_who_sent_everything(chat, db, bot_api, fetch)

    part = staff_as("viewer").client.get(address(sent["voice"]), headers={"Range": "bytes=4-"})

    assert (part.status_code, part.data) == (206, OGG[4:])


def test_the_inbox_list_and_its_item_show_the_photo_and_play_the_voice_message(
    chat: TelegramChat, db: Session, bot_api: FakeBotApi, fetch: Fetch, staff_as: Staff
) -> None:
    _, sent = a_tenant_who_sent_everything(chat, db, bot_api, fetch)
    viewer = staff_as("viewer")

    listed = page(viewer, "/staff/inbox/")
    item = page(viewer, f"/staff/inbox/{sent['voice'].message_id}")

    assert f'<img src="{address(sent["photo"])}"' in listed
    assert f'src="{address(sent["voice"])}"' in listed and "Contact card: Jean Brown" in listed
    assert f'<audio controls preload="none" src="{address(sent["voice"])}">' in item


def test_a_file_not_fetched_yet_too_big_or_lost_says_so_on_the_page_and_at_its_address(
    chat: TelegramChat, db: Session, bot_api: FakeBotApi, fetch: Fetch, staff_as: Staff
) -> None:
    tenant = telegram_tenant(db, chat)
    post_update(chat, updates.video_update, file_id="BAAC-big", file_size=40_000_000)
    post_update(chat, updates.document_update, file_id="BQAC-gone")
    fetch()  # too big: not downloaded; gone: Telegram no longer has it
    bot_api.add_file("AgAC-later", JPEG)
    post_update(chat, updates.photo_update, file_id="AgAC-later")
    big, gone, waiting = (f for m in ("-3", "-2", "-1") for f in _sent(db, chat, int(m)))
    viewer = staff_as("viewer")

    html = page(viewer, f"/staff/tenants/{tenant.id}")
    answers = [viewer.client.get(address(found)) for found in (big, gone, waiting)]

    assert "Video (38.1 MB): too big to keep. The tenant was asked to put it in words." in html
    assert "File: could not be fetched. The tenant was asked to send it again" in html
    assert "Photo: being fetched from the tenant's app or phone company" in html
    assert [answer.status_code for answer in answers] == [404, 404, 404]
    assert "too big to keep" in answers[0].text and "could not be fetched" in answers[1].text
    assert "Try again in a minute" in answers[2].text
    assert viewer.client.get("/staff/media/424242").status_code == 404


def _sent(db: Session, chat: TelegramChat, back: int) -> list[Media]:
    """The files of the chat's update ``back`` from the last (-1 the last)."""
    return files_of(db, last_message(db, "telegram", str(chat.sent_update_ids[back])))


def test_an_mms_photo_in_an_sms_report_shows_on_the_walks_page_without_telegram(
    phone: Phone,
    tenant: Tenant,
    methil: Area,
    db: Session,
    fake_twilio: FakeTwilio,
    bot_api: FakeBotApi,
    fetch: Fetch,
    clock: Clock,
    staff_as: Staff,
) -> None:
    walk = create_inspection(db, area=methil, now=clock(), starts_at=clock() + timedelta(days=9))
    db.commit()
    for text in ("REPORT", "2", "Bin store behind 12 High Street"):
        phone.text(text)
    send_mms(phone, fake_twilio, [(JPEG, "image/jpeg")], "A sofa and bags of rubbish")
    phone.text("1")
    fetch()
    [report] = db.scalars(select(IssueReport))
    [photo] = report.media
    viewer = staff_as("viewer")

    html = page(viewer, f"/staff/inspections/{walk.id}")
    old_link = viewer.client.get(f"/staff/inspections/reports/{report.id}/photos/1")
    shown = viewer.client.get(address(photo))

    assert f'<img src="{address(photo)}" alt="Photo sent with {report.reference}"' in html
    assert (old_link.status_code, old_link.headers["Location"]) == (302, address(photo))
    assert (shown.status_code, shown.data) == (200, JPEG)
    assert bot_api.calls_to("getFile") == []


def test_a_reports_voice_note_plays_and_its_pin_opens_a_map_on_the_walks_page(
    chat: TelegramChat,
    methil: Area,
    db: Session,
    bot_api: FakeBotApi,
    fetch: Fetch,
    clock: Clock,
    staff_as: Staff,
) -> None:
    tenant = telegram_tenant(db, chat)
    tenant.area_id = methil.id
    walk = create_inspection(db, area=methil, now=clock(), starts_at=clock() + timedelta(days=9))
    db.commit()
    bot_api.add_file("AwAC-what", OGG)
    for text in ("REPORT", "3"):
        chat.say(text)
    post_update(chat, updates.location_update, latitude=56.18712, longitude=-3.02591)
    post_update(chat, updates.voice_update, file_id="AwAC-what")
    for text in ("SKIP", "1"):
        chat.say(text)
    fetch()
    [voice] = db.scalars(select(Media))

    html = page(staff_as("viewer"), f"/staff/inspections/{walk.id}")

    assert 'Where: <span class="said">(shared location)</span>' in html
    assert '<p class="pin">Map pin:' in html and "mlat=56.187120&mlon=-3.025910" in html
    assert f'<audio controls preload="none" src="{address(voice)}">' in html


def test_a_voice_note_in_a_mystery_shop_check_in_is_not_served_to_staff_without_leave(
    chat: TelegramChat,
    db: Session,
    bot_api: FakeBotApi,
    fetch: Fetch,
    staff_as: Staff,
) -> None:
    shopper = telegram_tenant(db, chat, name="Morag Quigley")
    shopper.set_roles({"mystery_shopper"})
    db.commit()
    bot_api.add_file("AwAC-shop", OGG)
    for text in ("SHOP", "1", "1", "1", "2", "3"):
        chat.say(text)
    post_update(chat, updates.voice_update, file_id="AwAC-shop")  # what happened
    fetch()
    [voice] = db.scalars(select(Media))
    viewer, trusted = staff_as("viewer"), staff_as("viewer")
    let_see_shoppers(db, trusted.email)

    assert viewer.client.get(address(voice)).status_code == 404
    assert address(voice) not in page(viewer, f"/staff/tenants/{shopper.id}")
    assert trusted.client.get(address(voice)).data == OGG


# -- the API ---------------------------------------------------------------------------------


def test_the_api_lists_each_messages_files_and_serves_their_bytes(
    phone: Phone,
    tenant: Tenant,
    db: Session,
    fake_twilio: FakeTwilio,
    fetch: Fetch,
    api_token: Headers,
) -> None:
    sid = new_sid()
    send_mms(phone, fake_twilio, [(JPEG, "image/jpeg"), (PDF, "application/pdf")], sid=sid)
    fetch()
    photo, document = files_of(db, last_message(db, "sms", sid))
    viewer = api_token("viewer")
    api = phone.client

    messages = api.get(f"/api/v1/tenants/{tenant.id}/messages", headers=viewer).get_json()
    inbox = api.get("/api/v1/inbox", headers=viewer).get_json()
    listed = messages["items"][0]["media"]
    served = api.get(listed[0]["url"], headers=viewer)

    assert listed == [
        {
            "id": photo.id,
            "kind": "photo",
            "content_type": "image/jpeg",
            "size": len(JPEG),
            "status": "kept",
            "filename": None,
            "url": f"/api/v1/media/{photo.id}",
        },
        {
            "id": document.id,
            "kind": "document",
            "content_type": "application/pdf",
            "size": len(PDF),
            "status": "kept",
            "filename": None,
            "url": f"/api/v1/media/{document.id}",
        },
    ]
    assert messages["items"][1]["media"] == []  # our thanks: outbound carries none
    assert inbox["items"][0]["media"] == listed
    assert (served.status_code, served.data, served.mimetype) == (200, JPEG, "image/jpeg")
    assert api.get(listed[0]["url"]).status_code == 401
    missing = api.get("/api/v1/media/424242", headers=viewer)
    assert missing.status_code == 404 and missing.get_json()["error"]


def test_the_api_says_a_file_not_kept_has_no_address(
    chat: TelegramChat, db: Session, fetch: Fetch, api_token: Headers
) -> None:
    tenant = telegram_tenant(db, chat)
    post_update(chat, updates.video_update, file_id="BAAC-big", file_size=40_000_000)
    fetch()
    headers = api_token("viewer")

    answer = chat.client.get(f"/api/v1/tenants/{tenant.id}/messages", headers=headers)

    [listed] = answer.get_json()["items"][0]["media"]
    assert (listed["status"], listed["size"], listed["url"]) == (
        MediaStatus.TOO_BIG,
        40_000_000,
        None,
    )


def test_erasing_a_tenant_erases_the_files_they_sent(
    phone: Phone,
    tenant: Tenant,
    db: Session,
    fake_twilio: FakeTwilio,
    fetch: Fetch,
    api_token: Headers,
) -> None:
    send_mms(phone, fake_twilio, [(JPEG, "image/jpeg")], "The bin store behind 12 High Street")
    send_mms(phone, fake_twilio, [(PDF, "application/pdf")], "and a letter about it")
    fetch()
    photo_id = db.scalars(select(Media.id).order_by(Media.id)).first()
    admin = api_token("admin")

    erased = phone.client.delete(f"/api/v1/tenants/{tenant.id}", headers=admin)

    db.expire_all()
    assert erased.status_code == 200 and list(db.scalars(select(Media))) == []
    assert phone.client.get(f"/api/v1/media/{photo_id}", headers=admin).status_code == 404
