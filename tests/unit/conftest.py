"""Unit tests: in-process moto (mock_aws) where AWS is touched; settings from a clean environment."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

UNIT_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "ap-northeast-1",
    "KUMO_STAGE": "local",
    "KUMO_PREFIX": "kumo",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_IDEMPOTENCY_DISABLED": "false",
    # Mail tests must not depend on the hour they run at; quiet hours are tested with a clock.
    "KUMO_QUIET_HOURS": "off",
}


def _reset_caches() -> None:
    from chalicelib.accounts import cognito, tokens
    from chalicelib.accounts import service as accounts
    from chalicelib.core import aws, config, i18n, templating
    from chalicelib.directory import org, staff_cache

    config.reset()
    aws.reset()
    cognito.pool_ids.cache_clear()
    tokens.reset()
    accounts._staff_cache.clear()
    i18n.translations.cache_clear()
    templating.environment.cache_clear()
    org.reset()
    staff_cache.reset()


@pytest.fixture(autouse=True)
def unit_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key in list(os.environ):
        if key.startswith(("KUMO_", "AWS_ENDPOINT")):
            monkeypatch.delenv(key, raising=False)
    for key, value in UNIT_ENV.items():
        monkeypatch.setenv(key, value)
    _reset_caches()
    yield
    _reset_caches()


@pytest.fixture
def aws_mock(unit_env: None) -> Iterator[None]:
    """In-process moto with every Kumo table, queue and bus created by the real bootstrap."""
    from moto import mock_aws

    with mock_aws():
        _reset_caches()
        from chalicelib.local import bootstrap

        bootstrap.bootstrap(["http://127.0.0.1:8000"], search=False)
        yield
