"""Mystery shopping in the console: responses, names kept back, alerts, trends, the report."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.mystery_shopping import MysteryShopCheckIn, StaffAlert
from models.staff import StaffUser
from models.tenants import Tenant
from tests.factories import create_tenant
from tests.helpers import Phone, StaffBrowser

Staff = Callable[[str], StaffBrowser]
PAGE = "/staff/mystery-shopping/"
NAME = "Ann Smith"
WHAT_HAPPENED = "Waited forty minutes on hold"
IMPROVE = "Answer the phone faster"


@pytest.fixture
def shopper(db: Session, phone: Phone) -> Tenant:
    tenant = create_tenant(db, name=NAME, phone=phone.number)
    tenant.set_roles({"mystery_shopper"})
    db.commit()
    return tenant


def shop(phone: Phone, *, service: str = "1", ease: str = "1", respect: str = "4") -> None:
    """A whole check-in by text: the service, this week, the scores, not sorted, two comments."""
    for reply in ("SHOP", service, "1", ease, respect, "3", WHAT_HAPPENED, IMPROVE):
        phone.text(reply)


def the_check_in(db: Session) -> MysteryShopCheckIn:
    db.expire_all()
    (check_in,) = db.scalars(select(MysteryShopCheckIn))
    db.commit()
    return check_in


def the_alert(db: Session) -> StaffAlert:
    db.expire_all()
    (alert,) = db.scalars(select(StaffAlert))
    db.commit()
    return alert


def html_of(browser: StaffBrowser, path: str) -> str:
    response = browser.client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def test_this_months_responses_are_listed_with_the_response_rate(
    staff_as: Staff, phone: Phone, db: Session, shopper: Tenant
) -> None:
    shop(phone, ease="4", respect="5")
    check_in = the_check_in(db)

    html = html_of(staff_as("viewer"), PAGE)

    assert "Responses for 2026-03" in html
    assert f'href="/staff/mystery-shopping/{check_in.id}"' in html
    assert "1 of 1</strong> shoppers finished" in html and "(100%)" in html
    assert "Phone call" in html and NAME not in html


def test_a_half_finished_check_in_is_listed_as_partly_answered_and_lowers_the_rate(
    staff_as: Staff, phone: Phone, db: Session, shopper: Tenant
) -> None:
    phone.text("SHOP")
    phone.text("2")

    html = html_of(staff_as("viewer"), PAGE)

    assert "Partly answered" in html and "Office visit" in html
    assert "0 of 1</strong> shoppers finished" in html


def test_the_response_page_hides_the_name_until_an_admin_grants_it(
    staff_as: Staff, phone: Phone, db: Session, shopper: Tenant
) -> None:
    shop(phone)
    path = f"{PAGE}{the_check_in(db).id}"
    officer = staff_as("officer")

    hidden = html_of(officer, path)
    assert "A mystery shopper" in hidden and NAME not in hidden
    assert WHAT_HAPPENED in hidden and IMPROVE in hidden and "1 out of 5" in hidden

    admin = staff_as("admin")
    officer_id = db.scalar(select(StaffUser.id).where(StaffUser.email == officer.email))
    db.commit()
    user_page = f"/staff/users/{officer_id}"
    assert "Let them see the names of mystery shoppers" in html_of(admin, user_page)
    granted = admin.submit(user_page, f"{user_page}/shopper-names", {"allow": "yes"})
    assert granted.status_code == 302

    shown = html_of(officer, path)
    assert f'<a href="/staff/tenants/{shopper.id}">{NAME}</a>' in shown
    assert "A mystery shopper" not in shown


def test_only_an_admin_may_grant_seeing_shoppers_names(
    staff_as: Staff, phone: Phone, db: Session
) -> None:
    officer = staff_as("officer")
    officer_id = db.scalar(select(StaffUser.id).where(StaffUser.email == officer.email))
    db.commit()

    response = officer.submit(PAGE, f"/staff/users/{officer_id}/shopper-names", {"allow": "yes"})

    assert response.status_code == 403
    db.expire_all()
    assert db.get(StaffUser, officer_id).may_see_shoppers is False  # type: ignore[union-attr]


def test_a_low_score_shows_on_the_dashboard_and_an_officer_can_resolve_it(
    staff_as: Staff, phone: Phone, db: Session, shopper: Tenant
) -> None:
    shop(phone, ease="1")
    alert = the_alert(db)
    officer = staff_as("officer")

    dashboard = html_of(officer, "/staff/")
    assert re.search(r"<strong>1</strong> mystery-shop alert open", dashboard)
    listing = html_of(officer, PAGE)
    assert "ease 1/5" in listing and WHAT_HAPPENED in listing and NAME not in listing

    response = officer.submit(PAGE, f"{PAGE}alerts/{alert.id}/resolve", {})

    assert response.status_code == 302
    assert the_alert(db).resolved is True
    assert "<strong>0</strong> mystery-shop alerts open" in html_of(officer, "/staff/")
    assert "No open alerts." in html_of(officer, PAGE)


def test_a_viewer_cannot_resolve_an_alert(
    staff_as: Staff, phone: Phone, db: Session, shopper: Tenant
) -> None:
    shop(phone, ease="1")
    alert = the_alert(db)
    viewer = staff_as("viewer")

    assert "Mark resolved" not in html_of(viewer, PAGE)
    response = viewer.submit(PAGE, f"{PAGE}alerts/{alert.id}/resolve", {})

    assert response.status_code == 403
    assert the_alert(db).resolved is False


def test_resolving_needs_the_forms_csrf_token(
    staff_as: Staff, phone: Phone, db: Session, shopper: Tenant
) -> None:
    shop(phone, ease="1")
    alert = the_alert(db)

    response = staff_as("officer").client.post(f"{PAGE}alerts/{alert.id}/resolve")

    assert response.status_code == 400
    assert the_alert(db).resolved is False


def test_trends_chart_each_service_month_by_month_with_the_numbers(
    staff_as: Staff, phone: Phone, db: Session, shopper: Tenant
) -> None:
    shop(phone, service="3", ease="2", respect="4")

    html = html_of(staff_as("viewer"), f"{PAGE}trends")

    assert "Trends, 2025-04 to 2026-03" in html
    assert "<h3>Repairs</h3>" in html
    row = re.search(r'<th scope="row">2026-03</th>(.*?)</tr>', html, re.S)
    assert row is not None
    assert "2.0" in row.group(1) and "4.0" in row.group(1) and "0.0%" in row.group(1)
    assert '<rect x="0" y="0" height="12" width="40.0">' in html  # ease 2 of 5


def test_the_annual_report_groups_comments_by_service_and_names_nobody(
    staff_as: Staff, phone: Phone, db: Session, shopper: Tenant
) -> None:
    shop(phone, service="1", ease="2")

    html = html_of(staff_as("viewer"), f"{PAGE}report/2026")

    assert "Mystery shopping report 2026" in html
    comments = html.split("What tenants said", 1)[1]
    assert "<h3>Phone call</h3>" in comments
    assert f"What happened: “{WHAT_HAPPENED}”" in comments and IMPROVE in comments
    assert NAME not in html and shopper.phone not in html
    assert 'class="no-print"' in html  # the links, with nav and buttons, are hidden in print
    assert "@media print" in (Path(__file__).parents[2] / "staff/static/console.css").read_text()


def test_the_annual_report_csv_has_its_header_and_the_years_figures(
    staff_as: Staff, phone: Phone, db: Session, shopper: Tenant
) -> None:
    shop(phone, service="2", ease="4", respect="5")

    response = staff_as("viewer").client.get(f"{PAGE}report/2026.csv")

    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == [
        "month",
        "service",
        "responses",
        "average_ease",
        "average_respect",
        "sorted_yes",
        "sorted_partly",
        "sorted_no",
    ]
    assert rows[1:] == [["2026-03", "office", "1", "4.00", "5.00", "0", "0", "1"]]
    assert NAME not in response.get_data(as_text=True)


def test_a_report_for_a_year_out_of_range_is_not_found(staff_as: Staff) -> None:
    assert staff_as("viewer").client.get(f"{PAGE}report/99999").status_code == 404


def test_the_navigation_links_to_mystery_shopping(staff_as: Staff) -> None:
    assert f'<a href="{PAGE}">Mystery shopping</a>' in html_of(staff_as("viewer"), "/staff/")
