"""The audit log: each staff action that touches personal data leaves its line, through the
console, the API or the command; nobody can change a line; admins read and filter it.

The scenarios are keyed by action, and a test holds them to ``AuditAction``, so a new
action cannot be added without a scenario that shows it is recorded.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from doorstep.cli import main
from models.audit import AuditAction, AuditEntry, Via
from models.tenants import Tenant
from tests import broadcast_helpers
from tests.factories import create_event
from tests.helpers import Phone, StaffBrowser
from tests.staff.shopper_leave import let_see_shoppers
from tests.staff.test_staff_audit import STAFF_ACTIONS

Staff = Callable[[str], StaffBrowser]
Token = Callable[[str], dict[str, str]]
TENANTS_CSV = "name,phone,area,tenancy,language,roles\nBob Jones,07700 900150,Methil,T-9,en,\n"
REPAIRS_CSV = (
    "job_reference,job_type,completed_at,phone,tenant_id\nJ-77,plumbing,2026-03-02,+447700900123,\n"
)
WORDS = "The boiler at number 12 is leaking again"


@dataclass
class World:
    """Ann, who has texted once, and the doors staff come in by."""

    app: Flask
    client: FlaskClient
    db: Session
    phone: Phone
    ann: Tenant
    staff_as: Staff
    api_token: Token

    def command(self, *args: str, given: str | None = None) -> None:
        result = self.app.test_cli_runner().invoke(main, list(args), input=given)
        assert result.exit_code == 0, result.output


def console_export(world: World) -> int:
    officer = world.staff_as("officer")
    assert officer.client.get(f"/staff/tenants/{world.ann.id}/record.json").status_code == 200
    return world.ann.id


def api_export(world: World) -> int:
    response = world.client.get(
        f"/api/v1/tenants/{world.ann.id}/record", headers=world.api_token("officer")
    )
    assert response.status_code == 200
    return world.ann.id


def command_export(world: World) -> int:
    world.command("tenants", "export", str(world.ann.id))
    return world.ann.id


def console_erase(world: World) -> int:
    admin = world.staff_as("admin")
    page = f"/staff/tenants/{world.ann.id}/erase"
    assert admin.submit(page, page, {"name": "Ann Smith"}).status_code == 302
    return world.ann.id


def api_erase(world: World) -> int:
    response = world.client.delete(
        f"/api/v1/tenants/{world.ann.id}", headers=world.api_token("admin")
    )
    assert response.status_code == 200
    return world.ann.id


def command_erase(world: World) -> int:
    world.command("tenants", "erase", str(world.ann.id), given="y\n")
    return world.ann.id


def console_import(world: World) -> None:
    officer = world.staff_as("officer")
    page = "/staff/tenants/import"
    form = {"file": (io.BytesIO(TENANTS_CSV.encode()), "tenants.csv")}
    response = officer.submit(page, page, form, content_type="multipart/form-data")
    assert response.status_code == 200


def api_import(world: World) -> None:
    response = world.client.post(
        "/api/v1/tenants/import",
        data=TENANTS_CSV,
        content_type="text/csv",
        headers=world.api_token("officer"),
    )
    assert response.status_code == 200


def command_import(world: World, tmp_path_factory: pytest.TempPathFactory) -> None:
    path = tmp_path_factory.mktemp("import") / "tenants.csv"
    path.write_text(TENANTS_CSV)
    world.command("tenants", "import", str(path))


def console_repairs_import(world: World) -> None:
    officer = world.staff_as("officer")
    page = "/staff/repairs/import"
    form = {"file": (io.BytesIO(REPAIRS_CSV.encode()), "repairs.csv")}
    response = officer.submit(page, page, form, content_type="multipart/form-data")
    assert response.status_code == 200


def console_broadcast(world: World) -> None:
    headers = world.api_token("officer")
    broadcast = broadcast_helpers.create(world.client, headers)
    officer = world.staff_as("officer")
    page = f"/staff/broadcasts/{broadcast['id']}"
    assert officer.submit(page, f"{page}/send", {}).status_code == 302


def api_broadcast(world: World) -> None:
    headers = world.api_token("officer")
    broadcast = broadcast_helpers.create(world.client, headers)
    broadcast_helpers.send(world.client, headers, broadcast["id"])


def console_wording(world: World) -> None:
    officer = world.staff_as("officer")
    page = "/staff/wording/en/help.reply"
    assert officer.submit(page, page, {"action": "restore", "text": "x"}).status_code == 302


def console_shopper_named(world: World) -> int:
    """An officer with the admin's leave opens a mystery shopper's own page."""
    shopper = world.db.get(Tenant, world.ann.id)
    assert shopper is not None
    shopper.set_roles({"mystery_shopper"})
    world.db.commit()
    officer = world.staff_as("officer")
    let_see_shoppers(world.db, officer.email)
    assert officer.client.get(f"/staff/tenants/{world.ann.id}").status_code == 200
    return world.ann.id


def new_event(world: World) -> int:
    """An event open to Ann, ten days after the test clock's day."""
    now = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)
    event = create_event(world.db, now=now, starts_at=now + timedelta(days=10))
    world.db.commit()
    return event.id


