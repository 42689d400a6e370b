"""Bootstrap idempotency, backup -> restore, restart keeps data, ports, clean stop."""

from __future__ import annotations

import json
import socket
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from tests.conftest import sign_in
from tests.integration.test_files import _folder
from tests.integration.test_search import found, ids, search, text_file
from tests.support.stack import KUMO, ROOT, RunningStack

pytestmark = pytest.mark.integration


def test_bootstrap_twice_changes_nothing(stack: RunningStack) -> None:
    result = stack.kumo("bootstrap", "--web-origin", stack.base_url, check=True)
    assert "created: nothing" in result.stdout
    cors = stack.boto3("s3").get_bucket_cors(Bucket="kumo-files-123456789012")["CORSRules"][0]
    assert stack.base_url in cors["AllowedOrigins"]
    notify = stack.boto3("sqs").get_queue_url(QueueName="kumo-notify")["QueueUrl"]
    attributes = stack.boto3("sqs").get_queue_attributes(QueueUrl=notify, AttributeNames=["RedrivePolicy"])
    assert json.loads(attributes["Attributes"]["RedrivePolicy"])["maxReceiveCount"] == 3


def test_the_files_bucket_notifies_the_index_queue(stack: RunningStack) -> None:
    """S3 -> SQS: what the indexer consumes (tests/integration/test_search.py follows it to search)."""
    config = stack.boto3("s3").get_bucket_notification_configuration(Bucket="kumo-files-123456789012")
    targets = {
        (c["QueueArn"].rsplit(":", 1)[1], tuple(sorted(c["Events"]))) for c in config.get("QueueConfigurations", [])
    }
    assert ("kumo-index", ("s3:ObjectCreated:*", "s3:ObjectRemoved:*")) in targets


def test_backup_restore_round_trip_and_restart_keeps_data(tmp_path: Path, stack: RunningStack) -> None:
    """A second stack of its own: post, stop (state saved), start again, the data is there."""
    state = tmp_path / "state"
    own = RunningStack(state)
    own.start()
    try:
        title = f"再起動後も残るお知らせ {uuid.uuid4().hex[:6]}"
        admin = sign_in(own.base_url, "tanaka.h")
        assert (
            admin.post(f"{own.base_url}/api/departments/somu/notices", json={"title": title}, timeout=30).status_code
            == 201
        )
        # A project card (a record of the projects slice) is rebuilt into the index at the restart too.
        word = f"再起動カード{uuid.uuid4().hex[:6]}"
        owner = sign_in(own.base_url, "yamada.k")
        made = owner.post(f"{own.base_url}/api/projects", json={"name": f"再起動の確認 {word}"}, timeout=30)
        assert made.status_code == 201, made.text
        board = f"{own.base_url}/api/projects/{made.json()['id']}/boards/{made.json()['boards'][0]['id']}"
        first = owner.get(board, timeout=30).json()["lists"][0]["id"]
        card = owner.post(f"{board}/cards", json={"list_id": first, "title": f"復元される {word}"}, timeout=30)
        assert card.status_code == 201, card.text
        own.boto3("s3").put_object(
            Bucket="kumo-files-123456789012",
            Key="somu/報告書.txt",
            Body="令和8年度の報告".encode(),
            ContentType="text/plain; charset=utf-8",
            Metadata={"owner": "tanaka.h"},
        )
        backup_dir = tmp_path / "backup"
        result = own.kumo("backup", str(backup_dir), check=True)
        assert "object versions" in result.stdout
        manifest = json.loads((backup_dir / "manifest.json").read_text())
        assert manifest["items"]["staff"] >= 16 and manifest["items"]["notices"] >= 1
        assert manifest["items"]["recruitments"] >= 1 and manifest["items"]["recruitment_applications"] >= 1
        assert not list(tmp_path.glob(".backup.partial-*")), "no partial backup left behind"
    finally:
        assert own.stop() == 0
    assert "state saved" in "".join(own.output)
    assert (state / "manifest.json").exists()
    for port in (own.port, own.moto_port, own.search_port):  # Ctrl-C freed every port
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as a server binds
            probe.bind(("127.0.0.1", port))

    own.start()  # same state directory, new emulator processes
    try:
        assert "restored from" in "".join(own.output)
        member = sign_in(own.base_url, "yamada.k")
        notices = member.get(f"{own.base_url}/api/departments/somu/notices", timeout=30).json()["items"]
        assert any(n["title"] == title for n in notices)
        obj = own.boto3("s3").get_object(Bucket="kumo-files-123456789012", Key="somu/報告書.txt")
        assert obj["Body"].read().decode() == "令和8年度の報告"
        assert obj["Metadata"] == {"owner": "tanaka.h"}
        assert obj["ContentType"] == "text/plain; charset=utf-8"
        assert "card records" in "".join(own.output), "the search index was rebuilt with the project cards"
        hits = search(member, own, q=word)["items"]
        assert [h["name"] for h in hits if h["kind"] == "card"] == [f"復元される {word}"]
        listed = member.get(f"{own.base_url}/api/recruitments", timeout=30).json()["items"]
        assert any(r["title"].startswith("電子決裁の定着") for r in listed), "the demo 公募 came back"
    finally:
        assert own.stop() == 0

    # `kumo restore` into the shared stack (another endpoint) brings the same notice over.
    restored = stack.kumo("restore", str(tmp_path / "backup"), check=True)
    assert "restored from" in restored.stdout
    items = (
        sign_in(stack.base_url, "yamada.k")
        .get(f"{stack.base_url}/api/departments/somu/notices", timeout=30)
        .json()["items"]
    )
    assert any(n["title"] == title for n in items)


