"""The Chalice API: runtime, layer, settings, logs, tracing and what its role may do."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.core.resources import RESOURCES
from infra.components.auth import API_ACTIONS
from infra.config import PROJECT_ROOT
from layers.build import ARCHITECTURE, PYTHON_VERSION
from tests.infra.conftest import Synthesized


def _handler(synth: Synthesized) -> dict[str, Any]:
    return synth.resources("AWS::Serverless::Function")["APIHandler"]["Properties"]  # type: ignore[no-any-return]


def _role_statements(synth: Synthesized) -> list[dict[str, Any]]:
    """Every statement the API's role holds: its inline policies and the managed ones attached to it."""
    role_id = _handler(synth)["Role"]["Fn::GetAtt"][0]
    attached = synth.resources("AWS::IAM::Role")[role_id]["Properties"].get("ManagedPolicyArns", [])
    managed = synth.resources("AWS::IAM::ManagedPolicy")
    return [
        s
        for p in synth.resources("AWS::IAM::Policy").values()
        if {"Ref": role_id} in p["Properties"]["Roles"]
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ] + [
        s
        for logical_id, p in managed.items()
        if {"Ref": logical_id} in attached
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]


def _actions(statement: dict[str, Any]) -> set[str]:
    action = statement["Action"]
    return set(action) if isinstance(action, list) else {action}


def test_handler_runs_on_the_layers_runtime(synthesized: Synthesized) -> None:
    props = _handler(synthesized)
    assert props["Runtime"] == f"python{PYTHON_VERSION}"
    assert props["Architectures"] == [ARCHITECTURE]
    assert props["Layers"] == [{"Ref": synthesized.logical_id(synthesized.stack.layer.layer)}]
    assert props["Handler"] == "app.app"
    assert props["Tracing"] == "Active"


def test_handler_settings(synthesized: Synthesized, unprotected: Synthesized) -> None:
    env = _handler(synthesized)["Environment"]["Variables"]
    stack = synthesized.stack
    assert env["KUMO_PREFIX"] == "kumo"  # every table, queue and bus name derives from it
    assert env["KUMO_STAGE"] == "dev"
    assert env["KUMO_ACCOUNT"] == {"Ref": "AWS::AccountId"}
    assert env["KUMO_FILES_BUCKET"] == {"Ref": synthesized.logical_id(stack.storage.files)}
    assert env["KUMO_USER_POOL_ID"] == {"Ref": synthesized.logical_id(stack.auth.user_pool)}
    assert env["KUMO_USER_POOL_CLIENT_ID"] == {"Ref": synthesized.logical_id(stack.auth.client)}
    assert env["KUMO_FRONTEND_DIR"] == "/opt/python/frontend"
    assert env["KUMO_SECURE_COOKIES"] == "true"
    assert env["KUMO_MAIL_FROM"]
    assert env["POWERTOOLS_SERVICE_NAME"] == "kumo-api"
    assert _handler(unprotected)["Environment"]["Variables"]["KUMO_PREFIX"] == "kumo-test"


def test_chalice_stage_settings_come_from_chalice_config(synthesized: Synthesized) -> None:
    stage = json.loads((PROJECT_ROOT / ".chalice" / "config.json").read_text())["stages"]["dev"]
    props = _handler(synthesized)
    if "lambda_memory_size" in stage:
        assert props["MemorySize"] == stage["lambda_memory_size"]
    if "lambda_timeout" in stage:
        assert props["Timeout"] == stage["lambda_timeout"]
    for name, value in stage.get("environment_variables", {}).items():
        if not name.startswith("KUMO_"):  # KUMO_* settings are the stack's to set
            assert props["Environment"]["Variables"][name] == value


def test_handler_logs_to_its_own_log_group(synthesized: Synthesized) -> None:
    log_group_id = _handler(synthesized)["LoggingConfig"]["LogGroup"]["Ref"]
    assert synthesized.resources("AWS::Logs::LogGroup")[log_group_id]["Properties"]["RetentionInDays"] == 365


