"""Integration-test hooks: the API fuzz's case count in the session's summary."""

from __future__ import annotations

import sys
from typing import Any


def pytest_terminal_summary(terminalreporter: Any) -> None:
    fuzz = sys.modules.get("tests.integration.test_api_contract")
    if fuzz is not None and fuzz.case_counts:
        terminalreporter.write_line(fuzz.summary())
