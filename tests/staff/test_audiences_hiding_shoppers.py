"""Events, notices and polls aimed at mystery shoppers, as staff without the admin's leave
meet them: the role is not offered, is refused when sent anyway (from a form or the API),
stays in an audience they change, and is described only as "a role not shown to you".
Who answered one is counted but never named to them (tests/staff/test_shopper_anonymity.py
walks every page for that), and they may not answer for a tenant there (mark who came, enter
a paper vote), since what is accepted would say who answered. Staff with the leave choose,
read and enter it as before; an audience of any other role is named to everyone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.broadcasts import Broadcast
from models.events import Event
from models.polls import Poll
from models.tenants import Area, Tenant
from tests.conftest import make_staff
from tests.factories import create_tenant
from tests.helpers import Clock, Phone, StaffBrowser
from tests.staff.shopper_leave import let_see_shoppers

Staff = Callable[[str], StaffBrowser]
Headers = dict[str, str]
NOT_SHOWN = "Tenants with a role not shown to you"
REFUSED = "Only staff an admin lets see mystery shoppers may choose that role."
WHY = "this is for tenants with a role only staff an admin allows may see"
WITHHELD = f"Who answered is not shown: {WHY}."
NOT_YOURS_TO_MARK = f"You cannot mark who came here: {WHY}."
NOT_YOURS_TO_ENTER = f"You cannot enter a paper or phone answer here: {WHY}."
DURING_THE_EVENT = datetime(2026, 3, 20, 15, 0, tzinfo=UTC)
EVENT = {
    "title": "Tea and a catch-up",
    "kind": "community",
    "starts_at": "2026-03-20T14:00:00Z",
    "ends_at": "2026-03-20T16:00:00Z",
    "venue": "Methil Community Hall",
}
EVENT_FORM = {
    "title": "Tea and a catch-up",
    "kind": "community",
    "day": "2026-03-20",
    "at": "14:00",
    "until": "16:00",
    "venue": "Methil Community Hall",
    "most_per_party": "1",
    "repeat_months": "1",
}
CONSOLE_FORMS: dict[str, dict[str, Any]] = {
    "/staff/events/new": EVENT_FORM,
    "/staff/broadcasts/new": {
        "kind": "notice",
        "text_en": "Tea at the hall on Friday.",
        "topic": "news",
    },
    "/staff/polls/new": {
        "question": "Which evening suits you?",
        "options": "Tuesday\nThursday",
        "day": "2026-03-31",
        "at": "17:00",
        "reminder_days": "0",
    },
}


def sees_shoppers(db: Session, browser: StaffBrowser) -> StaffBrowser:
    let_see_shoppers(db, browser.email)
    return browser


def permitted_token(sessions: sessionmaker[Session], db: Session) -> Headers:
    email = "booker@fhg.example"
    issued = make_staff(sessions, email, "officer")
    let_see_shoppers(db, email)
    return {"Authorization": f"Bearer {issued}"}


def book_for(client: FlaskClient, headers: Headers, roles: list[str]) -> int:
    booked = client.post(
        "/api/v1/events", json={**EVENT, "audience": {"roles": roles}}, headers=headers
    )
    assert booked.status_code == 201, booked.json
    return int(booked.json["id"])  # type: ignore[index]


def tenant_holding(db: Session, phone: Phone, area: Area, role: str) -> Tenant:
    """Ann Smith of Methil, texting from the ``phone`` fixture's number, with this role."""
    tenant = create_tenant(db, name="Ann Smith", phone=phone.number, area=area)
    tenant.set_roles({role})
    db.commit()
    return tenant


def coming_by_sms(phone: Phone) -> None:
    assert "Are you coming?" in phone.text("EVENTS")[0]
    assert phone.text("1")[0].startswith("Thank you, see you at Tea and a catch-up")


def stored_roles(db: Session, event_id: int) -> list[str]:
    db.expire_all()
    return sorted(db.get_one(Event, event_id).audience.roles)


def counted(db: Session) -> tuple[int, int, int]:
    db.expire_all()
    return tuple(len(db.scalars(select(kind)).all()) for kind in (Event, Broadcast, Poll))  # type: ignore[return-value]


