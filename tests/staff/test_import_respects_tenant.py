"""An import never undoes a tenant's own choice, nor a correction staff made since.

A field is written only when the housing system's value for it changed since the last
import; the report counts what actually changed, field by field. Driven as staff drive
it (the console's import page, the API, the ``doorstep`` command), with the tenants'
own choices made by signed SMS.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from doorstep.cli import main
from models.tenants import Tenant
from tests.conftest import PUBLIC_URL, TWILIO_TOKEN
from tests.helpers import Phone, StaffBrowser

Staff = Callable[[str], StaffBrowser]
ANN, DARIUSZ = "+447700900101", "+447700900104"
HOUSING_SYSTEM = (
    "name,phone,area,tenancy,language,roles,telegram_chat_id,landline_only\n"
    "Ann Smith,07700 900101,Methil,T-1,en,volunteer_bank,,\n"
    "Dariusz Nowak,07700 900104,Leven,T-2,pl,,4242,\n"
)


def tenant_at(db: Session, phone: str) -> Tenant:
    db.expire_all()
    return db.scalars(select(Tenant).where(Tenant.phone == phone)).one()


def texting(client: FlaskClient, number: str) -> Phone:
    return Phone(client, number, auth_token=TWILIO_TOKEN, public_url=PUBLIC_URL)


def pick_polish(phone: Phone) -> None:
    """LANG, then the number the list gives Polski."""
    [languages] = phone.text("LANG")
    number = next(line for line in languages.splitlines() if line.endswith(" Polski"))
    phone.text(number.split(" ", 1)[0])


def upload(officer: StaffBrowser, text: str) -> str:
    response = officer.submit(
        "/staff/tenants/import",
        "/staff/tenants/import",
        {"file": (io.BytesIO(text.encode()), "tenants.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def test_a_language_the_tenant_picked_by_text_survives_the_same_file_imported_again(
    staff_as: Staff, client: FlaskClient, db: Session
) -> None:
    officer = staff_as("officer")
    upload(officer, HOUSING_SYSTEM)
    pick_polish(texting(client, ANN))
    assert tenant_at(db, ANN).language == "pl"

    again = upload(officer, HOUSING_SYSTEM)

    assert "<strong>0</strong> updated" in again and "<strong>2</strong> unchanged" in again
    assert "What changed" not in again
    assert tenant_at(db, ANN).language == "pl"


def test_a_language_the_housing_system_changes_is_written_and_counted_by_field(
    staff_as: Staff, client: FlaskClient, db: Session
) -> None:
    officer = staff_as("officer")
    upload(officer, HOUSING_SYSTEM)
    pick_polish(texting(client, ANN))

    changed = upload(officer, HOUSING_SYSTEM.replace("T-1,en", "T-1,gd"))

    assert "<strong>1</strong> updated" in changed and "<strong>1</strong> unchanged" in changed
    assert "<li><code>language</code>: 1</li>" in changed
    assert tenant_at(db, ANN).language == "gd"


def test_a_correction_and_a_role_staff_gave_in_the_console_stay_after_an_import(
    staff_as: Staff, db: Session
) -> None:
    officer = staff_as("officer")
    upload(officer, HOUSING_SYSTEM)
    ann = tenant_at(db, ANN)
    edit = f"/staff/tenants/{ann.id}/edit"
    corrected = {
        "name": "Ann Smith-Brown",
        "area": str(ann.area_id),
        "language": "en",
        "roles": ["volunteer_bank", "voices"],
        "verified": "y",
    }
    assert officer.submit(edit, edit, corrected).status_code == 302

    upload(officer, HOUSING_SYSTEM)
    ann = tenant_at(db, ANN)
    assert (ann.name, ann.role_names) == ("Ann Smith-Brown", {"volunteer_bank", "voices"})

    upload(officer, HOUSING_SYSTEM.replace("T-1,en,volunteer_bank", "T-1,en,tra_rep"))
    assert tenant_at(db, ANN).role_names == {"voices", "tra_rep"}  # one role changed, one kept


def test_a_telegram_chat_the_tenant_unlinked_is_not_linked_again_by_the_api_import(
    client: FlaskClient, db: Session, api_token: Callable[[str], dict[str, str]]
) -> None:
    headers = api_token("officer")

    def imported(text: str) -> dict[str, Any]:
        response = client.post(
            "/api/v1/tenants/import", data=text.encode(), content_type="text/csv", headers=headers
        )
        assert response.status_code == 200, response.json
        assert isinstance(response.json, dict)
        return response.json

    imported(HOUSING_SYSTEM)
    assert {identity.channel for identity in tenant_at(db, DARIUSZ).identities} == {
        "sms",
        "telegram",
    }
    texting(client, DARIUSZ).text("UNLINK")

    again = imported(HOUSING_SYSTEM)
    assert (again["updated"], again["unchanged"], again["changed"]) == ([], [2, 3], {})
    assert again["summary"] == "0 added, 0 updated, 2 unchanged, 0 rejected"
    assert {identity.channel for identity in tenant_at(db, DARIUSZ).identities} == {"sms"}

    moved = imported(
        HOUSING_SYSTEM.replace("Ann Smith,07700 900101,Methil", "Ann Smith,07700 900101,Leven")
    )
    assert (moved["updated"], moved["unchanged"], moved["changed"]) == ([2], [3], {"area": 1})
    assert moved["summary"] == "0 added, 1 updated, 1 unchanged, 0 rejected (area: 1)"


def test_the_command_reports_what_changed_by_field_and_keeps_the_tenants_choice(
    app: Flask, client: FlaskClient, db: Session, tmp_path: Path
) -> None:
    csv_file = tmp_path / "tenants.csv"
    csv_file.write_text(HOUSING_SYSTEM)

    def run() -> str:
        result = app.test_cli_runner().invoke(main, ["tenants", "import", str(csv_file)])
        assert result.exit_code == 0, result.output
        return result.output

    assert "2 added, 0 updated, 0 unchanged, 0 rejected" in run()
    pick_polish(texting(client, ANN))
    csv_file.write_text(
        HOUSING_SYSTEM.replace(
            "Ann Smith,07700 900101,Methil,T-1", "Ann Smyth,07700 900101,Leven,T-1"
        )
    )

    assert run().strip() == "0 added, 1 updated, 1 unchanged, 0 rejected (name: 1, area: 1)"
    ann = tenant_at(db, ANN)
    assert (ann.name, ann.language) == ("Ann Smyth", "pl")
