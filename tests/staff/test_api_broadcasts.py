"""The broadcasts API: drafts, the preview's count, segments and cost, sending, and its
refusals, each with a reason."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.broadcast_helpers import create, send
from tests.factories import create_area, create_tenant

Headers = Callable[[str], dict[str, str]]


@pytest.fixture
def officer(api_token: Headers) -> dict[str, str]:
    return api_token("officer")


def test_a_draft_is_saved_with_pasted_typography_repaired_and_nothing_queued(
    client: FlaskClient, db: Session, officer: dict[str, str]
) -> None:
    create_tenant(db)
    db.commit()
    made = create(client, officer, texts={"en": "It\u2019s bin day \u2014 Tuesday"})
    assert made["texts"] == {"en": "It's bin day - Tuesday"}
    assert (made["status"], made["kind"], made["topic"]) == ("draft", "notice", "news")
    assert made["report"]["total"] == 0
    listed = client.get("/api/v1/broadcasts", headers=officer).get_json()
    assert [item["id"] for item in listed["items"]] == [made["id"]]


def test_the_preview_gives_the_count_by_channel_segments_per_language_and_the_cost(
    client: FlaskClient, db: Session, officer: dict[str, str]
) -> None:
    methil, leven = create_area(db, name="Methil"), create_area(db, name="Leven")
    create_tenant(db, area=methil)
    create_tenant(db, area=methil, language="pl")
    create_tenant(db, area=methil, channels=("telegram",))
    create_tenant(db, area=leven)
    db.commit()
    made = create(
        client,
        officer,
        texts={"en": "Lifts off on Monday.", "pl": "Windy nieczynne w poniedziałek \U0001f6d7"},
        audience={"area_ids": [methil.id]},
    )
    preview = client.get(f"/api/v1/broadcasts/{made['id']}/preview", headers=officer).get_json()
    assert preview["by_channel"] == {"sms": 2, "telegram": 1}
    assert preview["recipients"] == 3
    english, polish, *unwritten = preview["languages"]
    assert [(english["in_english"], polish["in_english"])] == [(False, False)]
    assert all(other["in_english"] for other in unwritten)  # English, with the note
    assert (english["encoding"], english["segments"], english["forcing_ucs2"]) == ("GSM-7", 1, [])
    assert polish["encoding"] == "UCS-2"
    assert polish["forcing_ucs2"] == ["ł", "\U0001f6d7"]
    assert preview["sms_segments"] == 2  # one SMS tenant in each language, Telegram is free
    assert preview["cost"] == 0.08
    assert preview["problems"] == []


def test_sending_twice_is_a_conflict(
    client: FlaskClient, db: Session, officer: dict[str, str]
) -> None:
    create_tenant(db)
    db.commit()
    made = create(client, officer)
    assert send(client, officer, made["id"])["queued"] == 1
    again = client.post(f"/api/v1/broadcasts/{made['id']}/send", headers=officer)
    assert again.status_code == 409


def test_a_text_over_two_segments_is_refused_when_sent(
    client: FlaskClient, db: Session, officer: dict[str, str]
) -> None:
    create_tenant(db)
    db.commit()
    made = create(client, officer, texts={"en": "The lifts are being replaced. " * 12})
    refused = client.post(f"/api/v1/broadcasts/{made['id']}/send", headers=officer)
    assert refused.status_code == 422
    assert "keep it to 2" in refused.get_json()["error"]


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        ({"texts": {"en": "Hi"}, "audience": {}}, 422, "choose everyone"),
        ({"texts": {"pl": "Cześć"}, "audience": {"everyone": True}}, 422, "in English"),
        ({"texts": {"xx": "Hi"}, "audience": {"everyone": True}}, 400, "not a language"),
        ({"texts": {"en": "Hi"}, "audience": {"roles": ["king"]}}, 400, "audience.roles"),
        ({"texts": {"en": "Hi\x00"}, "audience": {"everyone": True}}, 400, "control"),
        ({"texts": {"en": "Hi"}, "audience": {"everyone": True}, "topic": "x"}, 400, "topic"),
        ({"texts": {"en": "Hi"}}, 400, "audience: required"),
        ({"texts": {"en": "Hi"}, "audience": {"area_ids": [999]}}, 422, "no area 999"),
        ({"texts": {"en": "Hi"}, "audience": {"channels": ["fax"]}}, 400, "audience.channels"),
        ({"texts": {"en": "Hi"}, "audience": {"towns": [1]}}, 400, "audience.towns"),
        ({"texts": "Hi", "audience": {"everyone": True}}, 400, "texts: must be an object"),
        ({"texts": {"en": "Hi"}, "audience": {"everyone": 1}}, 400, "audience.everyone"),
        ({"texts": {"en": "Hi"}, "audience": {"everyone": True}, "urgent": "no"}, 400, "urgent"),
    ],
)
def test_a_bad_draft_is_refused_with_a_reason(
    client: FlaskClient,
    officer: dict[str, str],
    body: dict[str, object],
    status: int,
    reason: str,
) -> None:
    refused = client.post("/api/v1/broadcasts", json=body, headers=officer)
    assert refused.status_code == status
    assert reason in refused.get_json()["error"]


def test_a_send_at_without_a_time_zone_is_refused(
    client: FlaskClient, db: Session, officer: dict[str, str]
) -> None:
    create_tenant(db)
    db.commit()
    made = create(client, officer)
    refused = client.post(
        f"/api/v1/broadcasts/{made['id']}/send",
        json={"send_at": "2026-03-04T10:00"},
        headers=officer,
    )
    assert refused.status_code == 422
    past = client.post(
        f"/api/v1/broadcasts/{made['id']}/send",
        json={"send_at": "2020-01-01T10:00Z"},
        headers=officer,
    )
    assert past.status_code == 422


def test_a_viewer_reads_but_may_not_write(
    client: FlaskClient, db: Session, api_token: Headers, officer: dict[str, str]
) -> None:
    create_tenant(db)
    db.commit()
    made = create(client, officer)
    viewer = api_token("viewer")
    assert client.get(f"/api/v1/broadcasts/{made['id']}", headers=viewer).status_code == 200
    body = {"texts": {"en": "Hi"}, "audience": {"everyone": True}}
    assert client.post("/api/v1/broadcasts", json=body, headers=viewer).status_code == 403
    assert client.post(f"/api/v1/broadcasts/{made['id']}/send", headers=viewer).status_code == 403


def test_sending_with_no_body_at_all_sends_now_but_a_body_must_be_an_object(
    client: FlaskClient, db: Session, officer: dict[str, str]
) -> None:
    create_tenant(db)
    db.commit()
    made = create(client, officer)
    path = f"/api/v1/broadcasts/{made['id']}/send"

    words = client.post(path, data="now please", content_type="text/plain", headers=officer)
    listed = client.post(path, json=["now"], headers=officer)
    unknown = client.post(path, json={"when": "now"}, headers=officer)
    sent = client.post(path, headers=officer)

    for refused in (words, listed):
        assert refused.status_code == 400
        assert refused.get_json() == {"error": "send a JSON object", "status": 400}
    assert unknown.status_code == 400 and "when: unknown field" in unknown.get_json()["error"]
    assert sent.status_code == 200, sent.get_json()
    assert (sent.get_json()["status"], sent.get_json()["queued"]) == ("sent", 1)


def test_the_document_says_only_a_send_may_leave_its_body_out(client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    bodies = {
        item[method]["operationId"]: item[method]["requestBody"]["required"]
        for path, item in paths.items()
        if path.startswith("/api/v1/broadcasts")
        for method in item
        if "requestBody" in item[method]
    }
    assert bodies == {"createBroadcast": True, "sendBroadcast": False}


def test_a_draft_answers_with_where_to_read_it_and_every_field_in_its_format(
    client: FlaskClient, db: Session, officer: dict[str, str]
) -> None:
    methil = create_area(db, name="Methil")
    db.commit()
    response = client.post(
        "/api/v1/broadcasts",
        json={
            "texts": {"en": "Lifts off on Monday.", "pl": "Windy nieczynne."},
            "audience": {"area_ids": [methil.id], "channels": ["sms", "sms"]},
        },
        headers=officer,
    )

    assert response.status_code == 201, response.get_json()
    made = response.get_json()
    assert response.headers["Location"] == f"/api/v1/broadcasts/{made['id']}"
    report = {
        "queued": 0,
        "sent": 0,
        "delivered": 0,
        "failed": 0,
        "opted_out": 0,
        "unreachable": 0,
        "total": 0,
    }
    assert made == {
        "id": made["id"],
        "kind": "notice",
        "status": "draft",
        "texts": {"en": "Lifts off on Monday.", "pl": "Windy nieczynne."},
        "audience": {
            "everyone": False,
            "area_ids": [methil.id],
            "roles": [],
            "tenant_ids": [],
            "channels": ["sms"],
            "roles_withheld": False,
        },
        "unmatched": [],
        "topic": "news",
        "urgent": False,
        "call_landlines": False,
        "send_at": None,
        "sent_at": None,
        "queued": 0,
        "created_at": made["created_at"],
        "report": report,
    }
    read = client.get(f"/api/v1/broadcasts/{made['id']}", headers=officer).get_json()
    assert read == {**made, "volunteers": [], "volunteer_count": 0, "answerers_withheld": False}


def test_the_document_keeps_every_operation_id_of_broadcasts(client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]

    named = {
        operation["operationId"]
        for path, item in paths.items()
        if path.startswith("/api/v1/broadcasts")
        for operation in item.values()
    }

    assert named == {
        "listBroadcasts",
        "createBroadcast",
        "getBroadcast",
        "previewBroadcast",
        "sendBroadcast",
        "getBroadcastReport",
        "resendFailedBroadcast",
    }
