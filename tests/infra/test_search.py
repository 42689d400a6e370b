"""Amazon OpenSearch Service: the domain's protections, who may reach it, how the code finds it."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import App
from aws_cdk.assertions import Annotations, Match

from chalicelib.core.bus_rules import BUS_RULES
from chalicelib.core.config import from_environ
from chalicelib.core.resources import RESOURCES
from infra.components.search import HTTP_ACTIONS, domain_name
from infra.config import InfraConfig
from tests.infra.conftest import Synthesized

_DOMAIN_ARN_PATTERN = [
    "arn:",
    {"Ref": "AWS::Partition"},
    ":es:",
    {"Ref": "AWS::Region"},
    ":",
    {"Ref": "AWS::AccountId"},
]


def _domain(synth: Synthesized) -> tuple[str, dict[str, Any]]:
    (found,) = synth.resources("AWS::OpenSearchService::Domain").items()
    return found


def _role_id(synth: Synthesized, which: str) -> str:
    stack = synth.stack
    role = stack.api.role if which == "api" else stack.functions.functions[which].role
    return synth.logical_id(role)


def _statements(synth: Synthesized, role_id: str) -> list[dict[str, Any]]:
    return [
        s
        for p in synth.resources("AWS::IAM::Policy").values()
        if {"Ref": role_id} in p["Properties"]["Roles"]
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _env(synth: Synthesized, which: str) -> dict[str, Any]:
    if which == "api":
        handler = synth.resources("AWS::Serverless::Function")["APIHandler"]
        return handler["Properties"]["Environment"]["Variables"]  # type: ignore[no-any-return]
    function_id = synth.logical_id(synth.stack.functions.functions[which])
    return synth.resources("AWS::Lambda::Function")[function_id]["Properties"]["Environment"]["Variables"]  # type: ignore[no-any-return]


def test_domain_encrypts_everything_and_speaks_only_https_tls12(synthesized: Synthesized) -> None:
    _, domain = _domain(synthesized)
    props = domain["Properties"]
    assert props["DomainName"] == "kumo-search"
    assert props["EngineVersion"].startswith("OpenSearch_")
    assert props["EncryptionAtRestOptions"] == {"Enabled": True}
    assert props["NodeToNodeEncryptionOptions"] == {"Enabled": True}
    assert props["DomainEndpointOptions"]["EnforceHTTPS"] is True
    assert props["DomainEndpointOptions"]["TLSSecurityPolicy"].startswith("Policy-Min-TLS-1-2")
    assert "VPCOptions" not in props  # public endpoint, closed by the access policy (see search.py)
    assert domain["DeletionPolicy"] == "Retain"


def test_fine_grained_access_control_by_iam_roles_only(synthesized: Synthesized) -> None:
    _, domain = _domain(synthesized)
    security = domain["Properties"]["AdvancedSecurityOptions"]
    assert security["Enabled"] is True
    assert security["InternalUserDatabaseEnabled"] is False
    assert security["AnonymousAuthEnabled"] is False
    # The master user is the indexer's role (an IAM ARN): no user name, no password anywhere.
    assert security["MasterUserOptions"] == {"MasterUserARN": {"Fn::GetAtt": [_role_id(synthesized, "indexer"), "Arn"]}}
    assert "MasterUserPassword" not in str(synthesized.json)
    # The stack's one secret is the unsubscribe links' key (MailLinkSecret), not a search password.
    secrets = synthesized.resources("AWS::SecretsManager::Secret")
    assert list(secrets) == [synthesized.logical_id(synthesized.stack.mail_links.secret)]


def test_access_policy_admits_exactly_the_api_and_the_indexer(synthesized: Synthesized) -> None:
    _, domain = _domain(synthesized)
    (statement,) = domain["Properties"]["AccessPolicies"]["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Principal"] == {
        "AWS": [
            {"Fn::GetAtt": [_role_id(synthesized, "api"), "Arn"]},
            {"Fn::GetAtt": [_role_id(synthesized, "indexer"), "Arn"]},
        ]
    }
    assert set(statement["Action"]) == set(HTTP_ACTIONS)
    assert statement["Resource"] == {"Fn::Join": ["", [*_DOMAIN_ARN_PATTERN, ":domain/kumo-search/*"]]}
    assert "Condition" not in statement
    assert "*" not in str(statement["Principal"]), "no anonymous or account-wide access"


def test_small_gp3_domain_zone_awareness_off_by_default(synthesized: Synthesized) -> None:
    _, domain = _domain(synthesized)
    props = domain["Properties"]
    cluster = props["ClusterConfig"]
    assert cluster["ZoneAwarenessEnabled"] is False
    assert cluster["DedicatedMasterEnabled"] is False
    assert cluster["InstanceCount"] == InfraConfig.search_data_nodes
    assert cluster["InstanceType"] == InfraConfig.search_instance_type
    assert props["EBSOptions"] == {"EBSEnabled": True, "VolumeSize": InfraConfig.search_volume_gb, "VolumeType": "gp3"}


def test_zone_aware_domain_from_context(unprotected: Synthesized) -> None:
    _, domain = _domain(unprotected)
    assert domain["Properties"]["DomainName"] == "kumo-test-search"
    cluster = domain["Properties"]["ClusterConfig"]
    assert cluster["ZoneAwarenessEnabled"] is True
    assert cluster["ZoneAwarenessConfig"] == {"AvailabilityZoneCount": 2}
    assert cluster["InstanceCount"] == 2
    assert domain["DeletionPolicy"] == "Delete"
    # Zone-aware: the OS7 suppression is not needed, so it is not there; nothing else is reported.
    suppressed = {r["id"] for r in domain["Metadata"]["cdk_nag"]["rules_to_suppress"]}
    assert suppressed == {"AwsSolutions-OS1", "AwsSolutions-OS3", "AwsSolutions-OS4"}
    errors = Annotations.from_stack(unprotected.stack).find_error("*", Match.string_like_regexp("AwsSolutions-.*"))
    assert [str(e.entry.data)[:80] for e in errors] == []


def test_zone_awareness_from_context() -> None:
    config = InfraConfig.from_context(App(context={"search_zone_awareness": "true", "search_data_nodes": "2"}))
    assert (config.search_zone_awareness, config.search_data_nodes) == (True, 2)
    assert InfraConfig.from_context(App()).search_zone_awareness is False


def test_slow_and_application_logs_reach_cloudwatch(synthesized: Synthesized) -> None:
    domain_id, domain = _domain(synthesized)
    publishing = domain["Properties"]["LogPublishingOptions"]
    assert set(publishing) == {"SEARCH_SLOW_LOGS", "INDEX_SLOW_LOGS", "ES_APPLICATION_LOGS"}
    groups = synthesized.resources("AWS::Logs::LogGroup")
    group_ids = set()
    for option in publishing.values():
        assert option["Enabled"] is True
        group_id = option["CloudWatchLogsLogGroupArn"]["Fn::GetAtt"][0]
        assert groups[group_id]["Properties"]["RetentionInDays"] == 365
        group_ids.add(group_id)
    # OpenSearch Service may write them (a plain resource policy, created before the domain).
    policies = synthesized.resources("AWS::Logs::ResourcePolicy")
    ((policy_id, policy),) = [(k, v) for k, v in policies.items() if "es.amazonaws.com" in str(v)]
    document = str(policy["Properties"]["PolicyDocument"])
    assert all(group_id in document for group_id in group_ids)
    assert "aws:SourceAccount" in document and ":domain/kumo-search" in document
    assert policy_id in domain["DependsOn"]


def test_no_custom_resource_lambda_for_the_domain(synthesized: Synthesized) -> None:
    """Access policy and log policy are plain properties/resources, not CDK's AwsCustomResource."""
    assert not synthesized.resources("Custom::OpenSearchAccessPolicy")
    assert not synthesized.resources("Custom::CloudwatchLogResourcePolicy")


