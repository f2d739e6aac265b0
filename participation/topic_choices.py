"""Staff set which topics a tenant gets, for a tenant who asked them in person or by phone.

Each change goes to the consent log like a tenant's own STOP EVENTS, with who made it
as its source; the audit line is the caller's (console or API).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.orm import Session

from models.consent import set_topic, topics_of

STAFF_WORDING = "staff"
"""The consent log's wording version for a choice staff entered: the tenant saw no text."""


def change_topics(
    session: Session, tenant_id: int, wanted: Mapping[str, bool], *, source: str, now: datetime
) -> dict[str, bool]:
    """Set the topics in ``wanted`` that differ from now; the changes made, topic by topic."""
    changed = {
        topic: on for topic, on in wanted.items() if topics_of(session, tenant_id)[topic] != on
    }
    for topic, on in changed.items():
        set_topic(
            session,
            tenant_id=tenant_id,
            topic=topic,
            granted=on,
            source=source,
            wording_version=STAFF_WORDING,
            now=now,
        )
    return changed


def described(changed: Mapping[str, bool]) -> str:
    """The audit line's detail: 'events off, news on'."""
    return ", ".join(f"{topic} {'on' if on else 'off'}" for topic, on in changed.items())
