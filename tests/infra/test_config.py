"""Context parsing: what `cdk -c key=value` (strings) and build_app(context=...) (values) give."""

from __future__ import annotations

import pytest
from aws_cdk import App

from infra.config import InfraConfig


def test_defaults() -> None:
    config = InfraConfig.from_context(App())
    assert (config.prefix, config.stage, config.deletion_protection) == ("kumo", "dev", True)
    assert (config.domain_name, config.certificate_arn) == ("", "")  # the distribution's own domain


@pytest.mark.parametrize(
    "context",
    [
        {"domain_name": "kumo.example.lg.jp"},  # a custom domain needs its certificate
        {"certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/x"},  # and the other way round
        {
            "domain_name": "kumo.example.lg.jp",  # CloudFront takes certificates from us-east-1 only
            "certificate_arn": "arn:aws:acm:ap-northeast-1:123456789012:certificate/x",
        },
        {"share_rate_limit": "5"},  # below WAF's minimum
    ],
)
def test_front_door_context_that_cannot_deploy_is_refused(context: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        InfraConfig.from_context(App(context=context))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("false", False), ("0", False), ("no", False), ("true", True), ("1", True), (False, False), (True, True)],
)
def test_deletion_protection_from_strings_or_values(raw: object, expected: bool) -> None:
    assert InfraConfig.from_context(App(context={"deletion_protection": raw})).deletion_protection is expected


def test_a_typo_in_a_boolean_fails_loudly() -> None:
    with pytest.raises(ValueError, match="boolean"):
        InfraConfig.from_context(App(context={"deletion_protection": "flase"}))