@pytest.mark.parametrize("which", ["api", "indexer"])
def test_api_and_indexer_may_call_the_domain_and_nothing_wider(synthesized: Synthesized, which: str) -> None:
    domain_id, _ = _domain(synthesized)
    statements = [
        s
        for s in _statements(synthesized, _role_id(synthesized, which))
        if any(a.startswith("es:") for a in _list(s["Action"]))
    ]
    (statement,) = statements
    assert set(_list(statement["Action"])) == set(HTTP_ACTIONS)
    assert statement["Resource"] == {"Fn::Join": ["", [{"Fn::GetAtt": [domain_id, "Arn"]}, "/*"]]}


def test_no_other_role_may_call_the_domain(synthesized: Synthesized) -> None:
    allowed = {_role_id(synthesized, "api"), _role_id(synthesized, "indexer")}
    for policy in synthesized.resources("AWS::IAM::Policy").values():
        statements = policy["Properties"]["PolicyDocument"]["Statement"]
        if any(a.startswith("es:") for s in statements for a in _list(s["Action"])):
            assert {r["Ref"] for r in policy["Properties"]["Roles"]} <= allowed


@pytest.mark.parametrize("which", ["api", "indexer"])
def test_api_and_indexer_learn_the_https_endpoint_and_sign(synthesized: Synthesized, which: str) -> None:
    domain_id, _ = _domain(synthesized)
    env = _env(synthesized, which)
    assert env["KUMO_SEARCH_URL"] == {"Fn::Join": ["", ["https://", {"Fn::GetAtt": [domain_id, "DomainEndpoint"]}]]}
    assert env["KUMO_SEARCH_SIGV4"] == "1"
    settings = from_environ(
        {"KUMO_SEARCH_URL": "https://search.example", "KUMO_SEARCH_SIGV4": env["KUMO_SEARCH_SIGV4"]}
    )
    assert settings.search_sigv4 is True
    assert from_environ({}).search_sigv4 is False  # locally: plain HTTP to the local server


