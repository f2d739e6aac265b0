"""Mystery shoppers stay anonymous: nothing staff read links a check-in to the tenant who gave it.

A shopper gets the monthly invitation, checks in by signed SMS with words nobody else
would write, and looks at MENU (which lists her check-in); a neighbour asks by JOIN to
become a shopper, and an officer with leave grants it. That officer also books an event,
offers a task and asks a poll for mystery shoppers only, and the shopper says she is
coming, offers to help and votes, all by SMS, and the neighbour (a shopper now) says
maybe. Then staff without the admin's leave (viewer and officer, console and API tokens)
walk every console page the app answers GET on (read from its URL map) and every read in
the API (read from its OpenAPI document), so a page or an operation added later is walked
too. No answer may show the shopper's words beside anything that identifies her (name,
phone, tenant id or link), show either tenant with the mystery-shopper role, show that role
as (part of) the audience of an event, a broadcast or a poll, name anyone who answered one
of those (they are shoppers: only the counts show), or date an anonymous answer finer than
the day.

The same walk by a permitted member finds all of it, so the walk can fail; and each time
a permitted member is shown who a shopper is, the audit log says so.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.test import TestResponse

from bot import catalogue, wording
from bot.flow import Settings
from models.audit import AuditEntry
from models.broadcasts import Broadcast
from models.events import Event
from models.involvement import InvolvementRequest
from models.media import Media
from models.messages import InboundRecord, OutboundRecord
from models.mystery_shopping import MysteryShopCheckIn, StaffAlert
from models.polls import Poll
from models.staff import StaffUser
from models.tenants import Area, Tenant
from scheduler.dispatcher import Dispatcher
from scheduler.mystery_shop_tasks import MysteryShopPlan
from scheduler.process import SchedulerProcess
from scheduler.tasks import run_due_tasks
from tests.broadcast_helpers import deliver_all
from tests.conftest import PUBLIC_URL, STAFF_PASSWORD, TWILIO_TOKEN, make_staff
from tests.factories import create_area, create_tenant
from tests.helpers import Clock, Phone, StaffBrowser
from tests.staff.shopper_leave import let_see_shoppers

WHAT_HAPPENED = "Waited 25 minutes on hold then was cut off"
IMPROVE = "Ring back whenever the line drops"
WORDS = (WHAT_HAPPENED, IMPROVE)
SHOPPER, NEIGHBOUR, INSPECTOR = "Morag Quigley", "Iain Dunnet", "Ann Smith"
WITHHELD = (
    "Who answered is not shown: this is for tenants with a role only staff an admin allows may see."
)
ROLE = re.compile(r"mystery[ _-]?shopper", re.IGNORECASE)  # "Mystery shopping" is no role
INVITED_AT = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)  # the first Tuesday, 10:00 GMT
CHECK_IN_AT = datetime(2026, 3, 3, 14, 37, tzinfo=UTC)
NOT_A_PAGE_OF_THE_WALK = (
    "auth.",  # signing in and out: the staff member's own account, no tenant's data
    "staff_static.",
)
NOT_READ_HERE = {
    "tenant_data.record",  # a data-rights export gives the tenant everything, by right
    "getTenantRecord",
    "getOpenApiDocument",  # public and the same for everyone: no tenant's data in it
}
NOTHING_SEEDED = {  # the seed makes none of these: one probe each shows the page still answers
    name: [1] for name in ("inspection_id", "report_id", "repair_id")
}
FOR_SHOPPERS = {"roles": ["mystery_shopper"]}
# Events, broadcasts and polls name who answered them: none of their pages (lists, forms,
# exports, API answers) may show the role as their audience, or offer it.
AUDIENCE_PAGE = re.compile(r"/(?:events|broadcasts|polls)(?:/|$)")
ROUTE_ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
API_ARGUMENT = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Person:
    """A tenant, and every way a page or an API answer could point at them."""

    id: int
    name: str
    phone: str

    def named_in(self, path: str, text: str) -> bool:
        national = "0" + self.phone.removeprefix("+44")
        forms = (self.name, self.phone, national, f"{national[:5]} {national[5:]}")
        link = re.compile(rf"/tenants/{self.id}(?![0-9])")
        if any(form in text for form in forms) or link.search(path) or link.search(text):
            return True
        return _json_points_at(_json_or_none(text), self.id)


def _json_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _json_points_at(body: Any, tenant_id: int) -> bool:
    """A ``tenant_id`` of theirs, or a ``tenant`` or ``shopper`` object with their id."""
    if isinstance(body, list):
        return any(_json_points_at(item, tenant_id) for item in body)
    if not isinstance(body, dict):
        return False
    if body.get("tenant_id") == tenant_id:
        return True
    for key in ("tenant", "shopper"):
        if isinstance(body.get(key), dict) and body[key].get("id") == tenant_id:
            return True
    return any(_json_points_at(value, tenant_id) for value in body.values())


@dataclass
class Seeded:
    """Who is who after the seed, the ids a route can be filled with, the check-in's minutes."""

    shopper: Person
    neighbour: Person
    ids: dict[str, list[int]]
    minutes: list[str]


