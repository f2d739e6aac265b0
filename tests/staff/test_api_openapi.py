"""The OpenAPI document: valid, public, and exactly as wide as the API's routes."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from jsonschema_rs import ValidationError
from schemathesis.core.result import Err

METHODS = frozenset({"get", "put", "post", "patch", "delete"})
ROUTE_VARIABLE = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")  # <int(max=9):tenant_id> -> {tenant_id}


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
        if rule.rule.startswith("/api/v1/")
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
    parameters = document["components"]["parameters"]
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


def test_every_operation_but_the_document_needs_a_bearer_token_and_says_so(
    client: FlaskClient,
) -> None:
    document = the_document(client)
    assert document["security"] == [{"bearerAuth": []}]
    scheme = document["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    for (method, path), operation in operations(document).items():
        if path == "/api/v1/openapi.json":
            assert operation["security"] == []
            continue
        assert "security" not in operation, (method, path)
        assert "401" in operation["responses"], (method, path)
        if method != "get":
            assert "403" in operation["responses"], (method, path)


def test_every_error_response_is_the_error_schema(client: FlaskClient) -> None:
    document = the_document(client)
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["error", "status"]
    named = document["components"]["responses"]
    for (method, path), operation in operations(document).items():
        for status, response in operation["responses"].items():
            if int(status) < 400:
                continue
            resolved = named[response["$ref"].rsplit("/", 1)[1]]
            schema = resolved["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Error"}, (method, path, status)


def test_a_refusal_really_has_the_documented_error_shape(client: FlaskClient) -> None:
    response = client.get("/api/v1/areas")
    assert response.status_code == 401
    assert set(response.json) == {"error", "status"}