def console_entered_for_tenant(world: World) -> int:
    page = f"/staff/events/{new_event(world)}"
    data = {"tenant": str(world.ann.id), "answer": "yes", "party": "1", "source": "phone"}
    assert world.staff_as("officer").submit(page, f"{page}/answers", data).status_code == 302
    return world.ann.id


def api_entered_for_tenant(world: World) -> int:
    data = {"tenant_id": world.ann.id, "answer": "no", "source": "paper"}
    path = f"/api/v1/events/{new_event(world)}/rsvps"
    assert world.client.post(path, json=data, headers=world.api_token("officer")).status_code == 201
    return world.ann.id


def console_topics(world: World) -> int:
    edit = f"/staff/tenants/{world.ann.id}/edit"
    form = {"name": "Ann", "area": "0", "language": "en", "topics": ["surveys", "news"]}
    assert world.staff_as("officer").submit(edit, edit, form).status_code == 302
    return world.ann.id


def api_topics(world: World) -> int:
    path = f"/api/v1/tenants/{world.ann.id}"
    headers = world.api_token("officer")
    changed = world.client.patch(path, json={"topics": {"events": False}}, headers=headers)
    assert changed.status_code == 200
    return world.ann.id


Scenario = Callable[..., int | None]
SCENARIOS: dict[tuple[AuditAction, Via], Scenario] = {
    (AuditAction.TENANT_EXPORTED, Via.CONSOLE): console_export,
    (AuditAction.TENANT_EXPORTED, Via.API): api_export,
    (AuditAction.TENANT_EXPORTED, Via.COMMAND): command_export,
    (AuditAction.TENANT_ERASED, Via.CONSOLE): console_erase,
    (AuditAction.TENANT_ERASED, Via.API): api_erase,
    (AuditAction.TENANT_ERASED, Via.COMMAND): command_erase,
    (AuditAction.TENANTS_IMPORTED, Via.CONSOLE): console_import,
    (AuditAction.TENANTS_IMPORTED, Via.API): api_import,
    (AuditAction.TENANTS_IMPORTED, Via.COMMAND): command_import,
    (AuditAction.REPAIRS_IMPORTED, Via.CONSOLE): console_repairs_import,
    (AuditAction.BROADCAST_SENT, Via.CONSOLE): console_broadcast,
    (AuditAction.BROADCAST_SENT, Via.API): api_broadcast,
    (AuditAction.WORDING_CHANGED, Via.CONSOLE): console_wording,
    (AuditAction.SHOPPER_IDENTITY_VIEWED, Via.CONSOLE): console_shopper_named,
    (AuditAction.ENTERED_FOR_TENANT, Via.CONSOLE): console_entered_for_tenant,
    (AuditAction.ENTERED_FOR_TENANT, Via.API): api_entered_for_tenant,
    (AuditAction.TOPICS_CHANGED, Via.CONSOLE): console_topics,
    (AuditAction.TOPICS_CHANGED, Via.API): api_topics,
}


@pytest.fixture
def world(
    app: Flask,
    client: FlaskClient,
    db: Session,
    phone: Phone,
    tenant: Tenant,
    staff_as: Staff,
    api_token: Token,
) -> World:
    assert phone.text(WORDS)
    return World(app, client, db, phone, tenant, staff_as, api_token)


def lines(db: Session) -> list[AuditEntry]:
    db.expire_all()
    return list(db.scalars(select(AuditEntry).order_by(AuditEntry.id)))


@pytest.mark.parametrize(
    ("action", "via"), list(SCENARIOS), ids=[f"{a.value}-{v.value}" for a, v in SCENARIOS]
)
def test_each_action_leaves_its_line_naming_who_and_which_tenant(
    world: World, action: AuditAction, via: Via, tmp_path_factory: pytest.TempPathFactory
) -> None:
    scenario = SCENARIOS[(action, via)]
    wants_path = "tmp_path_factory" in scenario.__code__.co_varnames
    tenant_id = scenario(world, tmp_path_factory) if wants_path else scenario(world)

    found = [line for line in lines(world.db) if line.action == action]
    assert [line.via for line in found] == [via.value]
    line = found[0]
    assert (line.staff_id is None) == (via == Via.COMMAND)
    assert line.tenant_id == tenant_id
    assert world.phone.number not in line.detail and WORDS not in line.detail