@dataclass
class Walk:
    """What a walk saw: each answer's path, status and text, and every rule they broke."""

    answers: list[tuple[str, int, str]] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)

    def paths_with(self, needle: str) -> list[str]:
        return [path for path, _status, text in self.answers if needle in text]

    def page(self, wanted: str) -> str:
        return next(text for path, status, text in self.answers if path == wanted and status == 200)

    def answer(self, wanted: str) -> tuple[int, str]:
        return next((status, text) for path, status, text in self.answers if path == wanted)


# --- the seed: an invitation, a check-in by SMS, MENU, a JOIN request granted ---------------


def seed(
    app: Flask,
    db: Session,
    sessions: sessionmaker[Session],
    clock: Clock,
    phone: Phone,
    dispatcher: Dispatcher,
) -> Seeded:
    methil = create_area(db, name="Methil")
    shopper = create_tenant(db, name=SHOPPER, phone=phone.number, area=methil)
    shopper.set_roles({"mystery_shopper"})
    neighbour = create_tenant(db, name=NEIGHBOUR, phone="+447700900124", area=methil)
    inspector = create_tenant(db, name=INSPECTOR, phone="+447700900125", area=methil)
    db.commit()
    invite_this_month(sessions, clock)
    clock.now = INVITED_AT + timedelta(hours=1, minutes=15)
    ask_to_join(app, neighbour, "1")  # mystery shopper
    ask_to_join(app, inspector, "2")  # resident inspector: this one anybody may see
    grant_with_leave(app, db, sessions, neighbour)
    clock.now = CHECK_IN_AT
    for said in ("SHOP", "1", "1", "1", "2", "3", *WORDS):
        phone.text(said)
        clock.advance(seconds=40)
    clock.now = CHECK_IN_AT + timedelta(minutes=30)
    aim_at_shoppers(app, sessions, dispatcher)
    assert "Are you coming?" in phone.text("EVENTS")[0]
    assert phone.text("1")[0].startswith("Thank you, see you at Tea and a catch-up")
    assert phone.text("YES")[0].startswith("Thank you for offering to help.")
    assert "Which evening suits you" in phone.text("VOTE")[0]
    assert phone.text("1")[0].startswith("Thank you. You voted Tuesday.")
    neighbours_phone = phone_of(app, neighbour)
    assert "Are you coming?" in neighbours_phone.text("EVENTS")[0]
    assert neighbours_phone.text("3")[0]  # maybe
    clock.now = CHECK_IN_AT + timedelta(hours=1)
    phone.text("The close door at number 12 will not lock")  # for the inbox, with her name
    clock.now = CHECK_IN_AT + timedelta(hours=2)
    assert "Mystery shopper check-in" in phone.text("MENU")[0]  # left open
    return Seeded(
        Person(shopper.id, SHOPPER, phone.number),
        Person(neighbour.id, NEIGHBOUR, "+447700900124"),
        ids_of_rows(db, clock),
        check_in_minutes(db),
    )


def invite_this_month(sessions: sessionmaker[Session], clock: Clock) -> None:
    """What `doorstep scheduler` does: book the month's invitation, then run it when due."""
    clock.now = INVITED_AT - timedelta(hours=1)
    SchedulerProcess(
        sessions,
        Dispatcher(sessions, {}, clock),
        clock,
        settings=Settings(),
        retention_days=365,
        mystery_shop=MysteryShopPlan(),
    ).book_standing_tasks()
    clock.now = INVITED_AT
    assert run_due_tasks(sessions, clock()) >= 1


