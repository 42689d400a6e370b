"""The front door: CloudFront (static files from S3, the app uncached), the web ACL on the API stage,
and the settings every function is given (checked against chalicelib/core/config.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.core import assets
from chalicelib.core.config import REQUIRED_OUTSIDE_LOCAL, from_environ
from infra.components import frontdoor
from infra.components.functions import function_specs
from tests.infra.conftest import OTHER_CERTIFICATE, OTHER_DOMAIN, OTHER_ORIGIN, Synthesized

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # AWS managed cache policy
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"  # AWS managed origin request policy


def _distribution(synth: Synthesized) -> dict[str, Any]:
    (distribution,) = synth.resources("AWS::CloudFront::Distribution").values()
    return distribution["Properties"]["DistributionConfig"]  # type: ignore[no-any-return]


def _origin(config: dict[str, Any], origin_id: str) -> dict[str, Any]:
    (origin,) = [o for o in config["Origins"] if o["Id"] == origin_id]
    return origin  # type: ignore[no-any-return]


def _environments(synth: Synthesized) -> dict[str, dict[str, Any]]:
    """Every function's environment (the API's and each event function's), by name."""
    stack = synth.stack
    envs = {"api": synth.resources("AWS::Serverless::Function")["APIHandler"]["Properties"]["Environment"]["Variables"]}
    functions = synth.resources("AWS::Lambda::Function")
    for spec in function_specs():
        envs[spec.key] = functions[synth.logical_id(stack.functions.functions[spec.key])]["Properties"]["Environment"][
            "Variables"
        ]
    return envs