@pytest.mark.parametrize("which", ["notifier", "scanner", "scheduler"])
def test_other_functions_get_no_search_endpoint(synthesized: Synthesized, which: str) -> None:
    env = _env(synthesized, which)
    assert "KUMO_SEARCH_URL" not in env and "KUMO_SEARCH_SIGV4" not in env


def test_indexer_knows_the_api_role_to_map_in_the_security_plugin(synthesized: Synthesized) -> None:
    assert _env(synthesized, "indexer")["KUMO_SEARCH_API_ROLE_ARN"] == {
        "Fn::GetAtt": [_role_id(synthesized, "api"), "Arn"]
    }


def test_search_url_is_an_output(synthesized: Synthesized) -> None:
    domain_id, _ = _domain(synthesized)
    assert synthesized.json["Outputs"]["SearchUrl"]["Value"] == {
        "Fn::Join": ["", ["https://", {"Fn::GetAtt": [domain_id, "DomainEndpoint"]}]]
    }


def test_indexer_consumes_the_index_queue_fed_by_s3_and_the_bus(synthesized: Synthesized) -> None:
    assert RESOURCES.function("indexer").source_queue == "index"
    rule = BUS_RULES[[r.key for r in BUS_RULES].index("index-file-changes")]
    assert rule.target_queue == "index"
    assert (("s3:ObjectCreated:*", "s3:ObjectRemoved:*"), "index") in RESOURCES.bucket("files").notifications
    rule_props = synthesized.resources("AWS::Events::Rule")[
        synthesized.logical_id(synthesized.stack.messaging.rules["index-file-changes"])
    ]["Properties"]
    queue_id = synthesized.logical_id(synthesized.stack.messaging.queues["index"])
    assert [t["Arn"] for t in rule_props["Targets"]] == [{"Fn::GetAtt": [queue_id, "Arn"]}]


def test_a_dead_lettered_index_message_raises_an_alarm(synthesized: Synthesized) -> None:
    dlq_id = synthesized.logical_id(synthesized.stack.messaging.dead_letter_queues["index"])
    alarms = [
        a["Properties"]
        for a in synthesized.resources("AWS::CloudWatch::Alarm").values()
        if a["Properties"].get("Dimensions") == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [dlq_id, "QueueName"]}}]
    ]
    (alarm,) = alarms
    assert alarm["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert alarm["Threshold"] == 1 and alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"


@pytest.mark.parametrize("prefix", ["kumo", "kumo-test", "a" * 21])
def test_domain_name_is_valid_for_prefixes(prefix: str) -> None:
    assert domain_name(prefix).endswith("-search")


@pytest.mark.parametrize("prefix", ["a" * 22, "Kumo", "9kumo"])
def test_an_impossible_domain_name_fails_the_synth(prefix: str) -> None:
    with pytest.raises(ValueError, match="search domain name"):
        domain_name(prefix)