@pytest.mark.parametrize("form", list(CONSOLE_FORMS))
def test_staff_without_the_leave_are_offered_every_role_but_the_mystery_shoppers(
    staff_as: Staff, db: Session, form: str
) -> None:
    blind = staff_as("officer").client.get(form).text
    sees = sees_shoppers(db, staff_as("officer")).client.get(form).text

    assert 'value="resident_inspector"' in blind and 'value="mystery_shopper"' not in blind
    assert "Mystery shoppers" not in blind
    assert 'value="mystery_shopper"' in sees and "Mystery shoppers" in sees


@pytest.mark.parametrize("form", list(CONSOLE_FORMS))
def test_the_shopper_role_sent_anyway_from_a_console_form_is_refused_with_the_reason(
    staff_as: Staff, db: Session, form: str
) -> None:
    officer = staff_as("officer")

    refused = officer.submit(form, form, {**CONSOLE_FORMS[form], "roles": ["mystery_shopper"]})

    assert refused.status_code == 422
    assert REFUSED in refused.text
    assert counted(db) == (0, 0, 0)


def test_an_officer_who_cannot_see_shoppers_changes_an_event_for_them_and_the_role_stays(
    client: FlaskClient, sessions: sessionmaker[Session], db: Session, staff_as: Staff
) -> None:
    event_id = book_for(client, permitted_token(sessions, db), ["mystery_shopper"])
    officer = staff_as("officer")
    edit = f"/staff/events/{event_id}/edit"

    form = officer.client.get(edit).text
    moved = officer.submit(edit, edit, {**EVENT_FORM, "venue": "Methil Library"})

    assert "Also for tenants with a role not shown to you; that stays as it is." in form
    assert 'value="mystery_shopper"' not in form
    assert moved.status_code == 302, moved.text
    assert stored_roles(db, event_id) == ["mystery_shopper"]
    page = officer.client.get(f"/staff/events/{event_id}").text
    assert "Methil Library" in page and f"<dd>{NOT_SHOWN}</dd>" in page


def test_a_role_added_by_an_officer_who_cannot_see_shoppers_joins_the_one_kept(
    client: FlaskClient, sessions: sessionmaker[Session], db: Session, staff_as: Staff
) -> None:
    event_id = book_for(client, permitted_token(sessions, db), ["mystery_shopper"])
    officer = staff_as("officer")
    edit = f"/staff/events/{event_id}/edit"

    added = officer.submit(edit, edit, {**EVENT_FORM, "roles": ["resident_inspector"]})

    assert added.status_code == 302, added.text
    assert stored_roles(db, event_id) == ["mystery_shopper", "resident_inspector"]
    blind = officer.client.get(f"/staff/events/{event_id}").text
    sees = sees_shoppers(db, staff_as("viewer")).client.get(f"/staff/events/{event_id}").text
    assert "Tenants with a role: Resident inspectors, or one not shown to you" in blind
    assert "Tenants with a role: Mystery shoppers, Resident inspectors" in sees


def test_an_audience_of_shoppers_in_one_area_reads_as_neither_everyone_nor_the_whole_area(
    client: FlaskClient, sessions: sessionmaker[Session], db: Session, staff_as: Staff, methil: Area
) -> None:
    headers = permitted_token(sessions, db)
    shoppers_here = {"area_ids": [methil.id], "roles": ["mystery_shopper"]}
    notice = client.post(
        "/api/v1/broadcasts",
        json={"texts": {"en": "Tea on Friday."}, "audience": shoppers_here},
        headers=headers,
    )
    poll = client.post(
        "/api/v1/polls",
        json={
            "question": "Which evening suits you?",
            "options": ["Tuesday", "Thursday"],
            "closes_at": "2026-03-31T17:00:00Z",
            "audience": shoppers_here,
        },
        headers=headers,
    )
    assert notice.status_code == poll.status_code == 201
    viewer = staff_as("viewer")

    for page in (f"/staff/broadcasts/{notice.json['id']}", f"/staff/polls/{poll.json['id']}"):  # type: ignore[index]
        shown = viewer.client.get(page).text
        assert "Tenants in Methil with a role not shown to you" in shown
        assert "Mystery shopper" not in shown
        assert "Everyone registered" not in shown and "Everyone in Methil" not in shown


