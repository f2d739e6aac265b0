"""Injection strings in every string field of the staff API, found from its OpenAPI document.

Scenario 6 reads /api/v1/openapi.json from the running server, so a string field
added to the API later is attacked without anyone listing it here. Each string
goes into one field at a time of an otherwise valid request (the required fields
filled with good values), so it reaches the code that would store it instead of
stopping at the first missing field. Pass: no 5xx; tenants, areas and inspections
still hold every row; and whatever was stored is shown escaped, never raw, on the
console page that shows it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from markupsafe import escape
from sqlalchemy.exc import SQLAlchemyError

from resilience.harness import Database, Result, fictional_number

OPENAPI = "/api/v1/openapi.json"
PAYLOADS = (
    "'; DROP TABLE tenants; --",
    '" OR 1=1 --',
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "{{7*7}}",
    "${7*7}",
    "NUL\x00byte",
    "<i>" + "A" * 1993 + "</i>",  # 2,000 characters
)
# The resources the suite makes first, so paths and bodies have ids to point at.
SEEDED = (
    ("/api/v1/areas", "area_id"),
    ("/api/v1/tenants", "tenant_id"),
    ("/api/v1/inspections", "inspection_id"),
    ("/api/v1/events", "event_id"),
    ("/api/v1/broadcasts", "broadcast_id"),
    ("/api/v1/polls", "poll_id"),
)
COUNTED_TABLES = {
    "/api/v1/tenants": "tenants",
    "/api/v1/areas": "areas",
    "/api/v1/inspections": "inspections",
}
Made = dict[str, Any]
# Where the console shows what each write stored (signed in as staff).
CONSOLE_PAGES: dict[str, Callable[[dict[str, int], Made], str]] = {
    "/api/v1/tenants": lambda ids, made: f"/staff/tenants/{made['id']}",
    "/api/v1/tenants/{tenant_id}": lambda ids, made: f"/staff/tenants/{made['id']}",
    "/api/v1/areas": lambda ids, made: "/staff/areas/",
    "/api/v1/areas/{area_id}": lambda ids, made: "/staff/areas/",
    "/api/v1/inbox/{message_id}/reply": lambda ids, made: f"/staff/tenants/{made['tenant_id']}",
    "/api/v1/inspections": lambda ids, made: f"/staff/inspections/{made['id']}",
    "/api/v1/inspections/{inspection_id}": lambda ids, made: f"/staff/inspections/{made['id']}",
    "/api/v1/inspections/{inspection_id}/findings": (
        lambda ids, made: f"/staff/inspections/{ids['inspection_id']}"
    ),
    "/api/v1/events": lambda ids, made: f"/staff/events/{made['id']}",
    "/api/v1/events/{event_id}/rsvps": lambda ids, made: f"/staff/events/{ids['event_id']}",
    "/api/v1/issue-reports": lambda ids, made: "/staff/inspections/",
    "/api/v1/mystery-shopping/check-ins": lambda ids, made: "/staff/mystery-shopping/",
    "/api/v1/events/{event_id}": lambda ids, made: f"/staff/events/{made['id']}",
    "/api/v1/polls": lambda ids, made: f"/staff/polls/{made['id']}",
    "/api/v1/broadcasts": lambda ids, made: f"/staff/broadcasts/{made['id']}",
    "/api/v1/repairs": lambda ids, made: "/staff/repairs/",
    "/api/v1/repairs/outcomes": lambda ids, made: "/staff/repairs/",
}
# Fields whose good value is not one a schema's type alone can give.
GOOD_VALUES: dict[str, Callable[[datetime], Any]] = {
    "audience": lambda soon: {"everyone": True},
    "texts": lambda soon: {"en": "A notice from the fault suite"},
    "options": lambda soon: ["Yes", "No"],
    "ends_at": lambda soon: (soon + timedelta(hours=2)).isoformat().replace("+00:00", "Z"),
    "completed_at": lambda soon: datetime.now(UTC).isoformat().replace("+00:00", "Z"),
}
ECHOED_AS = {"text": "body"}  # a reply's text comes back as the message's body


@dataclass(frozen=True)
class Target:
    """One string field of one operation: a query parameter or a JSON body property."""

    method: str
    path: str
    place: str  # "query" or "body"
    name: str
    listed: bool = False  # an array of strings: the string goes in as its one item
    body: Made = field(default_factory=dict, hash=False, compare=False)

    def label(self, payload: str) -> str:
        return f"{self.method} {self.path} {self.place} {self.name}={payload[:28]!r}"


@dataclass
class Tally:
    sent: int = 0
    fields: int = 0
    operations: int = 0
    stored: int = 0
    statuses: Counter[int] = field(default_factory=Counter)


# -- reading the document -----------------------------------------------------------


def resolve(document: Made, schema: Made) -> Made:
    while "$ref" in schema:
        node: Any = document
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def is_text(document: Made, schema: Made) -> bool:
    schema = resolve(document, schema)
    if any(is_text(document, branch) for branch in schema.get("anyOf", [])):
        return True
    kind = schema.get("type")
    return kind == "string" or (isinstance(kind, list) and "string" in kind)


def string_fields(document: Made) -> list[Target]:
    """Every query parameter and JSON body property of type string (or a list of strings)."""
    found = []
    for path, operations in document["paths"].items():
        shared = operations.get("parameters", [])
        for method, operation in operations.items():
            if method == "parameters":
                continue
            for parameter in (
                resolve(document, p) for p in shared + operation.get("parameters", [])
            ):
                if parameter["in"] == "query" and is_text(document, parameter.get("schema", {})):
                    found.append(Target(method.upper(), path, "query", parameter["name"]))
            content = operation.get("requestBody", {}).get("content", {})
            body = resolve(document, content.get("application/json", {}).get("schema", {}))
            for name, schema in body.get("properties", {}).items():
                schema = resolve(document, schema)
                if is_text(document, schema):
                    found.append(Target(method.upper(), path, "body", name, body=body))
                elif schema.get("type") == "array" and is_text(document, schema.get("items", {})):
                    found.append(Target(method.upper(), path, "body", name, True, body))
    return found


# -- good values around the bad one ----------------------------------------------------


def good_body(document: Made, body: Made, ids: dict[str, int], serial: int) -> Made:
    """The body's required fields, each with a value the API accepts."""
    return {
        name: good_value(document, name, body["properties"][name], ids, serial)
        for name in body.get("required", [])
    }