def phone_of(app: Flask, tenant: Tenant) -> Phone:
    assert tenant.phone is not None
    return Phone(app.test_client(), tenant.phone, auth_token=TWILIO_TOKEN, public_url=PUBLIC_URL)


def ask_to_join(app: Flask, tenant: Tenant, choice: str) -> None:
    their_phone = phone_of(app, tenant)
    for said in ("JOIN", choice, "1"):
        their_phone.text(said)


def grant_with_leave(
    app: Flask, db: Session, sessions: sessionmaker[Session], tenant: Tenant
) -> None:
    """An officer who may see shoppers grants the request; the tenant is told by a notice."""
    officer = signed_in(app, sessions, "officer", sees=True)
    asked = db.scalar(
        select(InvolvementRequest.id).where(InvolvementRequest.tenant_id == tenant.id)
    )
    db.commit()
    granted = officer.submit("/staff/involvement/", f"/staff/involvement/{asked}/grant", {})
    assert granted.status_code == 302, granted.text


def aim_at_shoppers(app: Flask, sessions: sessionmaker[Session], dispatcher: Dispatcher) -> None:
    """An officer with leave books an event, offers a task (delivered at once) and asks a
    poll, each for mystery shoppers only, through the API."""
    email = "booker@fhg.example"
    headers = {"Authorization": f"Bearer {make_staff(sessions, email, 'officer')}"}
    allow_shoppers(sessions, email)
    client = app.test_client()

    def created(path: str, **body: Any) -> int:
        answer = client.post(path, json={**body, "audience": FOR_SHOPPERS}, headers=headers)
        assert answer.status_code == 201, answer.json
        return int(answer.json["id"])  # type: ignore[index]

    created(
        "/api/v1/events",
        title="Tea and a catch-up",
        kind="community",
        starts_at="2026-03-20T14:00:00Z",
        ends_at="2026-03-20T16:00:00Z",
        venue="Methil Community Hall",
    )
    offer = created(
        "/api/v1/broadcasts",
        kind="opportunity",
        texts={"en": "We need a hand setting out chairs at Methil hall on Sat 21 Mar, 10am."},
    )
    sent = client.post(f"/api/v1/broadcasts/{offer}/send", headers=headers)
    assert sent.status_code == 200, sent.json
    deliver_all(dispatcher)
    created(
        "/api/v1/polls",
        question="Which evening suits you for the next get-together?",
        options=["Tuesday", "Thursday"],
        closes_at="2026-03-31T17:00:00Z",
    )


def ids_of_rows(db: Session, clock: Clock) -> dict[str, list[int]]:
    """The ids each kind of route argument is filled with; any other name gets all of them."""
    db.expire_all()

    def every(column: Any) -> list[int]:
        return sorted(db.scalars(select(column)))

    ids = {
        "tenant_id": every(Tenant.id),
        "check_in_id": every(MysteryShopCheckIn.id),
        "alert_id": every(StaffAlert.id),
        "request_id": every(InvolvementRequest.id),
        "inbound_id": every(InboundRecord.id),
        "message_id": every(InboundRecord.id),
        "media_id": every(Media.id),
        "area_id": every(Area.id),
        "staff_id": every(StaffUser.id),
        "event_id": every(Event.id),
        "broadcast_id": every(Broadcast.id),
        "poll_id": every(Poll.id),
        "year": [clock().year],
        **NOTHING_SEEDED,
    }
    ids["*"] = sorted({*itertools.chain(*ids.values()), *every(OutboundRecord.id)})
    db.commit()
    return ids


def check_in_minutes(db: Session) -> list[str]:
    """Every minute of the clock the check-in was given in, as staff would read it."""
    db.expire_all()
    (check_in,) = db.scalars(select(MysteryShopCheckIn))
    assert check_in.started_at is not None and check_in.finished_at is not None
    assert check_in.what_happened == WHAT_HAPPENED and check_in.improve == IMPROVE
    minute, minutes = check_in.started_at, []
    while minute <= check_in.finished_at + timedelta(minutes=1):
        minutes.append(f"{minute:%H:%M}")
        minute += timedelta(minutes=1)
    db.commit()
    return minutes


# --- the walk ------------------------------------------------------------------------------


