"""Context parsing: what `cdk -c key=value` (strings) and build_app(context=...) (values) give."""

from __future__ import annotations

import pytest
from aws_cdk import App

from infra.config import InfraConfig


def test_defaults() -> None:
    config = InfraConfig.from_context(App())
    assert (config.prefix, config.stage, config.deletion_protection) == ("kumo", "dev", True)
    assert config.web_origin == "https://kumo.example.lg.jp"


@pytest.mark.parametrize(("raw", "expected"), [("false", False), ("0", False), ("no", False),
                                               ("true", True), ("1", True), (False, False), (True, True)])
def test_deletion_protection_from_strings_or_values(raw: object, expected: bool) -> None:
    assert InfraConfig.from_context(App(context={"deletion_protection": raw})).deletion_protection is expected


def test_a_typo_in_a_boolean_fails_loudly() -> None:
    with pytest.raises(ValueError, match="boolean"):
        InfraConfig.from_context(App(context={"deletion_protection": "flase"}))
