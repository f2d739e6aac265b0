"""Schemathesis sends every documented operation generated requests: none may get a 5xx.

Each answer with a documented status must also match its documented schema and
content type, so the document cannot drift from what the API really sends.

Requests are generated from the OpenAPI document, both fitting it and not
(wrong types, missing fields, values out of range), and carry an officer's
token, so writes are tried for real. The app is seeded with an area, a tenant,
their messages and an inbox item, and a third of the requests aim at those
rows, so that not every id is a 404.

Schemathesis's ``from_fixture`` integration, the one that could take the app
from a fixture per database, fails under pytest 9.2 (it writes
``Node._nodeid``, which pytest no longer has), so each operation is a plain
pytest case, named by method and path, driving schemathesis's strategies. The
operations are read, at collection, from the document of an app built for the
purpose: the document does not depend on the database.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance
from sqlalchemy import select
from sqlalchemy.orm import Session

from doorstep.app import create_app
from doorstep.config import Config
from models.messages import InboundRecord
from tests.factories import create_area, create_tenant
from tests.helpers import Phone


def the_document() -> dict[str, Any]:
    """The generated document, read before any database is up (parametrising needs it then)."""
    unused = Path(tempfile.gettempdir()) / "doorstep-document"  # nothing is written there
    config = Config(database_url="sqlite://", secret_key="document", instance_path=unused)
    app: Any = create_app(config)
    with app.test_request_context():
        document: dict[str, Any] = app.spec
    app.extensions["doorstep.engine"].dispose()
    return document


OPERATIONS = [
    (method.upper(), path)
    for path, item in the_document()["paths"].items()
    for method in item
    if method in ("get", "post", "patch", "put", "delete")
]
EXAMPLES_PER_OPERATION = 25
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def seeded_ids(db: Session, phone: Phone) -> dict[str, int]:
    """Rows for generated requests to find: the ids of an area, a tenant, an inbox item."""
    area = create_area(db, name="Templehall")
    tenant = create_tenant(db, name="Ann Example", phone=phone.number, area=area)
    db.commit()
    phone.text("The lift in my block is broken again")  # lands in the inbox
    message_id = db.scalar(select(InboundRecord.id).where(InboundRecord.inbox == "open"))
    assert message_id is not None
    return {"area_id": area.id, "tenant_id": tenant.id, "message_id": message_id}


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_generated_requests_get_no_server_error_and_answers_shaped_as_documented(
    app: Flask,
    seeded_ids: dict[str, int],
    api_token: Callable[[str], dict[str, str]],
    method: str,
    path: str,
) -> None:
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)[path][method]
    officer = api_token("officer")
    known = {name: id for name, id in seeded_ids.items() if f"{{{name}}}" in path}
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
        operation.as_strategy(GenerationMode.POSITIVE, path_parameters=known),
    )

    @given(case=cases)
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def call(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=officer, checks=CHECKS)

    call()
