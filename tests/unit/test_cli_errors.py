"""The `kumo` command answers a bad path in one line with exit code 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.mark.parametrize("what", ["missing", "directory"])
def test_a_file_argument_that_cannot_be_read_is_named_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], what: str
) -> None:
    from chalicelib import cli

    path = tmp_path / "staff.csv" if what == "missing" else tmp_path
    assert cli.main(["users", "import", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"kumo: cannot read {path}: ") and "Traceback" not in err
    assert err.count("\n") == 1