def test_a_token_without_the_leave_cannot_aim_at_shoppers_in_any_body(
    client: FlaskClient, db: Session, api_token: Callable[[str], Headers]
) -> None:
    headers = api_token("officer")
    shoppers = {"roles": ["resident_inspector", "mystery_shopper"]}
    bodies = {
        "/api/v1/events": {**EVENT, "audience": shoppers},
        "/api/v1/broadcasts": {"texts": {"en": "Tea on Friday."}, "audience": shoppers},
        "/api/v1/polls": {
            "question": "Which evening suits you?",
            "options": ["Tuesday", "Thursday"],
            "closes_at": "2026-03-31T17:00:00Z",
            "audience": shoppers,
        },
    }

    for path, body in bodies.items():
        refused = client.post(path, json=body, headers=headers)
        assert refused.status_code == 403, path
        assert "only staff an admin lets see shoppers may choose mystery_shopper" in refused.text
    assert counted(db) == (0, 0, 0)


def test_a_token_without_the_leave_changes_an_event_for_shoppers_and_reads_the_role_as_withheld(
    client: FlaskClient,
    sessions: sessionmaker[Session],
    db: Session,
    api_token: Callable[[str], Headers],
) -> None:
    permitted = permitted_token(sessions, db)
    event_id = book_for(client, permitted, ["mystery_shopper"])
    blind = api_token("officer")

    read = client.get(f"/api/v1/events/{event_id}", headers=blind).json
    changed = client.patch(
        f"/api/v1/events/{event_id}", json={"audience": {"roles": ["tra_rep"]}}, headers=blind
    )
    listed = client.get("/api/v1/events", headers=blind).json

    assert read is not None and listed is not None
    assert read["audience"] == {
        "everyone": False,
        "area_ids": [],
        "roles": [],
        "tenant_ids": [],
        "roles_withheld": True,
    }
    assert changed.status_code == 200, changed.json
    assert changed.json["audience"]["roles"] == ["tra_rep"]  # type: ignore[index]
    assert changed.json["audience"]["roles_withheld"] is True  # type: ignore[index]
    assert listed["items"][0]["audience"]["roles"] == ["tra_rep"]
    assert stored_roles(db, event_id) == ["mystery_shopper", "tra_rep"]
    seen = client.get(f"/api/v1/events/{event_id}", headers=permitted).json
    assert seen is not None
    assert seen["audience"]["roles"] == ["mystery_shopper", "tra_rep"]
    assert seen["audience"]["roles_withheld"] is False


def test_a_token_without_the_leave_reads_a_notice_and_a_poll_for_shoppers_as_withheld(
    client: FlaskClient,
    sessions: sessionmaker[Session],
    db: Session,
    api_token: Callable[[str], Headers],
    methil: Area,
) -> None:
    permitted = permitted_token(sessions, db)
    shoppers_here = {"area_ids": [methil.id], "roles": ["mystery_shopper"]}
    notice = client.post(
        "/api/v1/broadcasts",
        json={"texts": {"en": "Tea on Friday."}, "audience": shoppers_here},
        headers=permitted,
    ).json
    poll = client.post(
        "/api/v1/polls",
        json={
            "question": "Which evening suits you?",
            "options": ["Tuesday", "Thursday"],
            "closes_at": "2026-03-31T17:00:00Z",
            "audience": shoppers_here,
        },
        headers=permitted,
    ).json
    assert notice is not None and poll is not None
    blind = api_token("officer")
    withheld = {"everyone": False, "area_ids": [methil.id], "roles": [], "roles_withheld": True}

    read_notice = client.get(f"/api/v1/broadcasts/{notice['id']}", headers=blind).json
    listed_notices = client.get("/api/v1/broadcasts", headers=blind).json
    read_poll = client.get(f"/api/v1/polls/{poll['id']}", headers=blind).json
    listed_polls = client.get("/api/v1/polls", headers=blind).json
    seen = client.get(f"/api/v1/polls/{poll['id']}", headers=permitted).json

    assert read_notice is not None and listed_notices is not None
    assert read_poll is not None and listed_polls is not None and seen is not None
    notice_withheld = {**withheld, "tenant_ids": [], "channels": []}
    assert read_notice["audience"] == listed_notices["items"][0]["audience"] == notice_withheld
    assert read_poll["audience"] == listed_polls["items"][0]["audience"] == withheld
    assert seen["audience"] == {**withheld, "roles": ["mystery_shopper"], "roles_withheld": False}


