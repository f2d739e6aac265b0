"""A housing officer's day in a real browser: sign in, import, find a tenant, answer them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.messages import OutboundRecord
from tests.browser.conftest import ARTEFACTS
from tests.conftest import STAFF_PASSWORD, make_staff
from tests.helpers import Phone, authenticator_code

SAMPLE = Path(__file__).parents[2] / "doorstep" / "demo_tenants.csv"


def test_an_officer_imports_tenants_reads_a_thread_and_answers_from_the_inbox(
    page: Any, app: Flask, sessions: sessionmaker[Session], db: Session, phone: Phone
) -> None:
    make_staff(sessions, "officer@fhg.example", "officer")
    phone.text("Hi")
    phone.text("Morag Campbell")
    phone.text("1")  # yes, that is my name
    phone.text("Somewhere in Fife")
    phone.text("The close door on block 4 will not lock")

    page.goto("/staff/")
    page.get_by_label("Email").fill("officer@fhg.example")
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code").fill(authenticator_code(app, "officer@fhg.example"))
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Today").wait_for()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Tenants").click()
    page.get_by_role("link", name="Import tenants from the housing system").click()
    page.get_by_label("CSV file exported from the housing system").set_input_files(str(SAMPLE))
    page.get_by_role("button", name="Import").click()
    assert page.get_by_label("Import results").inner_text().startswith("7")

    page.get_by_role("link", name="All tenants").click()
    page.get_by_label("Name, phone number or estate").fill("Morag")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Morag Campbell").click()
    assert "The close door on block 4 will not lock" in page.content()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Inbox").click()
    page.get_by_label("Reply to Morag Campbell").fill(
        "Thanks Morag, a joiner will come on Thursday."
    )
    page.get_by_role("button", name="Send reply").click()
    page.get_by_text("Your reply is on its way").wait_for()
    page.screenshot(path=str(ARTEFACTS / "console-inbox-after-reply.png"), full_page=True)

    reply = db.scalars(select(OutboundRecord).order_by(OutboundRecord.id.desc())).first()
    assert reply is not None and reply.address == phone.number
    assert reply.body == "Thanks Morag, a joiner will come on Thursday."
