"""CloudFormation's SAM transform accepts Chalice's resources with our overrides.

Needs aws-sam-translator (the library behind the AWS::Serverless transform), which is not in
requirements/dev.txt yet: skipped until it is.
"""

from __future__ import annotations

import json
from typing import Any
from unittest import mock

import pytest
from cfnlint.api import lint
from cfnlint.config import ManualArgs

from tests.infra.conftest import Synthesized
from tests.infra.test_cfn_lint import ALLOWED_WARNINGS


@pytest.fixture(scope="module")
def transformed(synthesized: Synthesized) -> dict[str, Any]:
    translator = pytest.importorskip("samtranslator.translator.transform")
    loader = pytest.importorskip("samtranslator.public.translator")
    policies = mock.Mock(spec=loader.ManagedPolicyLoader)
    policies.load.return_value = {}  # the template names no SAM policy templates
    with mock.patch.dict("os.environ", {"AWS_DEFAULT_REGION": synthesized.stack.config.region}):
        return dict(translator.transform(synthesized.json, {}, policies))


def _only(template: dict[str, Any], type_: str) -> dict[str, Any]:
    (resource,) = [r for r in template["Resources"].values() if r["Type"] == type_]
    return resource  # type: ignore[no-any-return]


def test_api_handler_keeps_runtime_layer_and_logs(transformed: dict[str, Any]) -> None:
    handler = transformed["Resources"]["APIHandler"]["Properties"]
    assert handler["Runtime"].startswith("python3.")
    assert handler["Layers"] and handler["LoggingConfig"]["LogGroup"]
    assert handler["TracingConfig"] == {"Mode": "Active"}


def test_stage_traces_and_logs_access(transformed: dict[str, Any]) -> None:
    stage = _only(transformed, "AWS::ApiGateway::Stage")["Properties"]
    assert stage["TracingEnabled"] is True
    assert stage["AccessLogSetting"]["DestinationArn"]
    assert stage["MethodSettings"][0]["DataTraceEnabled"] is False


def test_transformed_template_has_no_cfn_lint_error(transformed: dict[str, Any], synthesized: Synthesized) -> None:
    matches = lint(json.dumps(transformed), config=ManualArgs(regions=[synthesized.stack.config.region]))
    assert [f"{m.rule.id} {m.message}" for m in matches if m.rule.id not in ALLOWED_WARNINGS] == []