def good_value(document: Made, name: str, schema: Made, ids: dict[str, int], serial: int) -> Any:
    schema = resolve(document, schema)
    soon = datetime.now(UTC) + timedelta(days=30, minutes=serial)
    if name in ids:
        return ids[name]
    if name in GOOD_VALUES:
        return GOOD_VALUES[name](soon)
    if name == "phone":
        return fictional_number(2000 + serial)
    if schema.get("format") == "date-time":
        return soon.isoformat().replace("+00:00", "Z")
    if schema.get("format") == "date":
        return soon.date().isoformat()
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "string":
        return f"Resilience {serial}"
    if kind == "integer":
        return schema.get("minimum", 0)
    if kind == "boolean":
        return False
    return [] if kind == "array" else None


def filled(path: str, ids: dict[str, int]) -> str | None:
    """The documented path with its ids in, or None if the suite has no such id."""
    names = re.findall(r"\{(\w+)\}", path)
    if any(name not in ids for name in names):
        return None
    return re.sub(r"\{(\w+)\}", lambda m: str(ids[m[1]]), path)


def seed(api: requests.Session, url: str, document: Made, db: Database) -> dict[str, int]:
    """An area, a tenant, a walk, an event, a broadcast, a poll and an inbox message: what the
    paths point at."""
    ids: dict[str, int] = {}
    for path, name in SEEDED:
        schema = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]
        body = good_body(document, resolve(document, schema["schema"]), ids, serial=0)
        made = api.post(url + path, json=body, timeout=30)
        if made.status_code != 201:
            raise RuntimeError(
                f"could not make the {name} to attack: {made.status_code} {made.text}"
            )
        ids[name] = made.json()["id"]
    message = db.scalar(
        "SELECT id FROM inbound_messages WHERE inbox IS NOT NULL AND tenant_id IS NOT NULL "
        "ORDER BY id LIMIT 1"
    )
    if message is not None:
        ids["message_id"] = message
    return ids