def console_paths(app: Flask, ids: dict[str, list[int]]) -> list[tuple[str, str]]:
    """(endpoint, path) for every console page that answers GET, each filling of its ids."""
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if not rule.rule.startswith("/staff/") or "GET" not in (rule.methods or ()):
            continue
        if rule.endpoint.startswith(NOT_A_PAGE_OF_THE_WALK):
            continue
        arguments = [(kind or "default", name) for kind, name in ROUTE_ARGUMENT.findall(rule.rule)]
        for values in fillings(arguments, ids):
            found.append((rule.endpoint, rule.build(values)[1]))
    return found


def api_paths(document: dict[str, Any], ids: dict[str, list[int]]) -> list[tuple[str, str]]:
    """(operationId, path) for every GET the OpenAPI document offers, each filling of its ids."""
    integers = {
        name
        for name, parameter in document["components"].get("parameters", {}).items()
        if parameter.get("schema", {}).get("type") == "integer"
    }
    found = []
    for path, item in document["paths"].items():
        operation = item.get("get")
        if operation is None:
            continue
        declared = [
            parameter.get("$ref", "").rsplit("/", 1)[-1]
            for parameter in operation.get("parameters", [])
        ]
        arguments = [
            ("int" if any(ref in integers for ref in declared) else "default", name)
            for name in API_ARGUMENT.findall(path)
        ]
        for values in fillings(arguments, ids):
            found.append((operation["operationId"], path.format(**values)))
    return found


def fillings(
    arguments: list[tuple[str, str]], ids: dict[str, list[int]]
) -> Iterator[dict[str, Any]]:
    """Each way to fill a route's arguments with rows that exist; text arguments by name."""
    choices = []
    for kind, name in arguments:
        if kind == "int" or name in ids:
            choices.append([(name, value) for value in ids.get(name) or ids["*"]])
        elif name in TEXT_ARGUMENTS:
            choices.append([(name, TEXT_ARGUMENTS[name]())])
        else:
            raise AssertionError(f"teach the walk a value for the text argument {name!r}")
    for chosen in itertools.product(*choices):
        yield dict(chosen)


def _language() -> str:
    return next(code for code in catalogue.languages() if code != catalogue.DEFAULT_LANGUAGE)


def _wording_key() -> str:
    editable = filter(wording.editable, catalogue.keys())
    return next(key for key in editable if key.startswith("mystery_shop."))


TEXT_ARGUMENTS: dict[str, Callable[[], str]] = {"language": _language, "key": _wording_key}


def walk(get: Callable[[str], TestResponse], paths: list[tuple[str, str]], seeded: Seeded) -> Walk:
    seen = Walk()
    for name, path in paths:
        if name in NOT_READ_HERE:
            continue
        response = get(path)
        text = response.get_data(as_text=True)
        seen.answers.append((path, response.status_code, text))
        if response.status_code >= 500 or _sent_to_sign_in(response):
            seen.leaks.append(f"{path}: answered {response.status_code}")
        seen.leaks.extend(f"{path}: {leak}" for leak in leaks_in(path, text, seeded))
    return seen


def _sent_to_sign_in(response: TestResponse) -> bool:
    return response.status_code == 302 and "/staff/login" in response.headers.get("Location", "")


def leaks_in(path: str, text: str, seeded: Seeded) -> Iterator[str]:
    """Every rule of anonymity this one answer breaks."""
    said = [words for words in WORDS if words in text]
    shopper_named = seeded.shopper.named_in(path, text)
    if said and shopper_named:
        yield f"the shopper's words beside who she is: {said}"
    for person in (seeded.shopper, seeded.neighbour):
        if person.named_in(path, text) and (role := ROLE.search(text)):
            yield f"{person.name} shown with the role: {role.group(0)!r}"
    if AUDIENCE_PAGE.search(path) and (role := ROLE.search(text)):
        yield f"the role shown on a page of what tenants answered: {role.group(0)!r}"
    for person in (seeded.shopper, seeded.neighbour):
        if AUDIENCE_PAGE.search(path) and person.named_in(path, text):
            yield f"{person.name} named as answering something for shoppers"
    if said or "mystery-shop" in path or "check-ins" in path:
        shown = [minute for minute in seeded.minutes if minute in text]
        if shown:
            yield f"an anonymous answer with the time of day it was given: {shown}"


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def seeded(
    app: Flask,
    db: Session,
    sessions: sessionmaker[Session],
    clock: Clock,
    phone: Phone,
    dispatcher: Dispatcher,
) -> Seeded:
    return seed(app, db, sessions, clock, phone, dispatcher)


