"""cdk-nag's AwsSolutions pack: no unsuppressed error, and proof that the check can fail."""

from __future__ import annotations

from aws_cdk import App, Aspects, Stack
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Annotations, Match
from cdk_nag import AwsSolutionsChecks, NagPackSuppression, NagSuppressions

from tests.infra.conftest import Synthesized

# Every deliberate exception, and where: a new one must be added here, in review.
ALLOWED_SUPPRESSIONS = {
    "AwsSolutions-S1",  # the access-log bucket does not log to itself
    "AwsSolutions-IAM4",  # AWS-managed policies of CDK's notification handler, API Gateway's log role
    "AwsSolutions-IAM5",  # X-Ray "*", table indexes, bucket objects, SES identities
    "AwsSolutions-COG2",  # MFA optional
    "AwsSolutions-COG8",  # Essentials feature plan
    "AwsSolutions-L1",  # python3.12 pinned for the layer
    "AwsSolutions-OS1",  # search domain outside a VPC (the project has none), closed by IAM
    "AwsSolutions-OS3",  # search access by IAM role, not IP allowlist (Lambdas have no fixed IPs)
    "AwsSolutions-OS4",  # no dedicated master nodes for a one- or two-node domain
    "AwsSolutions-OS7",  # zone awareness off by default (context search_zone_awareness)
    "AwsSolutions-SQS3",  # the scheduler's DLQ is itself a DLQ (of EventBridge Scheduler / Lambda)
    "AwsSolutions-CFR3",  # no CloudFront standard logs: API Gateway logs every dynamic request
    "AwsSolutions-CFR4",  # the *.cloudfront.net certificate's TLSv1 floor when no custom domain is given
    "AwsSolutions-SMG4",  # the unsubscribe links' key is not rotated: rotating would void links already mailed
}


def _nag_errors(stack: Stack) -> list[str]:
    found = Annotations.from_stack(stack).find_error("*", Match.string_like_regexp("AwsSolutions-.*"))
    return [f"{str(e.entry.data).splitlines()[0][:100]} @ {e.id}" for e in found]  # "AwsSolutions-S1: ... @ path"


def test_stack_has_no_unsuppressed_aws_solutions_error(synthesized: Synthesized) -> None:
    assert _nag_errors(synthesized.stack) == []


def test_suppressions_are_the_deliberate_ones_with_reasons(synthesized: Synthesized) -> None:
    suppressions = [
        rule
        for resource in synthesized.json["Resources"].values()
        for rule in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
    ]
    assert suppressions
    assert {rule["id"] for rule in suppressions} <= ALLOWED_SUPPRESSIONS
    assert all(len(rule["reason"]) >= 40 for rule in suppressions)
    assert "cdk_nag" not in synthesized.json.get("Metadata", {}), "no stack-wide suppressions"


def _insecure_bucket_stack(*, suppress_logging: bool) -> Stack:
    app = App()
    stack = Stack(app, "Insecure")
    bucket = s3.Bucket(stack, "Open", enforce_ssl=False)  # no TLS-only policy, no access logs
    if suppress_logging:
        NagSuppressions.add_resource_suppressions(
            bucket,
            [NagPackSuppression(id="AwsSolutions-S1", reason="proving that a suppression silences exactly its rule")],
        )
    Aspects.of(app).add(AwsSolutionsChecks(verbose=True))
    return stack


def test_the_check_reports_an_insecure_bucket() -> None:
    errors = _nag_errors(_insecure_bucket_stack(suppress_logging=False))
    assert any(e.startswith("AwsSolutions-S1:") for e in errors), errors
    assert any(e.startswith("AwsSolutions-S10:") for e in errors), errors


def test_a_suppression_silences_only_its_rule() -> None:
    errors = _nag_errors(_insecure_bucket_stack(suppress_logging=True))
    assert not any(e.startswith("AwsSolutions-S1:") for e in errors), errors
    assert any(e.startswith("AwsSolutions-S10:") for e in errors), errors
