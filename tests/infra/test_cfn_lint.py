"""cfn-lint on the synthesized template (it validates Chalice's SAM resources against SAM's schemas)."""

from __future__ import annotations

from cfnlint.api import lint
from cfnlint.config import ManualArgs

from tests.infra.conftest import Synthesized

# W3005 "dependency already enforced by a GetAtt": CDK itself adds DependsOn next to a GetAtt
# (bucket notifications -> queue policy, functions -> their role and its policy). Harmless.
ALLOWED_WARNINGS = {"W3005"}


def test_template_has_no_cfn_lint_error(synthesized: Synthesized) -> None:
    matches = lint(synthesized.template_file.read_text(), config=ManualArgs(regions=[synthesized.stack.config.region]))
    problems = [
        f"{m.rule.id} {m.message} ({'/'.join(map(str, m.path))})" for m in matches if m.rule.id not in ALLOWED_WARNINGS
    ]
    assert problems == []
    assert all(m.rule.id.startswith("W") for m in matches)
