"""The Chalice API (app.py), packaged by Chalice's own CDK construct.

Chalice emits SAM (AWS::Serverless::Function / ::Api) that CloudFormation transforms at
deploy time. What the SAM template does not say, this construct adds as property overrides:
the runtime and architecture the layer was built for, the layer, the log group, tracing and
access logs on the REST API. The role is ours (``manage_iam_role: false``), so every
permission of the API is granted here, in CDK, where the tests can see it.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from aws_cdk import CfnResource
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from cdk_nag import NagPackSuppression, NagSuppressions
from chalice.cdk import Chalice
from constructs import Construct

from chalicelib.accounts.middleware import security_headers
from chalicelib.core.error_pages import UNKNOWN_ROUTE
from chalicelib.core.errors import UNKNOWN_ROUTE_BODY, UNKNOWN_ROUTE_STATUS
from infra.components.runtime import Execution
from infra.config import (
    BUILD_DIR,
    LAMBDA_ARCHITECTURE,
    LOG_RETENTION,
    PROJECT_ROOT,
    RUNTIME,
    InfraConfig,
)
from layers.build import stage_api_source

API_FUNCTION = "APIHandler"  # logical ids in Chalice's SAM template
REST_API = "RestAPI"
CHALICE_WORKDIR = BUILD_DIR / "chalice"  # the construct writes chalice.out/ into the cwd
# Chalice packages a clean copy of the project (layers.build.stage_api_source says why).
CHALICE_SOURCE = CHALICE_WORKDIR / "src"
# Named, so the REST API's integrations can name it without a reference to the function: the
# function's KUMO_BASE_URL names the CloudFront distribution, whose origin is the REST API; a
# reference back from the API to the function would close that circle.
API_FUNCTION_NAME_SUFFIX = "api"
_FUNCTION_ARN_REF = "${APIHandler.Arn}"
THROTTLE_RATE = 50  # requests per second, per stage: a prefecture's staff, not the internet
THROTTLE_BURST = 100
_ACCESS_LOG_FORMAT = json.dumps(
    {
        "requestId": "$context.requestId",
        "ip": "$context.identity.sourceIp",
        "time": "$context.requestTime",
        "method": "$context.httpMethod",
        "path": "$context.path",
        "status": "$context.status",
        "length": "$context.responseLength",
        "latencyMs": "$context.responseLatency",
        "userAgent": "$context.identity.userAgent",
    }
)


def chalice_stage_config(stage: str) -> dict[str, Any]:
    """The stage's settings from .chalice/config.json (the construct would look up the
    stage under the CDK scope's path, "Kumo/Api", and find none)."""
    config = json.loads((PROJECT_ROOT / ".chalice" / "config.json").read_text())
    settings = dict(config.get("stages", {}).get(stage, {}))
    # Chalice's own log group for this option references a wrong logical id (chalice
    # 1.34: "${ApiHandler}"); the log group and its retention are declared below instead.
    settings.pop("log_retention_in_days", None)
    return settings


def _replace_in_strings(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, list):
        return [_replace_in_strings(v, old, new) for v in value]
    if isinstance(value, dict):
        return {k: _replace_in_strings(v, old, new) for k, v in value.items()}
    return value


@contextmanager
def _chalice_workdir() -> Iterator[None]:
    """Run the construct with build/chalice/ as cwd, so chalice.out/ lands there."""
    shutil.rmtree(CHALICE_WORKDIR / "chalice.out", ignore_errors=True)
    CHALICE_WORKDIR.mkdir(parents=True, exist_ok=True)
    previous = os.getcwd()
    os.chdir(CHALICE_WORKDIR)
    try:
        yield
    finally:
        os.chdir(previous)


