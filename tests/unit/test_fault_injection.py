"""The local stack's fault injection (chalicelib/local/faults.py): how it fails, and where it may live."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from chalicelib.core.config import from_environ
from chalicelib.core.resources import RESOURCES
from chalicelib.local import faults

ROOT = Path(__file__).resolve().parents[2]


def _batch(receive_count: int) -> dict[str, Any]:
    attributes = {"ApproximateReceiveCount": str(receive_count)}
    return {"Records": [{"messageId": "m-1", "body": "{}", "attributes": attributes}]}


class Always:
    """A random.Random that always rolls `roll` (and effect number 1)."""

    def __init__(self, roll: float) -> None:
        self.roll = roll

    def random(self) -> float:
        return self.roll

    def randint(self, a: int, b: int) -> int:
        return a


def _faulty(roll: float, handler: Any) -> faults.FaultyHandler:
    return faults.FaultyHandler(RESOURCES.function("notifier"), handler, 0.3, Always(roll))  # type: ignore[arg-type]


def test_before_after_and_mid_faults() -> None:
    ran: list[str] = []

    def handler(event: dict[str, Any], context: Any) -> str:
        ran.append("ran")
        faults._after_effect("ses.SendEmail")  # what the botocore watcher calls after a write succeeded
        ran.append("went on")
        return "done"

    assert _faulty(0.5, handler)(_batch(1), None) == "done" and ran == ["ran", "went on"], "no fault above the rate"
    ran.clear()
    with pytest.raises(faults.InjectedFault, match="before the handler"):
        _faulty(0.05, handler)(_batch(1), None)
    assert ran == []
    with pytest.raises(faults.InjectedFault, match="after ses.SendEmail"):
        _faulty(0.15, handler)(_batch(1), None)
    assert ran == ["ran"], "the side effect happened, then the failure"
    ran.clear()
    with pytest.raises(faults.InjectedFault, match="after the handler"):
        _faulty(0.25, handler)(_batch(1), None)
    assert ran == ["ran", "went on"]


def test_a_message_on_its_last_delivery_is_never_failed_on_purpose() -> None:
    last = RESOURCES.queue("notify").max_receive_count
    assert _faulty(0.05, lambda event, context: "done")(_batch(last), None) == "done"
    with pytest.raises(faults.InjectedFault):
        _faulty(0.05, lambda event, context: "done")(_batch(last - 1), None)


def test_faults_are_off_unless_asked_for_and_refused_outside_the_local_stack() -> None:
    assert from_environ({}).fault_rate == 0
    assert from_environ({"KUMO_FAULT_RATE": "0.3", "KUMO_FAULT_SEED": "8"}).fault_rate == 0.3
    with pytest.raises(ValueError, match="KUMO_FAULT_RATE"):
        from_environ({"KUMO_STAGE": "prod", "KUMO_FAULT_RATE": "0.3"})
    with pytest.raises(ValueError, match="KUMO_FAULT_RATE"):
        from_environ({"KUMO_FAULT_RATE": "1.5"})


def test_fault_injection_stays_out_of_the_domain_code() -> None:
    """Only the settings module and the local stack's consumers know of it."""
    knows = sorted(
        str(p.relative_to(ROOT))
        for folder in ("chalicelib", "functions", "infra")
        for p in (ROOT / folder).rglob("*.py")
        if "cdk.out" not in p.parts
        and re.search(r"fault_rate|KUMO_FAULT|local import faults|local\.faults", p.read_text("utf-8"))
    )
    assert knows == ["chalicelib/core/config.py", "chalicelib/local/consumers.py", "chalicelib/local/faults.py"]
