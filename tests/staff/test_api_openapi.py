"""The OpenAPI document: valid, public, and exactly as wide as the API's routes.

APIFlask generates it from the migrated resources' schemas; the resources not
yet migrated are merged in from the hand-written part (staff/api/openapi.py).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from jsonschema_rs import ValidationError
from schemathesis.core.result import Err

METHODS = frozenset({"get", "put", "post", "patch", "delete"})
ROUTE_VARIABLE = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")  # <int(max=9):tenant_id> -> {tenant_id}
DOCUMENT_PAGES = "openapi."  # the document and its interactive page describe the API, not in it


def the_document(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.json


def operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method, path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    }


def api_routes(app: Flask) -> set[tuple[str, str]]:
    return {
        (method.lower(), ROUTE_VARIABLE.sub(r"{\1}", rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and not rule.endpoint.startswith(DOCUMENT_PAGES)
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }


def test_the_document_is_served_without_a_token_and_validates_as_openapi(
    client: FlaskClient,
) -> None:
    document = the_document(client)
    assert document["openapi"].startswith("3.")
    loaded = schemathesis.openapi.from_dict(document)
    loaded.validate()
    results = list(loaded.get_all_operations())
    assert [r.err() for r in results if isinstance(r, Err)] == []
    assert len(results) == len(operations(document))


def test_the_interactive_documentation_page_is_served_without_a_token(
    client: FlaskClient,
) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "/api/v1/openapi.json" in response.text


def test_the_validator_would_notice_a_broken_document(client: FlaskClient) -> None:
    broken = copy.deepcopy(the_document(client))
    broken["paths"]["/api/v1/tenants"]["get"]["responses"] = "none"
    with pytest.raises(ValidationError):
        schemathesis.openapi.from_dict(broken).validate()


def test_every_api_route_is_documented_and_every_documented_operation_is_a_route(
    app: Flask, client: FlaskClient
) -> None:
    documented = set(operations(the_document(client)))
    routes = api_routes(app)
    assert ("get", "/api/v1/tenants/{tenant_id}") in routes  # the conversion works
    assert routes - documented == set(), "routes missing from the document"
    assert documented - routes == set(), "documented operations with no route"


def test_every_path_variable_of_every_operation_is_documented(client: FlaskClient) -> None:
    document = the_document(client)
    parameters = document["components"].get("parameters", {})
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            declared = [*item.get("parameters", []), *operation.get("parameters", [])]
            resolved = [
                parameters[p["$ref"].rsplit("/", 1)[1]] if "$ref" in p else p for p in declared
            ]
            in_path = {p["name"] for p in resolved if p["in"] == "path"}
            assert in_path == set(re.findall(r"{(\w+)}", path)), (method, path)


def test_every_operation_needs_a_bearer_token_and_says_so(client: FlaskClient) -> None:
    document = the_document(client)
    assert document["security"] == [{"bearerAuth": []}]
    scheme = document["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    for (method, path), operation in operations(document).items():
        assert "security" not in operation, (method, path)
        assert "401" in operation["responses"], (method, path)
        if method != "get":
            assert "403" in operation["responses"], (method, path)


def test_every_error_response_is_the_error_schema(client: FlaskClient) -> None:
    document = the_document(client)
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["error", "status"]
    named = document["components"].get("responses", {})
    for (method, path), operation in operations(document).items():
        for status, response in operation["responses"].items():
            if int(status) < 400:
                continue
            resolved = named[response["$ref"].rsplit("/", 1)[1]] if "$ref" in response else response
            schema = resolved["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Error"}, (method, path, status)


def test_a_refusal_really_has_the_documented_error_shape(client: FlaskClient) -> None:
    response = client.get("/api/v1/areas")
    assert response.status_code == 401
    assert set(response.json) == {"error", "status"}


def test_every_schema_is_named_once(client: FlaskClient) -> None:
    """APIFlask names a schema it meets twice ``Area1``; the document must not show that."""
    names = set(the_document(client)["components"]["schemas"])
    renamed = {name for name in names if name.rstrip("0123456789") in names - {name}}
    assert renamed == set()
    assert "Area" in names and "AreaPage" in names  # a page and the item it nests


def test_every_path_id_is_required_and_bounded_as_the_routes_bound_it(client: FlaskClient) -> None:
    for (method, path), operation in operations(the_document(client)).items():
        for parameter in operation.get("parameters", []):
            if parameter.get("in") == "path":
                assert parameter["required"] is True, (method, path)
                assert parameter["schema"]["minimum"] == 1, (method, path)
                assert parameter["schema"]["maximum"] == 2**31 - 1, (method, path)


def test_a_body_the_schemas_describe_is_required(client: FlaskClient) -> None:
    bodies = {
        (method, path): operation["requestBody"]
        for (method, path), operation in operations(the_document(client)).items()
        if path.startswith("/api/v1/areas") and "requestBody" in operation
    }
    assert len(bodies) == 2
    assert all(body["required"] is True for body in bodies.values())


def test_a_refused_input_comes_in_the_error_envelope_naming_the_field(
    client: FlaskClient, api_token: Callable[[str], dict[str, str]]
) -> None:
    response = client.post(
        "/api/v1/areas", json={"name": "Dysart", "homes": "many"}, headers=api_token("officer")
    )
    assert response.status_code == 400
    assert response.json == {
        "error": "homes: must be a whole number from 0 to 1000000",
        "status": 400,
    }