class KumoApi(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: InfraConfig,
        environment: dict[str, str],
        layer_arn: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.execution = Execution(self, "Handler", config=config)
        self.execution.allow_tracing()
        self.role: iam.IRole = self.execution.role
        stage_settings = chalice_stage_config(config.stage)
        stage_config = {
            **stage_settings,
            "environment_variables": {
                "POWERTOOLS_SERVICE_NAME": "kumo-api",
                **stage_settings.get("environment_variables", {}),
                **environment,
            },
            "manage_iam_role": False,
            "iam_role_arn": self.role.role_arn,
            "xray": True,
            "api_gateway_endpoint_type": "REGIONAL",  # CloudFront sits in front of it
        }
        os.environ.setdefault("AWS_DEFAULT_REGION", config.region)  # Chalice needs one
        with _chalice_workdir():
            self.chalice = Chalice(
                self, "Chalice", source_dir=str(stage_api_source(CHALICE_SOURCE)), stage_config=stage_config
            )
        self.function_name = f"{config.prefix}-{API_FUNCTION_NAME_SUFFIX}"
        self._configure_function(layer_arn)
        self._configure_rest_api(config)
        self._integrate_by_name()

    @property
    def function(self) -> CfnResource:
        return self._resource(API_FUNCTION)

    @property
    def rest_api(self) -> CfnResource:
        return self._resource(REST_API)

    @property
    def url(self) -> str:
        return str(self.chalice.sam_template.get_output("EndpointURL").value)

    def _resource(self, logical_id: str) -> CfnResource:
        resource = self.chalice.get_resource(logical_id)
        assert isinstance(resource, CfnResource)
        return resource

    def _configure_function(self, layer_arn: str) -> None:
        function = self.function
        function.add_property_override("FunctionName", self.function_name)
        # Chalice picks the runtime of the Python running it; the layer is built for ours.
        function.add_property_override("Runtime", RUNTIME.name)
        function.add_property_override("Architectures", [LAMBDA_ARCHITECTURE.name])
        function.add_property_override("Layers", [layer_arn])
        function.add_property_override("LoggingConfig", {"LogGroup": self.execution.log_group.log_group_name})
        # The role's policy must exist before the function (CDK does the same for its own).
        function.node.add_dependency(self.execution.role.node.find_child("DefaultPolicy"))

    def _configure_rest_api(self, config: InfraConfig) -> None:
        access_logs = logs.LogGroup(self, "AccessLogs", retention=LOG_RETENTION, removal_policy=config.removal_policy)
        rest_api = self.rest_api
        rest_api.add_property_override("TracingEnabled", True)
        rest_api.add_property_override(
            "AccessLogSetting", {"DestinationArn": access_logs.log_group_arn, "Format": _ACCESS_LOG_FORMAT}
        )
        rest_api.add_property_override(
            "MethodSettings",
            [
                {
                    "ResourcePath": "/*",
                    "HttpMethod": "*",
                    "MetricsEnabled": True,
                    "LoggingLevel": "ERROR",
                    "DataTraceEnabled": False,  # no request bodies in logs
                    "ThrottlingRateLimit": THROTTLE_RATE,
                    "ThrottlingBurstLimit": THROTTLE_BURST,
                }
            ],
        )
        if config.apigw_cloudwatch_role:
            self._account_logging_role(rest_api)
        self._unknown_route_response(rest_api)

    def _integrate_by_name(self) -> None:
        """The REST API's integrations name the function by its ARN built from its name."""
        sam = json.loads((Path(self.chalice._sam_package_dir) / "sam.json").read_text())
        body = sam["Resources"][REST_API]["Properties"]["DefinitionBody"]
        arn = "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:" + self.function_name
        body = _replace_in_strings(body, _FUNCTION_ARN_REF, arn)
        home = body["paths"]["/"]["get"]["x-amazon-apigateway-integration"]
        body["paths"][UNKNOWN_ROUTE] = _unknown_paths_to_app(home)
        self.rest_api.add_property_override("DefinitionBody", body)

    def _unknown_route_response(self, rest_api: CfnResource) -> None:
        """A path with no route is a 404 in the app's shape, not API Gateway's 403.

        Declared on the SAM API itself (not as a separate GatewayResponse resource), so the
        API's definition body and its responses cannot drift apart.
        """
        rest_api.add_property_override(
            "GatewayResponses",
            {
                "MISSING_AUTHENTICATION_TOKEN": {
                    "StatusCode": str(UNKNOWN_ROUTE_STATUS),
                    "ResponseParameters": {
                        "Headers": {name: f"'{value}'" for name, value in security_headers(secure=True).items()}
                    },
                    "ResponseTemplates": {"application/json": UNKNOWN_ROUTE_BODY},
                }
            },
        )

    def _account_logging_role(self, rest_api: CfnResource) -> None:
        """API Gateway writes logs only once the region's account settings name a role."""
        role = iam.Role(
            self,
            "ApiGatewayLogging",
            assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"),
            managed_policies=[
                iam.ManagedPolicy.from_aws_managed_policy_name("service-role/AmazonAPIGatewayPushToCloudWatchLogs")
            ],
        )
        account = apigateway.CfnAccount(self, "ApiGatewayAccount", cloud_watch_role_arn=role.role_arn)
        rest_api.node.add_dependency(account)
        NagSuppressions.add_resource_suppressions(
            role,
            [
                NagPackSuppression(
                    id="AwsSolutions-IAM4",
                    reason="AmazonAPIGatewayPushToCloudWatchLogs is the policy AWS documents for API "
                    "Gateway's account-level logging role; it only writes CloudWatch Logs.",
                    applies_to=[
                        "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
                    ],
                )
            ],
        )


def _unknown_paths_to_app(integration: dict[str, Any]) -> dict[str, Any]:
    """Every path no route matches goes to the app (a greedy resource, integrated exactly as
    Chalice integrates its own routes), which answers a 404 page in the reader's language or JSON
    under /api/. API Gateway prefers a route's own resource, so this one only gets the rest; a
    known path with a method it lacks still gets the gateway response."""
    return {
        "x-amazon-apigateway-any-method": {
            "consumes": [],
            "produces": ["application/json"],
            "parameters": [{"name": "proxy", "in": "path", "required": True, "type": "string"}],
            "responses": {"200": {"description": "200 response", "schema": {"$ref": "#/definitions/Empty"}}},
            "x-amazon-apigateway-integration": integration,
        }
    }
