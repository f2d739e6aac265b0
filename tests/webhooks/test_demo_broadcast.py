"""The demo path for a notice: an officer writes it in the console, sees who it reaches,
what it costs and how a basic phone shows it, sends it, the dispatcher delivers it
through the phone simulator, and the delivery report counts every one delivered."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from channels.simulator import SimulatorSms
from doorstep.demo import load_demo
from scheduler.dispatcher import Dispatcher
from tests.broadcast_helpers import deliver_all
from tests.helpers import Clock, StaffBrowser

ANN = "07700 900101"
NOTICE = "The community hall is closed on Friday for repairs. Sorry for the trouble."


def test_an_officer_sends_a_notice_to_the_demo_tenants_and_sees_it_delivered(
    client: FlaskClient,
    sessions: sessionmaker[Session],
    clock: Clock,
    staff_as: Callable[[str], StaffBrowser],
) -> None:
    with sessions.begin() as session:
        load_demo(session)
    officer = staff_as("officer")
    written = officer.submit(
        "/staff/broadcasts/new",
        "/staff/broadcasts/new",
        {"kind": "notice", "text_en": NOTICE, "everyone": "y", "topic": "news"},
    )
    assert written.status_code == 302, written.text
    page_path = written.headers["Location"]
    before = officer.client.get(page_path).text
    recipients = int(re.search(r'id="recipients">(\d+)<', before).group(1))  # type: ignore[union-attr]
    assert recipients == 6  # seven demo tenants; one has only a landline
    assert "1 SMS segment, GSM-7" in before
    # five English readers at 1 segment; Dariusz reads Polish, not written: the English
    # with the Polish note on its own line, 2 segments
    assert "£0.28 (at £0.040 a segment)" in before
    assert f"Fife Housing Group: {NOTICE}</pre>" in before

    broadcast_id = page_path.rstrip("/").rsplit("/", 1)[1]
    sent = officer.submit(page_path, f"/staff/broadcasts/{broadcast_id}/send", {})
    assert sent.status_code == 302
    deliver_all(Dispatcher(sessions, {"sms": SimulatorSms()}, clock))

    thread = client.get("/simulator/thread", query_string={"phone": ANN}).get_json()
    assert thread["messages"][-1]["text"] == f"Fife Housing Group: {NOTICE}"
    report = officer.client.get(f"/staff/broadcasts/{broadcast_id}/report.json").get_json()
    assert report["delivered"] == recipients
    assert report["queued"] == report["failed"] == report["opted_out"] == 0
    after = officer.client.get(page_path).text
    assert f'<td data-column="delivered">{recipients}</td>' in after
