"""Every tenant in their own language, by plain SMS through the signed webhook."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot import catalogue
from bot.sms import count_segments
from doorstep.demo import load_demo
from models.events import Event
from models.mystery_shopping import MysteryShopCheckIn
from models.tenants import Area, Tenant
from tests.conftest import PUBLIC_URL, TWILIO_TOKEN
from tests.factories import create_tenant
from tests.helpers import Clock, Phone, StaffBrowser, book_event

ANN = "+447700900101"  # the demo's mystery shopper


def _pick(menu: str, name: str) -> str:
    """The number the list gives ``name`` ("3 Gàidhlig" -> "3")."""
    line = next(line for line in menu.splitlines() if line.endswith(f" {name}"))
    return line.split(" ", 1)[0]


def test_a_demo_shopper_switches_to_polish_urdu_and_gaelic_and_checks_in_in_each(
    client: FlaskClient, db: Session, sessions: sessionmaker[Session], clock: Clock
) -> None:
    with sessions.begin() as session:
        load_demo(session)
    ann = Phone(client, ANN, auth_token=TWILIO_TOKEN, public_url=PUBLIC_URL)
    for language in ("pl", "ur", "gd"):
        [choices] = ann.text("LANG")
        [changed] = ann.text(_pick(choices, catalogue.render(language, "language.name")))
        assert changed == catalogue.render(language, "language.changed")
        [service] = ann.text("SHOP")
        assert service.startswith(catalogue.render(language, "mystery_shop.service"))
        for digit in ("1", "1", "4", "5", "1"):  # phone, this week, easy, very well, sorted
            ann.text(digit)
        ann.text("SKIP")
        [thanks] = ann.text("SKIP")
        assert thanks == catalogue.render(language, "mystery_shop.thanks")
        clock.advance(days=31)  # next month's check-in

    tenant = db.scalars(select(Tenant).where(Tenant.phone == ANN)).one()
    check_ins = db.scalars(
        select(MysteryShopCheckIn).where(MysteryShopCheckIn.tenant_id == tenant.id)
    ).all()
    assert tenant.language == "gd"
    assert [(c.finished, c.ease, c.respect) for c in check_ins] == [(True, 4, 5)] * 3


@pytest.mark.parametrize("language", catalogue.languages())
def test_the_longest_event_is_asked_in_2_sms_in_every_language(
    client: FlaskClient,
    db: Session,
    methil: Area,
    staff_as: Callable[[str], StaffBrowser],
    language: str,
) -> None:
    """Title and venue at their longest; in UCS-2 the flow shortens them to make room."""
    phone = "+447700900161"
    create_tenant(db, name="Ann Smith", phone=phone, area=methil, language=language)
    db.commit()
    title = "Methil and Buckhaven summer fun day with a barbecue and game"  # 60, the most
    venue = "Methil Community Hall, Wellesley Road, next to the health centre car park, KY8"
    book_event(staff_as("officer"), [methil.id], title=title, venue=venue, capacity="")
    assert db.scalars(select(Event)).one().title == title
    tenant = Phone(client, phone, auth_token=TWILIO_TOKEN, public_url=PUBLIC_URL)
    [asked] = tenant.text("EVENTS")
    assert count_segments(asked).segments <= 2, asked
    assert asked.endswith(
        catalogue.render(language, "choice.reply", numbers=catalogue.numbers_list(language, 3))
    )
    assert tenant.text("1")  # and the answer is understood


def test_staff_see_and_set_every_language_by_its_own_name(
    db: Session, methil: Area, staff_as: Callable[[str], StaffBrowser]
) -> None:
    tenant = create_tenant(db, name="Olga Petrova", phone="+447700900162", area=methil)
    db.commit()
    officer = staff_as("officer")
    page = officer.client.get(f"/staff/tenants/{tenant.id}/edit").get_data(as_text=True)
    for code in catalogue.languages():
        assert f'value="{code}">{catalogue.render(code, "language.name")}<' in page
    path = f"/staff/tenants/{tenant.id}/edit"
    form = {"name": "Olga Petrova", "area": str(methil.id), "language": "ru"}
    assert officer.submit(path, path, form).status_code == 302
    db.expire_all()
    assert db.get(Tenant, tenant.id).language == "ru"  # type: ignore[union-attr]


def test_lang_offers_nine_languages_in_the_strategys_order_in_2_sms_and_latvian_sticks(
    phone: Phone, tenant: Tenant, db: Session
) -> None:
    """The landlord's strategy lists Gaelic, Polish, Chinese, Bulgarian, Russian, Latvian,
    Urdu and Punjabi after English; LANG offers them so, each in its own name."""
    [choices] = phone.text("LANG")
    names = [line.split(" ", 1)[1] for line in choices.splitlines()[1:-1]]
    assert names == [
        "English", "Gàidhlig", "Polski", "简体中文", "Български", "Русский", "Latviešu", "اردو",
        "ਪੰਜਾਬੀ",
    ]  # fmt: skip
    assert count_segments(choices).segments <= 2, choices
    [changed] = phone.text(_pick(choices, "Latviešu"))
    assert changed == "Labi. Mēs jums rakstīsim latviski. Sūtiet LANG, lai to mainītu."
    [help_text] = phone.text("HELP")  # too long for 2 SMS with its accents: sent without
    assert help_text.startswith("Sutiet MENU, lai redzetu iespejas, LANG, lai mainitu valodu")
    db.expire_all()
    assert db.get(Tenant, tenant.id).language == "lv"  # type: ignore[union-attr]
