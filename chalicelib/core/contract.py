"""The JSON API's contract, declared next to each route and published as OpenAPI 3.1.

A JSON route says once, with `@operation(...)` under its `@bp.route(...)`, what it takes and what it
answers: the request body as a small frozen dataclass, the query as another, the success body as a
TypedDict (the same type the route's shaping function returns, so mypy holds the route to it). From
those types `openapi()` builds the document at `/api/openapi.json`; a unit test compares it with the
app's route table, so a route cannot be missing from the document nor the document name a route that
does not exist. The request body is checked against its type before the view runs (a wrong type is a
400 naming the field); the service still checks meaning (lengths, ranges, rights).

Only the standard library here: this module is imported by every JSON route, so it must cost no
cold-start time. The schema is built only when the document is asked for.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

from chalicelib.core.errors import BadRequest

V = TypeVar("V", bound=Callable[..., Any])
T = TypeVar("T")
Auth = Literal["staff", "anyone", "partner"]
ERROR_CODES = [
    "bad_request",
    "unauthenticated",
    "forbidden",
    "not_found",
    "conflict",
    "too_many_requests",
    "server_error",
]


@dataclass(frozen=True)
class Operation:
    summary: str
    body: type | None = None  # a dataclass: the JSON request body
    query: type | None = None  # a dataclass of str | None fields: the query parameters
    returns: Any = None  # the success body's type; None: no body
    status: int = 200
    auth: Auth = "staff"  # staff: a signed-in person; anyone: no session needed; partner: a share link's
    csv: bool = False  # also answers text/csv with ?format=csv
    tag: str = ""


def operation(
    summary: str,
    *,
    body: type | None = None,
    query: type | None = None,
    returns: Any = None,
    status: int = 200,
    auth: Auth = "staff",
    csv: bool = False,
    tag: str = "",
) -> Callable[[V], V]:
    """Declare a JSON route's contract (place it under `@bp.route`)."""
    declared = Operation(summary, body, query, returns, status, auth, csv, tag)

    def mark(view: V) -> V:
        view._kumo_operation = declared  # type: ignore[attr-defined]
        return view

    return mark


def declared(view: Callable[..., Any]) -> Operation | None:
    found = getattr(view, "_kumo_operation", None)
    real = getattr(view, "kumo_view", None)  # a route table stand-in (chalicelib/blueprints.py)
    if found is None and callable(real):
        found = getattr(real(), "_kumo_operation", None)
    return found if isinstance(found, Operation) else None


# --- checking a request body against its type ------------------------------------------------


def check_request(view: Callable[..., Any], request: Any) -> None:
    """Before a view runs: its declared body must have the declared JSON types."""
    op = declared(view)
    if op is not None and op.body is not None:
        from chalicelib.core import web

        check_body(op.body, web.json_body(request))


def check_body(model: type, data: dict[str, Any]) -> None:
    """Refuse a body whose fields have the wrong JSON type (meaning is the service's to check)."""
    hints = _hints(model)
    for field in dataclasses.fields(model):
        if field.name in data and not _conforms(data[field.name], hints[field.name]):
            raise BadRequest("{field} is not a valid value.", field=field.name)


def parse_body(model: type[T], data: dict[str, Any]) -> T:
    """The body as its dataclass: types checked, a field without a default required, unknown
    fields ignored. For routes whose fields have no meaningful absence (a revision, a comment)."""
    check_body(model, data)
    missing = [
        f.name
        for f in dataclasses.fields(model)  # type: ignore[arg-type]
        if f.name not in data and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]
    if missing:
        raise BadRequest("{field} is missing.", field=missing[0])
    return model(**{f.name: data[f.name] for f in dataclasses.fields(model) if f.name in data})  # type: ignore[arg-type]


@functools.cache
def _hints(model: type) -> dict[str, Any]:
    return typing.get_type_hints(model)


