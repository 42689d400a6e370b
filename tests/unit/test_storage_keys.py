"""A key DynamoDB cannot hold (empty, too long) names no item: get_or_none answers None, not a 500."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("key", ["", "x" * 2049, "雲" * 700])
def test_a_key_dynamodb_refuses_finds_nothing(aws_mock: None, key: str) -> None:
    from chalicelib.core.storage import get_or_none
    from chalicelib.files.storage import FileRecord, bind

    bind()
    assert get_or_none(FileRecord, key) is None