def signed_in(
    app: Flask, sessions: sessionmaker[Session], role: str, *, sees: bool
) -> StaffBrowser:
    email = f"{role}-{'sees' if sees else 'blind'}@fhg.example"
    make_staff(sessions, email, role)
    if sees:
        allow_shoppers(sessions, email)
    browser = StaffBrowser(app.test_client(), email, STAFF_PASSWORD)
    assert browser.sign_in().status_code == 302
    return browser


def token(sessions: sessionmaker[Session], role: str, *, sees: bool) -> dict[str, str]:
    email = f"api-{role}-{'sees' if sees else 'blind'}@fhg.example"
    issued = make_staff(sessions, email, role)
    if sees:
        allow_shoppers(sessions, email)
    return {"Authorization": f"Bearer {issued}"}


def allow_shoppers(sessions: sessionmaker[Session], email: str) -> None:
    with sessions() as session:
        let_see_shoppers(session, email)


def the_document(client: FlaskClient) -> dict[str, Any]:
    document: dict[str, Any] = client.get("/api/v1/openapi.json").json  # type: ignore[assignment]
    return document


def shopper_views(db: Session, email: str) -> list[tuple[str, int | None]]:
    """(via, tenant) of each "shopper identity viewed" line this member caused, oldest first."""
    db.expire_all()
    lines = db.scalars(
        select(AuditEntry)
        .join(StaffUser, StaffUser.id == AuditEntry.staff_id)
        .where(AuditEntry.action == "shopper_identity_viewed", StaffUser.email == email)
        .order_by(AuditEntry.id)
    )
    found = [(line.via, line.tenant_id) for line in lines]
    db.commit()
    return found


# --- the tests ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["viewer", "officer"])
def test_staff_without_the_grant_find_no_page_that_links_a_check_in_to_its_shopper(
    app: Flask, sessions: sessionmaker[Session], seeded: Seeded, role: str
) -> None:
    browser = signed_in(app, sessions, role, sees=False)

    seen = walk(browser.client.get, console_paths(app, seeded.ids), seeded)

    assert seen.leaks == []
    assert seen.paths_with(WHAT_HAPPENED), "the anonymous answer should still be readable"
    assert seen.paths_with(SHOPPER) and seen.paths_with(NEIGHBOUR), "both tenants' pages walked"
    involvement = seen.page("/staff/involvement/")
    assert INSPECTOR in involvement and "Resident inspector" in involvement
    assert seen.paths_with("Resident inspectors look round"), "other tenants' JOIN still shows"
    assert {path for path, status, _ in seen.answers if status == 200} >= {
        f"/staff/tenants/{seeded.shopper.id}",
        "/staff/tenants/export.csv",
        "/staff/involvement/",
        "/staff/inbox/",
        f"/staff/mystery-shopping/{seeded.ids['check_in_id'][0]}",
    }
    event, offer, poll = (seeded.ids[name][0] for name in ("event_id", "broadcast_id", "poll_id"))
    for page in (f"/staff/events/{event}", f"/staff/broadcasts/{offer}", f"/staff/polls/{poll}"):
        assert "<dd>Tenants with a role not shown to you</dd>" in seen.page(page)
    for answered in (f"/staff/events/{event}", f"/staff/broadcasts/{offer}"):
        assert WITHHELD in seen.page(answered), "who answered is counted, and said why not named"
    event_page = seen.page(f"/staff/events/{event}")
    assert "<strong>1</strong> coming" in event_page and "<strong>1</strong> maybe" in event_page
    assert "<strong>1</strong> said YES" in seen.page(f"/staff/broadcasts/{offer}")
    for sheet in (f"/staff/events/{event}/sign-in", f"/staff/events/{event}/sign-in.csv"):
        status, text = seen.answer(sheet)
        assert status == 403 and WITHHELD in text, sheet