def test_only_staff_the_admin_allows_mark_who_came_at_an_event_for_shoppers(
    client: FlaskClient,
    sessions: sessionmaker[Session],
    db: Session,
    staff_as: Staff,
    api_token: Callable[[str], Headers],
    phone: Phone,
    methil: Area,
    clock: Clock,
) -> None:
    shopper = tenant_holding(db, phone, methil, "mystery_shopper")
    permitted = permitted_token(sessions, db)
    event_id = book_for(client, permitted, ["mystery_shopper"])
    coming_by_sms(phone)
    clock.now = DURING_THE_EVENT
    officer, blind = staff_as("officer"), api_token("officer")
    page, marked = f"/staff/events/{event_id}", f"/api/v1/events/{event_id}/attendance"

    shown = officer.client.get(page).text
    by_form = officer.submit(page, f"{page}/attendance", {"came": [shopper.id]})
    by_token = client.post(marked, json={"tenant_ids": [shopper.id]}, headers=blind)
    stranger = client.post(marked, json={"tenant_ids": [shopper.id + 1]}, headers=blind)
    allowed = client.post(marked, json={"tenant_ids": [shopper.id]}, headers=permitted)

    assert WITHHELD in shown and "Tick everyone who came" not in shown
    assert by_form.status_code == 403 and NOT_YOURS_TO_MARK in by_form.text
    assert by_token.status_code == stranger.status_code == 403, "a 422 would say who answered"
    assert f"you cannot mark who came here: {WHY}" in by_token.text
    assert allowed.status_code == 200 and allowed.json == {"marked": 1, "attended": 1}


def test_only_staff_the_admin_allows_enter_a_paper_vote_in_a_poll_for_shoppers(
    client: FlaskClient,
    sessions: sessionmaker[Session],
    db: Session,
    staff_as: Staff,
    api_token: Callable[[str], Headers],
    phone: Phone,
    methil: Area,
) -> None:
    shopper = tenant_holding(db, phone, methil, "mystery_shopper")
    permitted = permitted_token(sessions, db)
    poll = client.post(
        "/api/v1/polls",
        json={
            "question": "Which evening suits you?",
            "options": ["Tuesday", "Thursday"],
            "closes_at": "2026-03-31T17:00:00Z",
            "audience": {"roles": ["mystery_shopper"]},
        },
        headers=permitted,
    ).json
    assert poll is not None
    officer = staff_as("officer")
    page, votes = f"/staff/polls/{poll['id']}", f"/api/v1/polls/{poll['id']}/votes"
    vote = {"tenant_id": shopper.id, "option": 1, "source": "phone"}

    shown = officer.client.get(page).text
    by_form = officer.submit(
        page, f"{page}/votes", {"tenant": phone.number, "choice": "0", "source": "phone"}
    )
    by_token = client.post(votes, json=vote, headers=api_token("officer"))
    allowed = client.post(votes, json=vote, headers=permitted)
    results = client.get(f"/api/v1/polls/{poll['id']}/results", headers=permitted).json

    assert NOT_YOURS_TO_ENTER in shown and "Record the vote" not in shown
    assert by_form.status_code == 403 and NOT_YOURS_TO_ENTER in by_form.text
    assert by_token.status_code == 403, "whether it replaced a vote would say who answered"
    assert f"you cannot enter a paper or phone answer here: {WHY}" in by_token.text
    assert allowed.status_code == 201 and allowed.json is not None
    assert allowed.json["replaced"] is None, "the refused votes were not counted"
    assert results is not None and results["took_part"] == 1


def test_who_answered_an_event_for_another_role_is_named_to_staff_without_the_leave(
    client: FlaskClient,
    db: Session,
    staff_as: Staff,
    api_token: Callable[[str], Headers],
    phone: Phone,
    methil: Area,
) -> None:
    tenant_holding(db, phone, methil, "resident_inspector")
    headers = api_token("officer")
    event_id = book_for(client, headers, ["resident_inspector"])
    coming_by_sms(phone)
    viewer = staff_as("viewer")

    pages = [f"/staff/events/{event_id}{page}" for page in ("", "/sign-in", "/sign-in.csv")]
    shown = [viewer.client.get(page) for page in pages]
    rsvps = client.get(f"/api/v1/events/{event_id}/rsvps", headers=headers).json

    for page, answer in zip(pages, shown, strict=True):
        assert answer.status_code == 200 and "Ann Smith" in answer.text, page
        assert WITHHELD not in answer.text
    assert rsvps is not None and rsvps["answerers_withheld"] is False
    assert [rsvp["tenant"]["name"] for rsvp in rsvps["items"]] == ["Ann Smith"]
