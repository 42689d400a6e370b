"""The OpenAPI document and the app's route table are one: no undocumented route, no documented ghost."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from chalicelib.core import contract
from chalicelib.core.errors import BadRequest


def _app() -> Any:
    import app as kumo_app

    return kumo_app.app


def _document() -> dict[str, Any]:
    return contract.openapi(_app(), title="Kumo API", version="1")


def test_every_api_route_is_documented_and_every_documented_operation_exists() -> None:
    routes = {(method.lower(), path) for method, path in contract.routes(_app())}
    documented = {(method, path) for path, item in _document()["paths"].items() for method in item}
    assert routes, "no routes under /api/"
    assert routes - documented == set(), "routes missing from the OpenAPI document"
    assert documented - routes == set(), "documented operations the app does not have"


def test_the_json_routes_of_every_blueprint_are_there() -> None:
    paths = _document()["paths"]
    for path in (
        "/api/session",
        "/api/departments/{department_id}/notices",
        "/api/notifications",
        "/api/files/uploads",
        "/api/search",
        "/api/shares/{link_id}/audit",
        "/api/share/uploads",
        "/api/openapi.json",
    ):
        assert path in paths, path


def test_the_document_is_openapi_3_1_with_error_shape_and_security() -> None:
    doc = _document()
    assert doc["openapi"] == "3.1.0"
    json.dumps(doc)  # plain JSON
    assert doc["components"]["schemas"]["Error"]["required"] == ["error", "message"]
    assert set(doc["components"]["securitySchemes"]) == {"session", "csrf", "partner", "bearer"}
    upload = doc["paths"]["/api/files/uploads"]["post"]
    assert upload["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/NewUpload"}
    assert doc["components"]["schemas"]["NewUpload"]["properties"]["size"] == {"type": "integer"}
    assert set(doc["components"]["schemas"]["NewUpload"]["required"]) == {"folder_id", "name", "size"}
    assert upload["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/TicketOut"
    }
    assert upload["responses"]["4XX"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert upload["security"] == [{"session": [], "csrf": []}, {"bearer": []}]
    assert doc["paths"]["/api/share"]["get"]["security"] == [{"partner": []}]
    entry = doc["components"]["schemas"]["EntryOut"]
    assert entry["additionalProperties"] is False
    assert entry["properties"]["content_type"] == {"anyOf": [{"type": "string"}, {"type": "null"}]}
    summary = doc["components"]["schemas"]["SummaryOut"]
    assert set(summary["required"]) == {"kind", "gates", "department", "expires_at"}
    search = doc["paths"]["/api/search"]["get"]
    assert {p["name"] for p in search["parameters"]} >= {"q", "from", "to", "page"}
    audit = doc["paths"]["/api/shares/{link_id}/audit"]["get"]["responses"]["200"]["content"]
    assert set(audit) == {"application/json", "text/csv"}


def test_schemathesis_reads_the_document_and_finds_every_operation() -> None:
    schemathesis = pytest.importorskip("schemathesis")
    schema = schemathesis.openapi.from_dict(_document())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == len(contract.routes(_app()))


@dataclass(frozen=True)
class _Body:
    name: str
    size: int
    tags: list[str] | None = None
    inline: bool | None = None


@pytest.mark.parametrize(
    "body",
    [
        {"name": 1, "size": 1},
        {"name": "a", "size": "1"},
        {"name": "a", "size": True},
        {"name": "a", "size": 1.5},
        {"name": None, "size": 1},
        {"name": "a", "size": 1, "tags": ["x", 2]},
        {"name": "a", "size": 1, "inline": "yes"},
    ],
)
def test_a_body_field_of_the_wrong_type_is_a_400_naming_it(body: dict[str, Any]) -> None:
    with pytest.raises(BadRequest) as raised:
        contract.check_body(_Body, body)
    assert raised.value.details["field"] in body


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": "a"},
        {"name": "a", "size": 3, "tags": None, "inline": False, "other": {"x": 1}},
        {"name": "a", "size": 3, "tags": ["x"]},
    ],
)
def test_missing_and_unknown_fields_are_left_to_the_service(body: dict[str, Any]) -> None:
    contract.check_body(_Body, body)


def test_two_api_types_of_one_name_are_refused_when_the_document_is_built() -> None:
    """Schemas are named by class: a second type of the same name would have one route's answer
    checked against the other's shape (projects' and surveys' BoardOut once did)."""
    from typing import TypedDict

    class BoardOut(TypedDict):
        rows: list[str]

    first = contract._Schemas()
    first.of(BoardOut)
    assert first.of(BoardOut) == {"$ref": "#/components/schemas/BoardOut"}

    class Other(TypedDict):
        cards: list[str]

    Other.__name__ = "BoardOut"
    with pytest.raises(TypeError, match="two API types are named BoardOut"):
        first.of(Other)
