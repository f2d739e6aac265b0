"""The tenant pages, used as a housing officer would: search, read, correct, import."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.tenants import Tenant
from tests.factories import create_area, create_tenant
from tests.helpers import Clock, Phone, StaffBrowser
from tests.staff.shopper_leave import let_see_shoppers

Staff = Callable[[str], StaffBrowser]

GOOD_AND_BAD = (
    "name,phone,area,tenancy,language,roles\n"
    "Ann Smith,07700 900101,Methil,T-100,en,mystery_shopper\n"
    "Bob Jones,not a phone,Methil,T-101,en,\n"
    "Cat Brown,+447700900102,Buckhaven,T-102,pl,voices;tra_rep\n"
    "Dan Green,07700900103,Methil,T-103,de,\n"
)


def page_of(browser: StaffBrowser, path: str) -> str:
    response = browser.client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def listed(html: str) -> int:
    """How many tenants a list page links to."""
    return len(re.findall(r'href="/staff/tenants/\d+"', html))


def tenant_by_phone(db: Session, phone: str) -> Tenant:
    db.expire_all()
    tenant = db.scalar(select(Tenant).where(Tenant.phone == phone))
    assert tenant is not None
    db.commit()
    return tenant


def csv_rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def upload(officer: StaffBrowser, text: str, name: str = "tenants.csv") -> str:
    response = officer.submit(
        "/staff/tenants/import",
        "/staff/tenants/import",
        {"file": (io.BytesIO(text.encode()), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


# -- finding tenants -----------------------------------------------------------------------


def test_searching_by_part_of_a_name_finds_only_that_tenant(staff_as: Staff, db: Session) -> None:
    create_tenant(db, name="Ann Smith")
    create_tenant(db, name="Bob Jones")
    db.commit()
    html = page_of(staff_as("viewer"), "/staff/tenants/?q=smi")
    assert "Ann Smith" in html and "Bob Jones" not in html
    assert "1 tenant found" in html


def test_searching_by_a_phone_number_typed_the_local_way_finds_the_tenant(
    staff_as: Staff, db: Session
) -> None:
    create_tenant(db, name="Ann Smith", phone="+447700900121")
    create_tenant(db, name="Bob Jones", phone="+447700900122")
    db.commit()
    html = page_of(staff_as("viewer"), "/staff/tenants/?q=07700+900321")
    assert "Ann Smith" in html and "Bob Jones" not in html


def test_searching_by_estate_finds_the_tenants_who_live_there(staff_as: Staff, db: Session) -> None:
    methil = create_area(db, name="Methil")
    create_tenant(db, name="Ann Smith", area=methil)
    create_tenant(db, name="Bob Jones", area=create_area(db, name="Buckhaven"))
    db.commit()
    html = page_of(staff_as("viewer"), "/staff/tenants/?q=methil")
    assert "Ann Smith" in html and "Bob Jones" not in html


def test_the_area_filter_and_unverified_only_narrow_the_list(staff_as: Staff, db: Session) -> None:
    methil = create_area(db, name="Methil")
    create_tenant(db, name="Ann Smith", area=methil)
    confirmed = create_tenant(db, name="Cat Brown", area=methil)
    confirmed.verified = True
    create_tenant(db, name="Bob Jones", area=create_area(db, name="Buckhaven"))
    db.commit()
    viewer = staff_as("viewer")

    in_methil = page_of(viewer, f"/staff/tenants/?area={methil.id}")
    assert "Ann Smith" in in_methil and "Cat Brown" in in_methil and "Bob Jones" not in in_methil

    waiting = page_of(viewer, f"/staff/tenants/?area={methil.id}&unverified=1")
    assert "Ann Smith" in waiting and "Cat Brown" not in waiting


def test_the_list_shows_fifty_tenants_a_page(staff_as: Staff, db: Session) -> None:
    for n in range(51):
        create_tenant(db, name=f"Tenant {n:02d}")
    db.commit()
    viewer = staff_as("viewer")
    first = page_of(viewer, "/staff/tenants/")
    second = page_of(viewer, "/staff/tenants/?page=2")
    assert listed(first) == 50 and "Page 1 of 2" in first
    assert listed(second) == 1 and "Tenant 50" in second


def test_nonsense_in_the_search_address_gets_a_page_not_an_error(staff_as: Staff) -> None:
    viewer = staff_as("viewer")
    for query in (
        "page=-3",
        "page=abc",
        "page=99999999999999999999",
        "area=abc",
        "area=99999999999999999999",
        "q=%00%01",
        "q=" + "x" * 2000,
    ):
        assert viewer.client.get(f"/staff/tenants/?{query}").status_code == 200, query


def test_the_csv_export_has_the_import_columns_and_follows_the_filter(
    staff_as: Staff, db: Session
) -> None:
    methil = create_area(db, name="Methil")
    ann = create_tenant(db, name="Ann Smith", phone="+447700900131", area=methil, language="pl")
    ann.tenancy, ann.verified = "T-200", True
    ann.set_roles({"voices", "mystery_shopper"})
    create_tenant(db, name="Bob Jones", area=create_area(db, name="Buckhaven"))
    db.commit()

    viewer = staff_as("viewer")

    response = viewer.client.get(f"/staff/tenants/export.csv?area={methil.id}")

    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert csv_rows(response.data) == [
        ["name", "phone", "area", "tenancy", "language", "roles", "verified", "channels"],
        ["Ann Smith", "+447700900131", "Methil", "T-200", "pl", "voices", "yes", "sms"],
    ]
    let_see_shoppers(db, viewer.email)
    seen = csv_rows(viewer.client.get(f"/staff/tenants/export.csv?area={methil.id}").data)
    assert seen[1][5] == "mystery_shopper;voices"


def test_a_name_that_looks_like_a_formula_is_exported_as_text(staff_as: Staff, db: Session) -> None:
    create_tenant(db, name='=HYPERLINK("http://evil.example","Ann")')
    db.commit()
    rows = csv_rows(staff_as("viewer").client.get("/staff/tenants/export.csv").data)
    assert rows[1][0] == '\'=HYPERLINK("http://evil.example","Ann")'


# -- one tenant ----------------------------------------------------------------------------


def test_the_tenant_page_shows_their_details_and_identities(staff_as: Staff, db: Session) -> None:
    tenant = create_tenant(
        db, name="Ann Smith", phone="+447700900141", channels=("sms", "telegram")
    )
    tenant.set_roles({"tra_rep"})
    db.commit()
    html = page_of(staff_as("viewer"), f"/staff/tenants/{tenant.id}")
    assert "Ann Smith" in html and "+447700900141" in html
    assert "Tenants&#39; and residents&#39; association rep" in html
    assert "SMS" in html and "Telegram" in html


def test_the_tenant_page_shows_the_conversation_in_uk_time(
    staff_as: Staff, phone: Phone, db: Session, clock: Clock
) -> None:
    clock.now = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)  # 10:00 in Fife: summer time
    phone.text("Hello")
    tenant = tenant_by_phone(db, phone.number)

    html = page_of(staff_as("viewer"), f"/staff/tenants/{tenant.id}")

    thread = html.split('<ol class="thread">', 1)[1].split("</ol>", 1)[0]
    said, answered = thread.split('<li class="out">', 1)
    assert '<li class="in">' in said and "Hello" in said
    assert "reply with your name" in answered and "sent" in answered
    assert "1 Jul 2026, 10:00" in said


def test_the_consent_log_shows_a_stop_with_its_source_and_wording(
    staff_as: Staff, phone: Phone, db: Session
) -> None:
    phone.text("Hello")
    phone.text("STOP")
    tenant = tenant_by_phone(db, phone.number)

    html = page_of(staff_as("viewer"), f"/staff/tenants/{tenant.id}")

    log = html.split("<h3>Consent log</h3>", 1)[1].split("</table>", 1)[0]
    assert "keyword STOP" in log and "en:stop.confirmed:" in log
    assert "<strong>opted out</strong>" in html


def test_html_in_a_tenants_message_is_shown_as_text(
    staff_as: Staff, phone: Phone, db: Session
) -> None:
    phone.text('<script>alert("hi")</script><b>bold</b>')
    tenant = tenant_by_phone(db, phone.number)
    html = page_of(staff_as("viewer"), f"/staff/tenants/{tenant.id}")
    assert "&lt;script&gt;alert(&#34;hi&#34;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<script>alert" not in html and "<b>bold" not in html


def test_an_unknown_tenant_is_a_404_that_says_why(staff_as: Staff) -> None:
    viewer = staff_as("viewer")
    response = viewer.client.get("/staff/tenants/999999", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert "There is no tenant number 999999" in response.get_data(as_text=True)
    assert viewer.client.get("/staff/tenants/99999999999999999999").status_code == 404


# -- correcting details --------------------------------------------------------------------


def test_an_officer_can_correct_a_tenants_details(staff_as: Staff, db: Session) -> None:
    tenant = create_tenant(db, name="ann smth", phone="+447700900151")
    methil = create_area(db, name="Methil")
    db.commit()
    officer = staff_as("officer")
    let_see_shoppers(db, officer.email)  # or the mystery shopper box is not there to tick
    edit = f"/staff/tenants/{tenant.id}/edit"

    response = officer.submit(
        edit,
        edit,
        {
            "name": "Ann  Smith",
            "area": str(methil.id),
            "language": "pl",
            "roles": ["mystery_shopper", "voices"],
            "verified": "y",
        },
    )

    assert response.status_code == 302
    assert response.headers["Location"] == f"/staff/tenants/{tenant.id}"
    saved = tenant_by_phone(db, "+447700900151")
    assert (saved.name, saved.area_id, saved.language) == ("Ann Smith", methil.id, "pl")
    assert saved.role_names == {"mystery_shopper", "voices"} and saved.verified
    assert "Saved the details of Ann Smith" in page_of(officer, f"/staff/tenants/{tenant.id}")


def test_an_officer_who_may_not_see_shoppers_neither_sees_nor_loses_the_role(
    staff_as: Staff, db: Session
) -> None:
    tenant = create_tenant(db, name="Ann Smith", phone="+447700900153")
    tenant.set_roles({"mystery_shopper", "voices"})
    db.commit()
    officer = staff_as("officer")
    edit = f"/staff/tenants/{tenant.id}/edit"
    form = page_of(officer, edit)
    assert "Resident VOICES" in form and "Mystery shopper" not in form

    saved = officer.submit(edit, edit, {"name": "Ann Smith", "area": "0", "language": "en"})
    assert saved.status_code == 302
    assert tenant_by_phone(db, "+447700900153").role_names == {"mystery_shopper"}
    forged = {"name": "Ann Smith", "area": "0", "language": "en", "roles": ["mystery_shopper"]}
    assert officer.submit(edit, edit, forged).status_code == 422
    assert "Mystery shopper" not in page_of(officer, f"/staff/tenants/{tenant.id}")


def test_unticking_every_role_and_verified_clears_them(staff_as: Staff, db: Session) -> None:
    tenant = create_tenant(db, name="Ann Smith", phone="+447700900152")
    tenant.set_roles({"voices"})
    tenant.verified = True
    db.commit()
    officer = staff_as("officer")
    edit = f"/staff/tenants/{tenant.id}/edit"
    assert (
        officer.submit(edit, edit, {"name": "Ann Smith", "area": "0", "language": "en"}).status_code
        == 302
    )
    saved = tenant_by_phone(db, "+447700900152")
    assert saved.role_names == set() and not saved.verified


def test_a_blank_name_or_unknown_language_is_refused_with_a_reason(
    staff_as: Staff, db: Session
) -> None:
    tenant = create_tenant(db, name="Ann Smith", phone="+447700900153")
    db.commit()
    officer = staff_as("officer")
    edit = f"/staff/tenants/{tenant.id}/edit"

    response = officer.submit(edit, edit, {"name": "  ", "area": "0", "language": "xx"})

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Enter the tenant&#39;s name." in html and "Not a valid choice" in html
    assert tenant_by_phone(db, "+447700900153").name == "Ann Smith"


def test_a_viewer_cannot_edit_a_tenant(staff_as: Staff, db: Session) -> None:
    tenant = create_tenant(db, name="Ann Smith", phone="+447700900154")
    db.commit()
    viewer = staff_as("viewer")
    edit = f"/staff/tenants/{tenant.id}/edit"
    assert viewer.client.get(edit).status_code == 403
    page = f"/staff/tenants/{tenant.id}"
    assert "Edit details" not in page_of(viewer, page)
    response = viewer.submit(page, edit, {"name": "Someone Else", "area": "0", "language": "en"})
    assert response.status_code == 403
    assert tenant_by_phone(db, "+447700900154").name == "Ann Smith"


def test_a_post_with_a_forged_csrf_token_is_refused(staff_as: Staff, db: Session) -> None:
    tenant = create_tenant(db, name="Ann Smith", phone="+447700900155")
    db.commit()
    officer = staff_as("officer")
    response = officer.client.post(
        f"/staff/tenants/{tenant.id}/edit",
        data={"name": "Someone Else", "area": "0", "language": "en", "csrf_token": "forged"},
    )
    assert response.status_code == 400
    assert tenant_by_phone(db, "+447700900155").name == "Ann Smith"


# -- importing -----------------------------------------------------------------------------


def test_an_import_keeps_good_lines_and_reports_bad_ones_by_line(
    staff_as: Staff, db: Session
) -> None:
    html = upload(staff_as("officer"), GOOD_AND_BAD)

    assert "<strong>2</strong> added" in html and "<strong>0</strong> updated" in html
    assert "<strong>2</strong> rejected" in html
    rejected = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert re.search(r"<td>3</td><td>phone: not a phone number", rejected)
    assert re.search(
        r"<td>5</td><td>language &#39;de&#39; is not one of en, gd, pl, zh, bg, ru, lv, ur, pa",
        rejected,
    )
    cat = tenant_by_phone(db, "+447700900102")
    assert cat.name == "Cat Brown" and cat.role_names == {"voices", "tra_rep"}


def test_importing_the_same_file_again_updates_and_never_duplicates(
    staff_as: Staff, db: Session
) -> None:
    officer = staff_as("officer")
    upload(officer, GOOD_AND_BAD)
    again = upload(officer, GOOD_AND_BAD.replace("Ann Smith", "Ann Smith-Brown"))

    assert "<strong>0</strong> added" in again and "<strong>1</strong> updated" in again
    assert "<strong>1</strong> unchanged" in again and "<code>name</code>: 1" in again
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Tenant)) == 2
    assert tenant_by_phone(db, "+447700900101").name == "Ann Smith-Brown"


def test_a_file_without_the_required_columns_is_refused_as_a_whole(
    staff_as: Staff, db: Session
) -> None:
    officer = staff_as("officer")
    response = officer.submit(
        "/staff/tenants/import",
        "/staff/tenants/import",
        {"file": (io.BytesIO(b"name,phone\nAnn Smith,07700900101\n"), "tenants.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "This file cannot be imported: missing columns: area, tenancy, language, roles" in html
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Tenant)) == 0


def test_a_file_that_is_not_utf8_is_refused_with_advice(staff_as: Staff) -> None:
    response = staff_as("officer").submit(
        "/staff/tenants/import",
        "/staff/tenants/import",
        {"file": (io.BytesIO("name,phone\nZoë\n".encode("utf-16")), "tenants.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "save it as &#39;CSV UTF-8&#39;" in response.get_data(as_text=True)


def test_an_import_without_a_file_asks_for_one(staff_as: Staff) -> None:
    officer = staff_as("officer")
    response = officer.submit("/staff/tenants/import", "/staff/tenants/import", {})
    assert response.status_code == 422
    assert "Choose a CSV file to import." in response.get_data(as_text=True)


def test_a_viewer_cannot_import(staff_as: Staff) -> None:
    viewer = staff_as("viewer")
    assert viewer.client.get("/staff/tenants/import").status_code == 403
    response = viewer.submit(
        "/staff/tenants/",
        "/staff/tenants/import",
        {"file": (io.BytesIO(GOOD_AND_BAD.encode()), "tenants.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403


def test_a_file_over_the_size_limit_is_explained_on_the_import_page(
    staff_as: Staff, app: Flask
) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 20_000  # the real limit, scaled down to keep this quick
    big = GOOD_AND_BAD + "Ann Smith,07700900101,Methil,T-100,en,\n" * 1_000
    response = staff_as("officer").submit(
        "/staff/tenants/import",
        "/staff/tenants/import",
        {"file": (io.BytesIO(big.encode()), "tenants.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "larger than this page accepts (19 kB). Split it" in response.get_data(as_text=True)