def test_pages_and_the_api_are_never_cached_and_get_cookies_queries_and_headers(synthesized: Synthesized) -> None:
    config = _distribution(synthesized)
    default = config["DefaultCacheBehavior"]
    assert default["CachePolicyId"] == CACHING_DISABLED
    assert default["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST_HEADER  # cookies, query strings, headers
    assert set(default["AllowedMethods"]) == {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
    assert default["ViewerProtocolPolicy"] == "redirect-to-https"
    api = _origin(config, default["TargetOriginId"])
    assert api["DomainName"]["Fn::Join"][1][0] == {"Ref": "RestAPI"}
    assert api["OriginPath"] == f"/{frontdoor.API_STAGE}"
    assert api["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    (header,) = api["OriginCustomHeaders"]
    assert header == {
        "HeaderName": frontdoor.ORIGIN_VERIFY_HEADER,
        "HeaderValue": {"Fn::Select": [2, {"Fn::Split": ["/", {"Ref": "AWS::StackId"}]}]},
    }
    (association,) = default["FunctionAssociations"]
    assert association["EventType"] == "viewer-request"
    (function,) = synthesized.resources("AWS::CloudFront::Function").values()
    code = function["Properties"]["FunctionCode"]
    assert f"headers['{frontdoor.VIEWER_IP_HEADER}'] = {{ value: event.viewer.ip }}" in code
    # The audit log records that address, not the edge server's (chalicelib/core/web.py client_ip).
    assert _environments(synthesized)["api"]["KUMO_VIEWER_IP_HEADER"] == frontdoor.VIEWER_IP_HEADER


def test_static_files_come_from_s3_under_hashed_names_cached_a_year(synthesized: Synthesized) -> None:
    config = _distribution(synthesized)
    (static,) = config["CacheBehaviors"]
    assert static["PathPattern"] == "/static/*"
    assert static["AllowedMethods"] == ["GET", "HEAD"]
    origin = _origin(config, static["TargetOriginId"])
    assets_bucket = synthesized.logical_id(synthesized.stack.front_door.assets)
    assert origin["DomainName"] == {"Fn::GetAtt": [assets_bucket, "RegionalDomainName"]}
    assert "OriginAccessControlId" in origin
    policy = synthesized.resources("AWS::CloudFront::CachePolicy")[static["CachePolicyId"]["Ref"]]
    settings = policy["Properties"]["CachePolicyConfig"]
    assert settings["DefaultTTL"] == settings["MinTTL"] == settings["MaxTTL"] == 365 * 24 * 3600
    keys = settings["ParametersInCacheKeyAndForwardedToOrigin"]
    assert (keys["CookiesConfig"], keys["QueryStringsConfig"]) == (
        {"CookieBehavior": "none"},
        {"QueryStringBehavior": "none"},
    )
    (deployment,) = synthesized.resources("Custom::CDKBucketDeployment").values()
    props = deployment["Properties"]
    assert props["DestinationBucketName"] == {"Ref": assets_bucket}
    assert props["DestinationBucketKeyPrefix"] == "static/"
    assert props["SystemMetadata"]["cache-control"] == "public, max-age=31536000, immutable"
    assert props["Prune"] is False  # pages rendered before a deploy still find their files
    bucket = synthesized.resources("AWS::S3::Bucket")[assets_bucket]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())


def test_the_published_names_are_the_manifest_the_api_reads(synthesized: Synthesized) -> None:
    stack = synthesized.stack
    layer_manifest = json.loads((stack.layer.static_dir.parent / assets.MANIFEST_NAME).read_text())
    assert layer_manifest == stack.front_door.manifest
    assert {"kumo.css", "kumo.js", "files.js", "share.js"} <= set(layer_manifest)
    for original, hashed in layer_manifest.items():
        assert hashed != original and hashed.rsplit(".", 2)[0] == original.rsplit(".", 1)[0]
    env = _environments(synthesized)["api"]
    assert env["KUMO_STATIC_MANIFEST"] == f"{env['KUMO_FRONTEND_DIR']}/{assets.MANIFEST_NAME}"


def test_base_url_is_the_distribution_or_the_custom_domain(synthesized: Synthesized, unprotected: Synthesized) -> None:
    distribution = synthesized.logical_id(synthesized.stack.front_door.distribution)
    for env in _environments(synthesized).values():
        assert env["KUMO_BASE_URL"] == {"Fn::Join": ["", ["https://", {"Fn::GetAtt": [distribution, "DomainName"]}]]}
    for env in _environments(unprotected).values():
        assert env["KUMO_BASE_URL"] == OTHER_ORIGIN
    config = _distribution(unprotected)
    assert config["Aliases"] == [OTHER_DOMAIN]
    assert config["ViewerCertificate"] == {
        "AcmCertificateArn": OTHER_CERTIFICATE,
        "MinimumProtocolVersion": "TLSv1.2_2021",
        "SslSupportMethod": "sni-only",
    }
    assert "Aliases" not in _distribution(synthesized)


def test_every_function_gets_every_required_setting(synthesized: Synthesized, unprotected: Synthesized) -> None:
    for synth in (synthesized, unprotected):
        envs = _environments(synth)
        assert set(envs) == {"api", *(spec.key for spec in function_specs())}
        for name, env in envs.items():
            missing = [setting for setting in REQUIRED_OUTSIDE_LOCAL if not env.get(setting)]
            assert missing == [], name
            assert env["KUMO_STAGE"] != "local", name
            # What the settings model makes of it, with the tokens standing in for deploy-time values.
            plain = {
                k: v if isinstance(v, str) else "https://resolved-at-deploy" if k == "KUMO_BASE_URL" else "x"
                for k, v in env.items()
            }
            from_environ({**plain, "AWS_REGION": "ap-northeast-1"})  # raises SettingsError on a gap


def _web_acl(synth: Synthesized) -> dict[str, Any]:
    (acl,) = synth.resources("AWS::WAFv2::WebACL").values()
    return acl["Properties"]  # type: ignore[no-any-return]


def test_web_acl_is_regional_on_the_api_stage(synthesized: Synthesized) -> None:
    acl = _web_acl(synthesized)
    assert acl["Scope"] == "REGIONAL"
    assert acl["DefaultAction"] == {"Allow": {}}
    (association,) = synthesized.resources("AWS::WAFv2::WebACLAssociation").values()
    props = association["Properties"]
    acl_id = synthesized.stack.get_logical_id(synthesized.stack.front_door.web_acl)
    assert props["WebACLArn"] == {"Fn::GetAtt": [acl_id, "Arn"]}
    assert props["ResourceArn"] == {
        "Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${RestAPI}/stages/${RestAPI.Stage}"
    }


def test_web_acl_rules(synthesized: Synthesized) -> None:
    rules = {r["Name"]: r for r in _web_acl(synthesized)["Rules"]}
    assert [r["Name"] for r in sorted(rules.values(), key=lambda r: r["Priority"])] == [
        "OnlyThroughCloudFront",
        "AWSManagedRulesCommonRuleSet",
        "PartnerPathsRateLimit",
    ]

    gate = rules["OnlyThroughCloudFront"]
    assert gate["Action"] == {"Block": {}}
    match = gate["Statement"]["NotStatement"]["Statement"]["ByteMatchStatement"]
    assert match["FieldToMatch"] == {"SingleHeader": {"Name": frontdoor.ORIGIN_VERIFY_HEADER}}
    assert match["PositionalConstraint"] == "EXACTLY"
    assert match["SearchString"] == {"Fn::Select": [2, {"Fn::Split": ["/", {"Ref": "AWS::StackId"}]}]}

    common = rules["AWSManagedRulesCommonRuleSet"]
    group = common["Statement"]["ManagedRuleGroupStatement"]
    assert (group["VendorName"], group["Name"]) == ("AWS", "AWSManagedRulesCommonRuleSet")
    # Only the 8 KB body limit is counted instead of blocked (forms reach 64 KB); every other rule blocks.
    assert group["RuleActionOverrides"] == [{"Name": "SizeRestrictions_BODY", "ActionToUse": {"Count": {}}}]
    assert common["OverrideAction"] == {"None": {}}

    rate = rules["PartnerPathsRateLimit"]
    assert rate["Action"] == {"Block": {}}
    statement = rate["Statement"]["RateBasedStatement"]
    assert statement["Limit"] == synthesized.stack.config.share_rate_limit
    assert statement["AggregateKeyType"] == "FORWARDED_IP"
    assert statement["ForwardedIPConfig"]["HeaderName"] == frontdoor.VIEWER_IP_HEADER
    regex = statement["ScopeDownStatement"]["RegexMatchStatement"]
    assert regex["FieldToMatch"] == {"UriPath": {}}
    assert regex["RegexString"] == frontdoor.RATE_LIMITED_PATH_REGEX


@pytest.mark.parametrize(
    ("path", "limited"),
    [
        ("/api/share/abc/download", True),
        ("/s/abc", True),  # as CloudFront forwards them ...
        ("/api/api/share/abc", True),
        ("/api/s/abc", True),  # ... and as WAF on the stage may see them
        ("/api/files/abc", False),
        ("/files", False),
        ("/static/s/x", False),
        ("/search", False),
        ("/api/sx", False),
    ],
)
def test_rate_limit_covers_the_partner_paths_only(path: str, limited: bool) -> None:
    import re

    assert bool(re.match(frontdoor.RATE_LIMITED_PATH_REGEX, path)) is limited


def test_the_rest_api_names_its_function_without_referring_to_it(synthesized: Synthesized) -> None:
    """API function -> KUMO_BASE_URL -> distribution -> REST API: a reference back would be a cycle."""
    api = synthesized.resources("AWS::Serverless::Api")["RestAPI"]["Properties"]
    assert "APIHandler" not in json.dumps(api)
    handler = synthesized.resources("AWS::Serverless::Function")["APIHandler"]["Properties"]
    assert handler["FunctionName"] == "kumo-api"
    assert ":function:kumo-api/invocations" in json.dumps(api["DefinitionBody"])