def test_a_taken_port_gets_a_clear_error(tmp_path: Path) -> None:
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    port = blocker.getsockname()[1]
    try:
        own = RunningStack(tmp_path / "state")
        own.port = port
        with pytest.raises(RuntimeError, match="already in use"):
            own.start(timeout_s=60)
        assert own.proc is not None and own.proc.wait(timeout=30) == 2
    finally:
        blocker.close()


def _without_credentials(stack: RunningStack, home: Path, *, endpoint: bool) -> dict[str, str]:
    """A shell with no AWS credentials anywhere: none in the environment, no ~/.aws, no instance role."""
    env = {k: v for k, v in stack.env().items() if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    env.update(
        {
            "HOME": str(home),
            "AWS_CONFIG_FILE": str(home / "no-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(home / "no-credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    )
    if not endpoint:
        env = {k: v for k, v in env.items() if k not in ("KUMO_AWS_ENDPOINT", "KUMO_SEARCH_URL")}
    return env


def _kumo(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*KUMO, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_the_cli_needs_no_credentials_against_the_emulator(tmp_path: Path, stack: RunningStack) -> None:
    """`KUMO_AWS_ENDPOINT=... kumo backup DIR`, as the README says, with nothing else set."""
    done = _kumo(_without_credentials(stack, tmp_path, endpoint=True), "backup", str(tmp_path / "backup"))
    assert done.returncode == 0, done.stderr
    assert "object versions" in done.stdout
    assert json.loads((tmp_path / "backup" / "manifest.json").read_text())["items"]["staff"] >= 16


def test_against_aws_missing_credentials_are_named_in_one_line(tmp_path: Path, stack: RunningStack) -> None:
    done = _kumo(_without_credentials(stack, tmp_path, endpoint=False), "backup", str(tmp_path / "backup"))
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kumo: no AWS credentials"), done.stderr
    assert "AWS_ACCESS_KEY_ID" in lines[0] and "KUMO_AWS_ENDPOINT" in lines[0]
    assert not (tmp_path / "backup").exists()


def test_restore_into_a_running_stack_makes_the_files_searchable(
    tmp_path: Path, stack: RunningStack, signed_in: Callable[[str], requests.Session]
) -> None:
    me = signed_in("yamada.k")
    word = f"復元索引{uuid.uuid4().hex[:6]}"
    file_id = text_file(me, stack, _folder(me, stack, "dept:somu"), "復元テスト.txt", f"{word} の本文。")
    found(me, stack, file_id, q=word)
    stack.kumo("backup", str(tmp_path / "backup"), check=True)
    # The index loses the file (as a fresh stack's or a new domain's would not have it).
    search_url = f"http://127.0.0.1:{stack.search_port}/kumo-documents"
    removed = requests.post(
        f"{search_url}/_delete_by_query",
        params={"refresh": "true"},
        json={"query": {"ids": {"values": [file_id]}}},
        timeout=30,
    )
    assert removed.status_code == 200, removed.text
    assert file_id not in ids(search(me, stack, q=word))

    restored = stack.kumo("restore", str(tmp_path / "backup"), check=True)

    assert "restored from" in restored.stdout and "reindexed:" in restored.stdout, restored.stdout
    assert file_id in ids(search(me, stack, q=word)), "restore returned before the files were searchable"
