"""The area pages: the estates, how many homes and tenants each has, and keeping them right."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.tenants import Area
from tests.factories import create_area, create_tenant
from tests.helpers import StaffBrowser

Staff = Callable[[str], StaffBrowser]
NEW = "/staff/areas/new"


def stored_areas(db: Session) -> list[tuple[str, str, int]]:
    db.expire_all()
    found = [
        (a.name, a.postcode_prefixes, a.homes) for a in db.scalars(select(Area).order_by(Area.name))
    ]
    db.commit()
    return found


def test_the_list_shows_each_areas_homes_and_tenants(staff_as: Staff, db: Session) -> None:
    methil = create_area(db, name="Methil")
    methil.homes = 412
    create_area(db, name="Buckhaven")
    create_tenant(db, area=methil)
    create_tenant(db, area=methil)
    db.commit()

    html = staff_as("viewer").client.get("/staff/areas/").get_data(as_text=True)

    row = html.split(">Methil</a></td>", 1)[1].split("</tr>", 1)[0]
    assert "<td>412</td>" in row and "<td>2</td>" in row
    assert "Buckhaven" in html
    assert "Add an area" not in html  # a viewer reads only


def test_an_officer_adds_an_area_with_tidied_postcode_prefixes(
    staff_as: Staff, db: Session
) -> None:
    officer = staff_as("officer")
    response = officer.submit(
        NEW, NEW, {"name": "  Methil ", "postcode_prefixes": "ky8 3, KY8  2,,", "homes": "412"}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/staff/areas/"
    assert stored_areas(db) == [("Methil", "KY8 3, KY8 2", 412)]
    assert "Added Methil." in officer.client.get("/staff/areas/").get_data(as_text=True)


def test_a_name_already_used_in_any_case_is_refused(staff_as: Staff, db: Session) -> None:
    create_area(db, name="Methil")
    db.commit()
    response = staff_as("officer").submit(NEW, NEW, {"name": "METHIL", "homes": "0"})
    assert response.status_code == 422
    assert "There is already an area called METHIL" in response.get_data(as_text=True)
    assert [name for name, _, _ in stored_areas(db)] == ["Methil"]


def test_wrong_postcodes_blank_names_and_negative_homes_are_explained(
    staff_as: Staff, db: Session
) -> None:
    response = staff_as("officer").submit(
        NEW, NEW, {"name": "", "postcode_prefixes": "KY8, Methil, 12", "homes": "-4"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter the area&#39;s name." in html
    assert "These are not the start of a postcode: METHIL, 12." in html
    assert "Enter a number from 0 to 100000." in html
    assert stored_areas(db) == []


def test_an_officer_edits_an_area_and_may_keep_its_own_name(staff_as: Staff, db: Session) -> None:
    area = create_area(db, name="Methil")
    db.commit()
    edit = f"/staff/areas/{area.id}/edit"
    officer = staff_as("officer")
    assert 'value="Methil"' in officer.client.get(edit).get_data(as_text=True)

    response = officer.submit(
        edit, edit, {"name": "Methil", "postcode_prefixes": "KY8 3", "homes": "420"}
    )

    assert response.status_code == 302
    assert stored_areas(db) == [("Methil", "KY8 3", 420)]


def test_renaming_an_area_to_another_areas_name_is_refused(staff_as: Staff, db: Session) -> None:
    create_area(db, name="Methil")
    buckhaven = create_area(db, name="Buckhaven")
    db.commit()
    edit = f"/staff/areas/{buckhaven.id}/edit"
    response = staff_as("officer").submit(edit, edit, {"name": "methil", "homes": "1"})
    assert response.status_code == 422
    assert [name for name, _, _ in stored_areas(db)] == ["Buckhaven", "Methil"]


def test_an_unknown_area_is_a_404(staff_as: Staff) -> None:
    response = staff_as("officer").client.get("/staff/areas/4242/edit")
    assert response.status_code == 404 and "There is no area number 4242" in response.get_data(
        as_text=True
    )


def test_a_viewer_cannot_add_or_edit_areas(staff_as: Staff, db: Session) -> None:
    area = create_area(db, name="Methil")
    db.commit()
    viewer = staff_as("viewer")
    assert viewer.client.get(NEW).status_code == 403
    assert viewer.submit("/staff/areas/", NEW, {"name": "Leven", "homes": "1"}).status_code == 403
    edit = f"/staff/areas/{area.id}/edit"
    assert viewer.submit("/staff/areas/", edit, {"name": "Leven", "homes": "1"}).status_code == 403
    assert [name for name, _, _ in stored_areas(db)] == ["Methil"]


def test_a_forged_csrf_token_adds_nothing(staff_as: Staff, db: Session) -> None:
    response = staff_as("officer").client.post(
        NEW, data={"name": "Leven", "homes": "1", "csrf_token": "forged"}
    )
    assert response.status_code == 400 and stored_areas(db) == []


def test_the_csv_export_lists_every_area_with_its_counts(staff_as: Staff, db: Session) -> None:
    methil = create_area(db, name="Methil")
    methil.homes, methil.postcode_prefixes = 412, "KY8 3"
    create_tenant(db, area=methil)
    create_area(db, name="Buckhaven")
    db.commit()

    response = staff_as("viewer").client.get("/staff/areas/export.csv")

    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")))) == [
        ["name", "postcode_prefixes", "homes", "tenants"],
        ["Buckhaven", "", "0", "0"],
        ["Methil", "KY8 3", "412", "1"],
    ]
