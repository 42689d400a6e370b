"""The local stack's parallel parts: the moto wrapper's DynamoDB lock, the worker count option."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest

from chalicelib import cli
from chalicelib.local.emulator import OUTBOX_PATH, AtomicDynamoDB, Outbox


def _call(middleware: AtomicDynamoDB, target: str | None) -> list[bool]:
    """What the wrapped app saw: whether the lock was held while it ran."""
    seen: list[bool] = []

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        seen.append(middleware.lock.locked())
        return [b"{}"]

    middleware.app = app
    environ = {"HTTP_X_AMZ_TARGET": target} if target else {}
    assert list(middleware(environ, lambda *a: None)) == [b"{}"]
    return seen


def test_dynamodb_requests_run_under_the_lock_and_nothing_else_does() -> None:
    middleware = AtomicDynamoDB(lambda e, s: [])
    assert _call(middleware, "DynamoDB_20120810.UpdateItem") == [True]
    assert _call(middleware, "DynamoDB_20120810.TransactWriteItems") == [True]
    assert _call(middleware, "AmazonSQS.ReceiveMessage") == [False]
    assert _call(middleware, None) == [False], "S3 (no target header) stays parallel"
    assert not middleware.lock.locked()


@pytest.mark.parametrize("value", ["0", "33", "four", "-1"])
def test_a_bad_worker_count_is_refused_with_its_range(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["dev", "--workers", value])
    assert exited.value.code == 2
    assert "--workers" in capsys.readouterr().err


def test_the_worker_count_defaults_to_four() -> None:
    assert cli.build_parser().parse_args(["dev"]).workers == 4
    assert cli.build_parser().parse_args(["dev", "--workers", "1"]).workers == 1


def test_the_outbox_lists_the_mail_moto_kept_and_passes_everything_else_on(aws_mock: None) -> None:
    """Kumo's raw mail, read back as a person sees it: decoded subject, text body, the one-click headers."""
    import json

    from chalicelib.sharing import mail

    link = "http://127.0.0.1:8000/unsubscribe/abc.def.ghi"
    mail.send("a@example.jp", "【Kumo】確認のお願い", "田中 様\n\n123456\n", unsubscribe=link)
    outbox = Outbox(lambda e, s: [b"moto"])
    statuses: list[str] = []
    body = b"".join(outbox({"PATH_INFO": OUTBOX_PATH}, lambda status, headers: statuses.append(status)))
    assert statuses == ["200 OK"]
    (listed,) = json.loads(body)
    assert listed["subject"] == "【Kumo】確認のお願い" and listed["body"] == "田中 様\n\n123456\n"
    assert listed["destinations"] == {"ToAddresses": ["a@example.jp"]}
    assert listed["headers"] == {"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    assert list(outbox({"PATH_INFO": "/moto-api/data.json"}, lambda *a: None)) == [b"moto"]