def test_rest_api_traces_throttles_and_keeps_access_logs(synthesized: Synthesized) -> None:
    (api,) = synthesized.resources("AWS::Serverless::Api").values()
    props = api["Properties"]
    assert props["TracingEnabled"] is True
    assert "DestinationArn" in props["AccessLogSetting"]
    (settings,) = props["MethodSettings"]
    assert settings["DataTraceEnabled"] is False  # request bodies (passwords) never logged
    assert settings["ThrottlingRateLimit"] > 0
    assert props["EndpointConfiguration"] == "REGIONAL"


def test_role_reaches_every_table_the_bucket_the_bus(synthesized: Synthesized) -> None:
    statements = _role_statements(synthesized)
    stack = synthesized.stack
    resources = [r for s in statements for r in (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])]
    for spec in RESOURCES.tables:
        assert {"Fn::GetAtt": [synthesized.logical_id(stack.tables.by_key[spec.key]), "Arn"]} in resources
    assert {"Fn::GetAtt": [synthesized.logical_id(stack.storage.files), "Arn"]} in resources
    (put_events,) = [s for s in statements if "events:PutEvents" in _actions(s)]
    assert put_events["Resource"] == {"Fn::GetAtt": [synthesized.logical_id(stack.messaging.bus), "Arn"]}


def test_role_signs_users_out_and_sends_mail_from_one_address(synthesized: Synthesized) -> None:
    statements = _role_statements(synthesized)
    (cognito,) = [s for s in statements if any(a.startswith("cognito-idp:") for a in _actions(s))]
    # Only what web requests use: sign-out. Creating, updating and deleting users is the CLI's,
    # with the operator's credentials.
    assert _actions(cognito) == set(API_ACTIONS) == {"cognito-idp:AdminUserGlobalSignOut"}
    assert cognito["Resource"] == {"Fn::GetAtt": [synthesized.logical_id(synthesized.stack.auth.user_pool), "Arn"]}
    (ses,) = [s for s in statements if "ses:SendEmail" in _actions(s)]
    assert ses["Condition"] == {"StringEquals": {"ses:FromAddress": synthesized.stack.config.mail_from}}


def test_outputs(synthesized: Synthesized) -> None:
    outputs = synthesized.json["Outputs"]
    for name in ("UserPoolId", "UserPoolClientId", "ApiUrl", "FilesBucketName", "EventBusName"):
        assert name in outputs, name
    assert "execute-api" in str(outputs["ApiUrl"]["Value"])


def test_unknown_paths_answer_404_with_security_headers(synthesized: Synthesized) -> None:
    api = synthesized.resources("AWS::Serverless::Api")["RestAPI"]["Properties"]
    response = api["GatewayResponses"]["MISSING_AUTHENTICATION_TOKEN"]
    assert response["StatusCode"] == "404"
    assert json.loads(response["ResponseTemplates"]["application/json"])["error"] == "not_found"
    headers = response["ResponseParameters"]["Headers"]
    assert headers["X-Content-Type-Options"] == "'nosniff'"
    assert "Strict-Transport-Security" in headers


def test_paths_no_route_matches_go_to_the_app(synthesized: Synthesized) -> None:
    """A greedy resource sends every unknown path to the app, which answers a page in the reader's
    language (or JSON under /api/), integrated exactly as Chalice integrates its own routes."""
    paths = synthesized.resources("AWS::Serverless::Api")["RestAPI"]["Properties"]["DefinitionBody"]["paths"]
    greedy = paths["/{proxy+}"]["x-amazon-apigateway-any-method"]
    assert greedy["parameters"] == [{"name": "proxy", "in": "path", "required": True, "type": "string"}]
    chalice_route = paths["/"]["get"]["x-amazon-apigateway-integration"]
    assert greedy["x-amazon-apigateway-integration"] == chalice_route
