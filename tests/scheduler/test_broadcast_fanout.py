"""A broadcast to a whole landlord's worth of tenants: 10,000 outbox rows, each tagged.

Functional, not timed: the tenants are inserted in bulk (as an import would), the
broadcast is sent through the API, and every row is queued and counted in the report.
"""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from models.messages import OutboundRecord
from models.tenants import Identity, Tenant
from tests.broadcast_helpers import create, report, send
from tests.helpers import Clock

TENANTS = 10_000
FIRST_ID = 100_001


def ten_thousand_tenants(sessions: sessionmaker[Session], clock: Clock) -> None:
    ids = range(FIRST_ID, FIRST_ID + TENANTS)
    with sessions.begin() as session:
        session.execute(
            insert(Tenant),
            [
                {
                    "id": n,
                    "name": f"Tenant {n}",
                    "phone": f"+44780{n:07d}",
                    "language": "pl" if n % 10 == 0 else "en",
                    "registered": True,
                    "created_at": clock(),
                    "updated_at": clock(),
                }
                for n in ids
            ],
        )
        session.execute(
            insert(Identity),
            [
                {
                    "tenant_id": n,
                    "channel": "sms",
                    "address": f"+44780{n:07d}",
                    "created_at": clock(),
                }
                for n in ids
            ],
        )


def test_a_broadcast_to_ten_thousand_tenants_queues_ten_thousand_tagged_rows(
    client: FlaskClient,
    db: Session,
    sessions: sessionmaker[Session],
    clock: Clock,
    api_token: Callable[[str], dict[str, str]],
) -> None:
    ten_thousand_tenants(sessions, clock)
    officer = api_token("officer")
    broadcast = create(
        client,
        officer,
        texts={
            "en": "Bin collections move to Tuesdays from April.",
            "pl": "Wywóz śmieci we wtorki.",
        },
    )
    preview = client.get(f"/api/v1/broadcasts/{broadcast['id']}/preview", headers=officer)
    assert preview.get_json()["by_channel"] == {"sms": TENANTS}

    sent = send(client, officer, broadcast["id"])
    assert sent["queued"] == TENANTS
    tagged = select(func.count()).where(OutboundRecord.broadcast_id == broadcast["id"])
    assert db.scalar(tagged) == TENANTS
    assert db.scalar(select(func.count(OutboundRecord.id))) == TENANTS
    assert report(client, officer, broadcast["id"])["queued"] == TENANTS
    polish = select(func.count()).where(OutboundRecord.body.contains("Wywóz"))
    assert db.scalar(polish) == TENANTS // 10
