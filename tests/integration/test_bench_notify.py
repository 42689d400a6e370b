"""bench/notify.py in its smoke size: it starts its own emulator, builds a world, and prints the
figures the notifier's goal is read from (issue 11): per event, in SQS batches as Lambda hands
them over, beside a bare write of each event's items and of each batch's, the mailer per mail, and the
digest per person."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def test_the_smoke_run_prints_the_ratio_the_calls_and_the_digest() -> None:
    run = subprocess.run(
        [sys.executable, "bench/notify.py", "--smoke"],
        check=False,  # the output is shown when it fails
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    out = run.stdout
    assert re.search(r"^world: 2 部局, 20 所属, 60 staff", out, re.M), out
    assert re.search(r"^notifier: 20 events in SQS batches of 10, 60 staff, \d+ inbox items", out, re.M), out
    for floor in ("per event", "per batch"):
        row = re.search(rf"^notifier vs bare write {floor}((?:\s+[\d.]+){{9}})$", out, re.M)
        assert row, out
        mean, p50, p95, bare, bare_p50, bare_p95, ratio, _, _ = (float(x) for x in row.group(1).split())
        assert 0 < bare <= bare_p95 and 0 < mean <= p95 and p50 > 0 and bare_p50 > 0
        assert ratio == pytest.approx(mean / bare, rel=0.02)
    assert re.search(r"^RATIO notifier/bare \(mean per event\): [\d.]+ ", out, re.M), out
    assert re.search(r"dynamodb\.TransactWriteItems [\d.]+", out), "the calls per event are counted"
    mailer = re.search(r"^mailer: (\d+) mails .*MAILER per mail mean ([\d.]+) ms", out, re.M)
    assert mailer or "mailer: no mail jobs (quiet hours" in out, out
    if mailer:
        assert int(mailer.group(1)) > 0 and float(mailer.group(2)) > 0
        assert re.search(r"^AWS calls per mail \(mailer\): .*ses\.SendRawEmail", out, re.M), out
    digest = re.search(r"^digest: 60 people, (\d+) mails, .*DIGEST per person ([\d.]+) ms", out, re.M)
    assert digest and int(digest.group(1)) == 60 and float(digest.group(2)) > 0, out
