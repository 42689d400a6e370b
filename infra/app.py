"""The CDK app: ``python -m infra.app`` (what ``cdk`` runs) or ``build_app()`` from code.

Synthesis only needs a region (AWS_DEFAULT_REGION or CDK_DEFAULT_REGION, default
ap-northeast-1); the account stays a CloudFormation token, so no AWS credentials are needed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

# Set before aws_cdk starts its Node.js kernel: the banners go to stderr on every run.
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from aws_cdk import App, Aspects, Environment  # noqa: E402
from cdk_nag import AwsSolutionsChecks  # noqa: E402

from infra.config import InfraConfig, default_region, feature_flags  # noqa: E402
from infra.stack import KumoStack  # noqa: E402

STACK_ID = "Kumo"


def build_app(
    context: dict[str, Any] | None = None,
    outdir: Path | None = None,
) -> tuple[App, KumoStack]:
    """The app with the Kumo stack and the AwsSolutions checks attached (not synthesized)."""
    region = default_region()
    os.environ.setdefault("AWS_DEFAULT_REGION", region)  # the Chalice packager needs one
    app = App(
        context={**feature_flags(), **(context or {})},
        outdir=str(outdir) if outdir else None,
        analytics_reporting=False,
    )
    config = InfraConfig.from_context(app)
    stack = KumoStack(
        app,
        STACK_ID,
        config=config,
        stack_name=config.prefix,
        env=Environment(region=region),  # account: resolved at deploy time
        description=f"Kumo collaboration platform ({config.prefix}, {config.stage})",
    )
    Aspects.of(app).add(AwsSolutionsChecks(verbose=True))
    return app, stack


def main() -> None:
    app, _ = build_app()
    app.synth()


if __name__ == "__main__":
    main()