def _conforms(value: Any, tp: Any) -> bool:  # noqa: PLR0911 - one case per kind of type
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        return any(_conforms(value, arg) for arg in get_args(tp))
    if origin is Literal:
        return value in get_args(tp)
    if origin is list:
        (item,) = get_args(tp) or (Any,)
        return isinstance(value, list) and all(_conforms(v, item) for v in value)
    if origin is dict:
        return isinstance(value, dict)
    if tp is type(None) or tp is None:
        return value is None
    if tp in _JSON_TYPES:  # JSON has no bool among its numbers: true is not 1
        return isinstance(value, _JSON_TYPES[tp]) and (tp is bool or not isinstance(value, bool))
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):  # a nested object: its fields too
        hints = _hints(tp)
        return isinstance(value, dict) and all(
            _conforms(value[f.name], hints[f.name]) for f in dataclasses.fields(tp) if f.name in value
        )
    return True  # Any


_JSON_TYPES: dict[Any, tuple[type, ...]] = {str: (str,), int: (int,), float: (int, float), bool: (bool,)}


# --- JSON Schema from types ------------------------------------------------------------------


class _Schemas:
    """Named schemas collected while the document is built (components/schemas)."""

    def __init__(self) -> None:
        self.named: dict[str, dict[str, Any]] = {}
        self.owners: dict[str, Any] = {}

    def of(self, tp: Any) -> dict[str, Any]:  # noqa: PLR0911 - one case per kind of type
        origin = get_origin(tp)
        if tp is Any:
            return {}
        if tp is type(None) or tp is None:
            return {"type": "null"}
        simple = {str: "string", int: "integer", float: "number", bool: "boolean"}
        if tp in simple:
            return {"type": simple[tp]}
        if origin in (Union, types.UnionType):
            return {"anyOf": [self.of(arg) for arg in get_args(tp)]}
        if origin is Literal:
            return {"enum": list(get_args(tp))}
        if origin is list:
            (item,) = get_args(tp) or (Any,)
            return {"type": "array", "items": self.of(item)}
        if origin is dict:
            args = get_args(tp)
            return {"type": "object", "additionalProperties": self.of(args[1]) if args else {}}
        if typing.is_typeddict(tp) or dataclasses.is_dataclass(tp):
            return self._named(tp)
        raise TypeError(f"no JSON Schema for {tp!r}")

    def _named(self, tp: Any) -> dict[str, Any]:
        name = tp.__name__
        owner = self.owners.setdefault(name, tp)
        if owner is not tp:  # two shapes under one name: an answer would be checked against the other's
            raise TypeError(
                f"two API types are named {name}: {owner.__module__} and {tp.__module__}; give one another name"
            )
        if name not in self.named:
            self.named[name] = {}  # a placeholder, for types that refer to themselves
            hints = typing.get_type_hints(tp)
            if typing.is_typeddict(tp):
                required = sorted(tp.__required_keys__)
                # An answer has exactly these fields: the fuzz test flags any other.
                schema: dict[str, Any] = {"type": "object", "additionalProperties": False}
            else:
                required = [
                    f.name
                    for f in dataclasses.fields(tp)
                    if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
                ]
                schema = {"type": "object"}
            schema["properties"] = {key: self.of(value) for key, value in hints.items()}
            if required:
                schema["required"] = required
            if tp.__doc__ and not tp.__doc__.startswith(f"{name}("):
                schema["description"] = " ".join(tp.__doc__.split())
            self.named[name] = schema
        return {"$ref": f"#/components/schemas/{name}"}


def _error_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["error", "message"],
        "description": "Every error: a code, a message in the reader's language (Accept-Language or the "
        "kumo_lang cookie), and the message's placeholders (e.g. field: which field).",
        "properties": {"error": {"enum": ERROR_CODES}, "message": {"type": "string"}, "details": {"type": "object"}},
    }