def test_every_action_has_a_scenario_that_shows_it_is_recorded() -> None:
    """Staff account actions are shown in test_staff_audit.py; the rest here."""
    assert {action for action, _via in SCENARIOS} | STAFF_ACTIONS == set(AuditAction)


def test_a_line_cannot_be_changed_or_removed_even_from_the_database(
    world: World, config: object
) -> None:
    console_export(world)
    before = [(line.id, line.action, line.detail) for line in lines(world.db)]
    engine = world.app.extensions["doorstep.engine"]
    for statement in ("UPDATE audit_log SET detail = 'nothing to see'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))
    assert [(line.id, line.action, line.detail) for line in lines(world.db)] == before
    assert ("tenant_exported", "") in [(action, detail) for _id, action, detail in before]


def test_an_admin_filters_the_log_by_staff_member_action_and_tenant_and_downloads_it(
    world: World,
) -> None:
    console_export(world)
    api_import(world)
    admin = world.staff_as("admin")
    exporter = lines(world.db)[0].staff_id

    everything = admin.client.get("/staff/audit/")
    assert everything.status_code == 200
    assert {"Downloaded a tenant's record", "Imported tenants"} <= set(
        actions_shown(everything.text)
    )

    by_tenant = actions_shown(admin.client.get(f"/staff/audit/?tenant={world.ann.id}").text)
    assert by_tenant == ["Downloaded a tenant's record"]
    by_action = actions_shown(admin.client.get("/staff/audit/?action=tenants_imported").text)
    assert by_action == ["Imported tenants"]
    by_staff = actions_shown(admin.client.get(f"/staff/audit/?staff={exporter}").text)
    assert "Downloaded a tenant's record" in by_staff and "Imported tenants" not in by_staff

    download = admin.client.get("/staff/audit/export.csv?action=tenants_imported")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff"))))
    assert table[0] == ["when", "staff member", "action", "via", "tenant", "detail"]
    assert [row[2:4] for row in table[1:]] == [["tenants_imported", "api"]]
    assert table[1][5] == "1 added, 0 updated, 0 unchanged, 0 rejected"


def actions_shown(html: str) -> list[str]:
    """The Action cell of each row of the log's table."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    cells = [row.split("<td>")[3] for row in body.split("<tr>")[1:]]
    return [unescape(cell.split("</td>", 1)[0]) for cell in cells]


def test_nonsense_filters_show_everything_rather_than_fail(world: World) -> None:
    console_export(world)
    admin = world.staff_as("admin")
    for query in ("tenant=abc", "tenant=99999999999", "action=%00", "staff=-1"):
        response = admin.client.get(f"/staff/audit/?{query}")
        assert response.status_code == 200, query
        assert "Downloaded a tenant's record" in actions_shown(response.text)


def test_only_admins_read_the_log_in_the_console_and_the_api(world: World) -> None:
    for role in ("viewer", "officer"):
        assert world.staff_as(role).client.get("/staff/audit/").status_code == 403
        assert world.staff_as(role).client.get("/staff/audit/export.csv").status_code == 403
        response = world.client.get("/api/v1/audit", headers=world.api_token(role))
        assert response.status_code == 403


def test_the_api_pages_and_filters_the_log(world: World) -> None:
    api_export(world)
    api_import(world)
    headers = world.api_token("admin")

    everything = world.client.get("/api/v1/audit", headers=headers).json
    assert everything is not None and everything["total"] == 2
    newest, oldest = everything["items"]
    assert (newest["action"], oldest["action"]) == ("tenants_imported", "tenant_exported")
    assert oldest["tenant_id"] == world.ann.id and oldest["via"] == "api"

    by_tenant = world.client.get(f"/api/v1/audit?tenant_id={world.ann.id}", headers=headers).json
    assert by_tenant is not None and [i["action"] for i in by_tenant["items"]] == [
        "tenant_exported"
    ]
    for bad in (
        "action=dance",
        "action=",
        "tenant_id=0",
        "staff_id=x",
        f"staff_id={2**31}",
        "limit=0",
    ):
        refused = world.client.get(f"/api/v1/audit?{bad}", headers=headers)
        assert refused.status_code == 400, bad
        assert refused.json is not None and refused.json["status"] == 400


def test_the_apis_lines_have_exactly_the_fields_the_document_lists(world: World) -> None:
    api_export(world)
    headers = world.api_token("admin")
    schemas = world.client.get("/api/v1/openapi.json").json["components"]["schemas"]

    (line,) = world.client.get("/api/v1/audit", headers=headers).json["items"]

    assert set(line) == set(schemas["AuditLine"]["required"])
    assert line["action"] in schemas["AuditLine"]["properties"]["action"]["enum"]
    assert line["via"] in schemas["AuditLine"]["properties"]["via"]["enum"]
