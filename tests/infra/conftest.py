"""The stack, synthesized once per session (twice: deletion protection on and off)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# Before aws_cdk starts its Node.js kernel.
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("AWS_DEFAULT_REGION", "ap-northeast-1")

from aws_cdk.assertions import Template  # noqa: E402

from infra.app import build_app  # noqa: E402
from infra.stack import KumoStack  # noqa: E402

OTHER_DOMAIN = "staging.kumo.example.lg.jp"
OTHER_ORIGIN = f"https://{OTHER_DOMAIN}"
OTHER_CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"


@dataclass(frozen=True)
class Synthesized:
    stack: KumoStack
    template: Template
    outdir: Path

    @property
    def json(self) -> dict[str, Any]:
        return dict(self.template.to_json())

    @property
    def template_file(self) -> Path:
        return self.outdir / f"{self.stack.artifact_id}.template.json"

    def resources(self, type_: str) -> dict[str, dict[str, Any]]:
        return {logical_id: dict(resource) for logical_id, resource in self.template.find_resources(type_).items()}

    def logical_id(self, construct: Any) -> str:
        return self.stack.get_logical_id(construct.node.default_child)


def _synthesize(outdir: Path, context: dict[str, Any]) -> Synthesized:
    app, stack = build_app(context, outdir=outdir)
    app.synth()
    return Synthesized(stack, Template.from_stack(stack), outdir)


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """The default deployment: prefix kumo, deletion protection on."""
    return _synthesize(tmp_path_factory.mktemp("cdk.out"), {})


@pytest.fixture(scope="session")
def unprotected(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """A throw-away deployment: other prefix, no deletion protection, a zone-aware search domain,
    a custom domain for the front door, context from the CLI."""
    return _synthesize(
        tmp_path_factory.mktemp("cdk.out-unprotected"),
        {
            "prefix": "kumo-test",
            "deletion_protection": "false",
            "domain_name": OTHER_DOMAIN,
            "certificate_arn": OTHER_CERTIFICATE,
            "search_zone_awareness": "true",
            "search_data_nodes": "2",
        },
    )


@pytest.fixture(scope="session")
def template(synthesized: Synthesized) -> Template:
    return synthesized.template


def dump(value: Any) -> str:
    return json.dumps(value, indent=1, ensure_ascii=False)[:4000]