@pytest.mark.parametrize("role", ["viewer", "officer"])
def test_tokens_without_the_grant_find_no_api_answer_that_links_a_check_in_to_its_shopper(
    client: FlaskClient, sessions: sessionmaker[Session], seeded: Seeded, role: str
) -> None:
    headers = token(sessions, role, sees=False)
    paths = api_paths(the_document(client), seeded.ids)

    seen = walk(lambda path: client.get(path, headers=headers), paths, seeded)

    assert seen.leaks == []
    assert seen.paths_with(WHAT_HAPPENED), "the anonymous check-in should still be readable"
    assert seen.paths_with(SHOPPER) and seen.paths_with(NEIGHBOUR)
    messages = seen.page(f"/api/v1/tenants/{seeded.shopper.id}/messages")
    assert "The close door at number 12 will not lock" in messages
    event, offer = seeded.ids["event_id"][0], seeded.ids["broadcast_id"][0]
    rsvps = json.loads(seen.page(f"/api/v1/events/{event}/rsvps"))
    assert (rsvps["items"], rsvps["total"], rsvps["answerers_withheld"]) == ([], 0, True)
    counts = json.loads(seen.page(f"/api/v1/events/{event}"))["counts"]
    assert (counts["yes"], counts["maybe"]) == (1, 1), "who answered is still counted"
    offered = json.loads(seen.page(f"/api/v1/broadcasts/{offer}"))
    assert offered["volunteers"] == [] and offered["answerers_withheld"] is True
    assert offered["volunteer_count"] == 1, "who offered is still counted"
    for path in (f"/api/v1/events/{event}", f"/api/v1/broadcasts/{offer}"):
        audience = json.loads(seen.page(path))["audience"]
        assert (audience["roles"], audience["roles_withheld"]) == ([], True)


def test_a_permitted_member_walking_the_same_pages_sees_who_the_shopper_is(
    app: Flask, sessions: sessionmaker[Session], seeded: Seeded
) -> None:
    browser = signed_in(app, sessions, "viewer", sees=True)

    seen = walk(browser.client.get, console_paths(app, seeded.ids), seeded)

    tenant_page = f"/staff/tenants/{seeded.shopper.id}"
    found = "\n".join(seen.leaks)
    assert f"{tenant_page}: the shopper's words beside who she is" in found
    assert f"{tenant_page}: {SHOPPER} shown with the role" in found
    assert f"/staff/involvement/: {NEIGHBOUR} shown with the role" in found
    assert "/staff/tenants/export.csv: " + SHOPPER in found
    response_page = seen.page(f"/staff/mystery-shopping/{seeded.ids['check_in_id'][0]}")
    assert f'<a href="{tenant_page}">{SHOPPER}</a>' in response_page
    event, offer = seeded.ids["event_id"][0], seeded.ids["broadcast_id"][0]
    assert f"/staff/events/{event}: {SHOPPER} shown with the role" in found
    assert f"/staff/broadcasts/{offer}: {SHOPPER} shown with the role" in found
    assert "<dd>Tenants with a role: Mystery shoppers</dd>" in seen.page(f"/staff/events/{event}")
    event_pages = ("", "/sign-in", "/sign-in.csv")
    for answered in [f"/staff/events/{event}{page}" for page in event_pages]:
        for person in (SHOPPER, NEIGHBOUR):
            assert f"{answered}: {person} named as answering something for shoppers" in found
    assert f"/staff/broadcasts/{offer}: {SHOPPER} named as answering something" in found
    assert not seen.paths_with(WITHHELD)


def test_a_permitted_token_sees_the_shopper_by_name_and_her_check_in_in_her_messages(
    client: FlaskClient, sessions: sessionmaker[Session], seeded: Seeded
) -> None:
    headers = token(sessions, "viewer", sees=True)

    event, offer = seeded.ids["event_id"][0], seeded.ids["broadcast_id"][0]

    check_ins = client.get("/api/v1/mystery-shopping/check-ins", headers=headers).json
    messages = client.get(f"/api/v1/tenants/{seeded.shopper.id}/messages", headers=headers).json
    tenant = client.get(f"/api/v1/tenants/{seeded.shopper.id}", headers=headers).json
    rsvps = client.get(f"/api/v1/events/{event}/rsvps", headers=headers).json
    offered = client.get(f"/api/v1/broadcasts/{offer}", headers=headers).json

    assert check_ins is not None and messages is not None and tenant is not None
    assert rsvps is not None and offered is not None
    (item,) = check_ins["items"]
    assert item["shopper"] == {"id": seeded.shopper.id, "name": SHOPPER}
    assert item["started_at"] == CHECK_IN_AT.isoformat() and item["channel"] == "sms"
    assert IMPROVE in [message["body"] for message in messages["items"]]
    assert tenant["roles"] == ["mystery_shopper"]
    assert [rsvp["tenant"]["name"] for rsvp in rsvps["items"]] == [SHOPPER, NEIGHBOUR]
    assert rsvps["answerers_withheld"] is False
    assert [volunteer["name"] for volunteer in offered["volunteers"]] == [SHOPPER]
    assert offered["volunteer_count"] == 1 and offered["answerers_withheld"] is False