def _parameters(path: str, query: type | None) -> list[dict[str, Any]]:
    params = [
        {"name": part[1:-1], "in": "path", "required": True, "schema": {"type": "string"}}
        for part in path.split("/")
        if part.startswith("{")
    ]
    if query is not None:
        params += [
            {
                "name": f.metadata.get("name", f.name),
                "in": "query",
                "required": False,
                "schema": {"type": "string"},
                **({"description": f.metadata["doc"]} if "doc" in f.metadata else {}),
            }
            for f in dataclasses.fields(query)
        ]
    return params


def _responses(op: Operation, schemas: _Schemas) -> dict[str, Any]:
    error = {
        "description": "An error",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    success: dict[str, Any] = {"description": op.summary}
    if op.returns is not None:
        success["content"] = {"application/json": {"schema": schemas.of(op.returns)}}
        if op.csv:
            success["content"]["text/csv"] = {"schema": {"type": "string"}}
    responses: dict[str, Any] = {str(op.status): success, "4XX": error}
    return responses


def _operation(method: str, path: str, op: Operation, schemas: _Schemas) -> dict[str, Any]:
    name = path.strip("/").replace("/", "_").replace("{", "").replace("}", "").replace("-", "_")
    doc: dict[str, Any] = {
        "operationId": f"{method.lower()}_{name}",
        "summary": op.summary,
        "responses": _responses(op, schemas),
    }
    if op.tag:
        doc["tags"] = [op.tag]
    params = _parameters(path, op.query)
    if params:
        doc["parameters"] = params
    if op.body is not None:
        doc["requestBody"] = {"required": False, "content": {"application/json": {"schema": schemas.of(op.body)}}}
    unsafe = method not in {"GET", "HEAD", "OPTIONS"}
    if op.auth == "anyone":
        doc["security"] = [{"csrf": []}] if unsafe else [{}]
    elif op.auth == "partner":
        doc["security"] = [{"partner": [], "csrf": []} if unsafe else {"partner": []}]
    else:
        doc["security"] = [{"session": [], "csrf": []} if unsafe else {"session": []}, {"bearer": []}]
    return doc


def routes(app: Any, prefix: str = "/api/") -> dict[tuple[str, str], Any]:
    """The app's JSON routes: (method, path) -> view function."""
    return {
        (method, path): entry.view_function
        for path, methods in app.routes.items()
        if path.startswith(prefix)
        for method, entry in methods.items()
    }


def openapi(app: Any, *, title: str, version: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document of every route under /api/ that declares its contract."""
    schemas = _Schemas()
    paths: dict[str, dict[str, Any]] = {}
    for (method, path), view in sorted(routes(app).items(), key=lambda item: (item[0][1], item[0][0])):
        op = declared(view)
        if op is not None:
            paths.setdefault(path, {})[method.lower()] = _operation(method, path, op, schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": title,
            "version": version,
            "description": "Kumo's JSON API. A browser signs in with POST /api/session (or the sign-in "
            "page) and sends the kumo_session cookie; every POST, PUT, PATCH and DELETE "
            "made with a cookie carries the session's CSRF token in X-CSRF-Token (before "
            "sign-in, the kumo_csrf cookie's value). Partners use /api/share/* with the "
            "partner cookie that POST /api/share/open sets; outside organisations answering a "
            "survey use /api/respond/* with the same cookie, opened by their respondent link.",
        },
        "paths": paths,
        "components": {
            "schemas": {"Error": _error_schema(), **dict(sorted(schemas.named.items()))},
            "securitySchemes": {
                "session": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "kumo_session",
                    "description": "The staff session (POST /api/session or the sign-in page).",
                },
                "csrf": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-CSRF-Token",
                    "description": "The session's CSRF token (csrf_token of POST /api/session), or before "
                    "sign-in the kumo_csrf cookie's value; needed by every unsafe method "
                    "sent with a cookie.",
                },
                "partner": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "kumo_share",
                    "description": "A partner's session on one share link (POST /api/share/open).",
                },
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "A Cognito access token, for scripts (no CSRF token needed).",
                },
            },
        },
    }