def table_counts(db: Database, result: Result) -> dict[str, int]:
    counts = {}
    for table in COUNTED_TABLES.values():
        try:
            counts[table] = db.scalar(f"SELECT count(*) FROM {table}")  # noqa: S608 - our names
        except SQLAlchemyError as exc:
            result.problems.append(f"table {table} unreadable after injection: {exc!r}"[:200])
    return counts


# -- the attack --------------------------------------------------------------------------


def every_api_field(
    url: str, db: Database, browser: requests.Session, token: str, result: Result
) -> Tally:
    """Each payload into each string field in turn, as an officer; then the checks."""
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {token}"
    document = requests.get(url + OPENAPI, timeout=30).json()
    targets = string_fields(document)
    attack = Attack(url, api, browser, document, seed(api, url, document, db), result)
    attack.tally.fields = len(targets)
    attack.tally.operations = len({(t.method, t.path) for t in targets})
    before = table_counts(db, result)
    for target in targets:
        path = filled(target.path, attack.ids)
        if path is None:
            result.problems.append(f"no id to put in {target.path}: seed one in injection.py")
            continue
        for payload in PAYLOADS:
            attack.send(target, url + path, payload)
    after = table_counts(db, result)
    for table, count in before.items():
        wanted = count + attack.made_rows[table]
        result.check(after.get(table) == wanted, f"{table}: {after.get(table)} rows, not {wanted}")
    return attack.tally


@dataclass
class Attack:
    """One officer's API session and console session, and what their requests did."""

    url: str
    api: requests.Session
    browser: requests.Session
    document: Made
    ids: dict[str, int]
    result: Result
    tally: Tally = field(default_factory=Tally)
    made_rows: Counter[str] = field(default_factory=Counter)

    def send(self, target: Target, address: str, payload: str) -> None:
        self.tally.sent += 1
        if target.place == "query":
            params = {target.name: payload}
            response = self.api.request(target.method, address, params=params, timeout=30)
        else:
            body = good_body(self.document, target.body, self.ids, serial=self.tally.sent)
            body[target.name] = [payload] if target.listed else payload
            response = self.api.request(target.method, address, json=body, timeout=30)
        status = response.status_code
        self.tally.statuses[status] += 1
        self.result.check(status < 500, f"{target.label(payload)}: {status}")
        if status == 201 and target.path in COUNTED_TABLES:
            self.made_rows[COUNTED_TABLES[target.path]] += 1
        if 200 <= status < 300 and target.place == "body" and not target.listed:
            self.tally.stored += self.shown_escaped(target, response.json())

    def shown_escaped(self, target: Target, made: Made) -> int:
        """1 if the write kept a string, after checking its console page shows it escaped."""
        stored = made.get(ECHOED_AS.get(target.name, target.name))
        if not isinstance(stored, str) or not stored:
            return 0
        label = target.label(stored)
        page_for = CONSOLE_PAGES.get(target.path)
        if page_for is None:
            self.result.problems.append(f"{label}: stored, but no console page known for it")
            return 1
        address = page_for(self.ids, made)
        page = self.browser.get(self.url + address, timeout=30)
        if page.status_code != 200:
            self.result.problems.append(f"{label}: {address} answered {page.status_code}")
            return 1
        shown = str(escape(stored))
        self.result.check(shown in page.text, f"{label}: stored but not shown escaped on {address}")
        if shown != stored:
            self.result.check(stored not in page.text, f"{label}: shown raw on {address}")
        return 1