def test_each_view_of_a_named_response_writes_one_audit_line_and_blind_views_write_none(
    app: Flask, sessions: sessionmaker[Session], db: Session, seeded: Seeded
) -> None:
    response_page = f"/staff/mystery-shopping/{seeded.ids['check_in_id'][0]}"
    blind = signed_in(app, sessions, "officer", sees=False)
    assert blind.client.get(response_page).status_code == 200
    assert blind.client.get(f"/staff/tenants/{seeded.shopper.id}").status_code == 200
    assert shopper_views(db, blind.email) == []

    sees = signed_in(app, sessions, "viewer", sees=True)
    assert SHOPPER in sees.client.get(response_page).text
    assert SHOPPER in sees.client.get(response_page).text
    assert WHAT_HAPPENED in sees.client.get(f"/staff/tenants/{seeded.shopper.id}").text
    assert sees.client.get(f"/staff/tenants/{seeded.neighbour.id}").status_code == 200
    assert sees.client.get("/staff/tenants/").status_code == 200  # names, but no roles

    assert shopper_views(db, sees.email) == [
        ("console", seeded.shopper.id),
        ("console", seeded.shopper.id),
        ("console", seeded.shopper.id),
        ("console", seeded.neighbour.id),
    ]


def test_a_permitted_member_shown_who_answered_something_for_shoppers_leaves_an_audit_line(
    app: Flask,
    client: FlaskClient,
    sessions: sessionmaker[Session],
    db: Session,
    seeded: Seeded,
) -> None:
    event, offer = seeded.ids["event_id"][0], seeded.ids["broadcast_id"][0]
    event_pages = [f"/staff/events/{event}{page}" for page in ("", "/sign-in", "/sign-in.csv")]
    blind = signed_in(app, sessions, "officer", sees=False)
    for page in event_pages:
        assert blind.client.get(page).status_code in (200, 403)
    assert blind.client.get(f"/staff/broadcasts/{offer}").status_code == 200
    assert shopper_views(db, blind.email) == []

    sees = signed_in(app, sessions, "viewer", sees=True)
    for page in event_pages:
        assert SHOPPER in sees.client.get(page).text, page
    assert SHOPPER in sees.client.get(f"/staff/broadcasts/{offer}").text
    headers = token(sessions, "viewer", sees=True)
    assert SHOPPER in client.get(f"/api/v1/events/{event}/rsvps", headers=headers).text
    assert client.get(f"/api/v1/broadcasts/{offer}", headers=headers).status_code == 200

    shopper, neighbour = seeded.shopper.id, seeded.neighbour.id  # both answered the event
    on_event_pages = [("console", shopper), ("console", neighbour)] * len(event_pages)
    assert shopper_views(db, sees.email) == [*on_event_pages, ("console", shopper)]
    api_views = [("api", shopper), ("api", neighbour), ("api", shopper)]
    assert shopper_views(db, "api-viewer-sees@fhg.example") == api_views


def test_a_permitted_token_reading_check_ins_writes_one_audit_line_per_shopper_named(
    client: FlaskClient, sessions: sessionmaker[Session], db: Session, seeded: Seeded
) -> None:
    blind = token(sessions, "viewer", sees=False)
    assert client.get("/api/v1/mystery-shopping/check-ins", headers=blind).status_code == 200
    assert shopper_views(db, "api-viewer-blind@fhg.example") == []

    headers = token(sessions, "viewer", sees=True)
    assert client.get("/api/v1/mystery-shopping/check-ins", headers=headers).status_code == 200
    assert client.get(f"/api/v1/tenants/{seeded.shopper.id}", headers=headers).status_code == 200

    assert shopper_views(db, "api-viewer-sees@fhg.example") == [
        ("api", seeded.shopper.id),
        ("api", seeded.shopper.id),
    ]
