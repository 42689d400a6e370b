"""Fault injection on the real local stack: 30 % of queue-function invocations fail, yet every effect
happens exactly once.

The stack runs with KUMO_FAULT_RATE=0.3 and a fixed seed (chalicelib/local/faults.py): the local
consumers make the notifier, the indexer and the scanner fail before their handler runs, right
after one of its side effects succeeded (a mail sent, an inbox item or a verdict written, a
document indexed), or after it finished; each failure leaves the whole batch on the queue, so
handled records come again. Then: staff uploads, a share link opened by partners, partner uploads
(some carrying EICAR), a folder rename that re-indexes everything below it, and one poison
message per queue. After the queues drain, each event's effect is there exactly once, the index
matches DynamoDB, every verdict is recorded, and the poison messages (only they) are in the DLQs.
"""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.core.event_catalogue import FileUploaded, PartnerUploaded
from chalicelib.local.emulator import OUTBOX_PATH
from chalicelib.scanning.engine import EICAR
from tests.conftest import sign_in
from tests.integration.test_files import _api, _folder, upload
from tests.integration.test_sharing import Partner, _send, _share
from tests.support.stack import RunningStack

pytestmark = pytest.mark.integration
FAULTS = {"KUMO_FAULT_RATE": "0.3", "KUMO_FAULT_SEED": "8"}
STAFF_UPLOADS = 40
PARTNERS = 6  # each opens the link (ShareLinkAccessed) and sends two files
INFECTED = 3  # partners whose second file is the EICAR test file
OWNER = "tanaka.h"
QUEUES = ("kumo-notify", "kumo-index", "kumo-scan")
MAIL_SUBJECT = "さんからファイルが届きました"


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    running = RunningStack(tmp_path_factory.mktemp("kumo-faults"), settings=FAULTS)
    running.start()
    try:
        yield running
    finally:
        running.stop()


def _url(stack: RunningStack, name: str) -> str:
    return str(stack.boto3("sqs").get_queue_url(QueueName=name)["QueueUrl"])


def _poison(stack: RunningStack) -> dict[str, str]:
    """One message per queue that can never be handled: each must end in that queue's DLQ."""
    missing_fields = {
        "source": PartnerUploaded.EVENT.source,
        "detail-type": PartnerUploaded.EVENT.name,
        "detail": {"name": "壊れたイベント.txt", "event_id": str(uuid.uuid4())},
    }
    bad_key = (
        PartnerUploaded(
            link_id="ln_x",
            owner_id=OWNER,
            notify=False,
            file_id="fi_x",
            version=1,
            s3_key="uploads/not-a-version",
            space_id="dept:somu",
            folder_id="fo_x",
            name="x.txt",
            uploader_name="",
            uploader_email="",
        )
        .event()
        .as_delivered()
    )
    no_file = {
        "source": FileUploaded.EVENT.source,
        "detail-type": FileUploaded.EVENT.name,
        "detail": {"name": "ファイルIDなし.txt", "event_id": str(uuid.uuid4())},
    }
    bodies = {"kumo-notify": missing_fields, "kumo-scan": bad_key, "kumo-index": no_file}
    sqs = stack.boto3("sqs")
    sent = {}
    for queue, body in bodies.items():
        sent[queue] = json.dumps(body, ensure_ascii=False)
        sqs.send_message(QueueUrl=_url(stack, queue), MessageBody=sent[queue])
    return sent


def _drained(stack: RunningStack, timeout_s: float = 150) -> None:
    """Until every queue is empty (nothing waiting, nothing in flight) twice in a row, 2 s apart."""
    sqs = stack.boto3("sqs")
    names = [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
    ]
    deadline = time.monotonic() + timeout_s
    quiet = 0
    while quiet < 2:
        assert time.monotonic() < deadline, f"queues not drained within {timeout_s}s"
        counts = [
            int(v)
            for q in QUEUES
            for v in sqs.get_queue_attributes(QueueUrl=_url(stack, q), AttributeNames=names)["Attributes"].values()
        ]
        quiet = quiet + 1 if not any(counts) else 0
        time.sleep(2)


def _dlq(stack: RunningStack, queue: str) -> list[str]:
    sqs = stack.boto3("sqs")
    url = _url(stack, f"{queue}-dlq")
    bodies = []
    while batch := sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60, WaitTimeSeconds=0
    ).get("Messages", []):
        bodies += [m["Body"] for m in batch]
    return bodies


def _inbox(stack: RunningStack, staff_id: str) -> list[dict[str, Any]]:
    ddb = stack.boto3("dynamodb")
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {
        "TableName": "kumo-notifications",
        "KeyConditionExpression": "staff_id = :s",
        "ExpressionAttributeValues": {":s": {"S": staff_id}},
    }
    while True:
        page = ddb.query(**kwargs)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _mails(stack: RunningStack, to: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{stack.aws_endpoint}{OUTBOX_PATH}", timeout=30) as response:
        sent = json.loads(response.read())
    return [m for m in sent if any(a.startswith(to) for a in m.get("destinations", {}).get("ToAddresses", []))]


def _indexed(stack: RunningStack, folder_id: str) -> dict[str, dict[str, Any]]:
    query = {
        "query": {"term": {"ancestors": folder_id}},
        "size": 500,
        "_source": ["name", "version", "path", "content_status"],
    }
    request = urllib.request.Request(
        f"{stack.env()['KUMO_SEARCH_URL']}/kumo-documents/_search",
        data=json.dumps(query).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        hits = json.loads(response.read())["hits"]["hits"]
    assert len(hits) == len({h["_id"] for h in hits}), "one document per file"
    return {h["_id"]: h["_source"] for h in hits}


def _faults_injected(stack: RunningStack) -> Counter[tuple[str, str]]:
    found: Counter[tuple[str, str]] = Counter()
    reached: dict[str, int] = {}
    for line in stack.output:
        if '"fault injected"' in line:
            record = json.loads(line)
            found[(record["function"], record["fault"])] += 1
            reached[record["function"]] = max(reached.get(record["function"], 0), record["invocation"])
    for function, invocations in sorted(reached.items()):  # up to its last fault
        faulted = sum(n for (f, _), n in found.items() if f == function)
        print(f"{function}: {faulted} of its first {invocations} invocations failed on purpose")
    return found


def test_every_effect_happens_once_when_30_percent_of_invocations_fail(faulty: RunningStack) -> None:
    started = time.monotonic()
    owner = sign_in(faulty.base_url, OWNER)
    folder = _folder(owner, faulty, "dept:somu")
    staff_files = []
    for n in range(STAFF_UPLOADS):
        done = upload(owner, faulty, folder, f"報告書_{n:02d}.txt", f"第{n}号 定例報告 kumo{n:02d}fault".encode())
        assert done.status_code == 201, done.text
        staff_files.append(done.json())

    link = _share(owner, faulty, folder, kind="exchange", notify_on_access=True, notify_on_upload=True)
    clean, infected = [], []
    for p in range(PARTNERS):
        partner = Partner(faulty, link["url"])
        assert partner.open().status_code == 200
        who = f"協力会社{p} 担当"
        clean.append(_send(partner, who, f"回答_{p}.txt", f"回答書 その{p}".encode()))
        second = EICAR if p < INFECTED else f"別紙 その{p}".encode()
        (infected if p < INFECTED else clean).append(_send(partner, who, f"別紙_{p}.txt", second))
    poison = _poison(faulty)
    new_name = f"改名後_{uuid.uuid4().hex[:6]}"  # more than FAN_OUT_ABOVE files below: one message per file
    assert _api(owner, faulty, "PATCH", f"/api/files/{folder}", json={"name": new_name}).status_code == 200

    sent = time.monotonic()
    _drained(faulty)
    print(f"\nevents made in {sent - started:.1f} s, queues drained {time.monotonic() - sent:.1f} s later")

    # Faults did happen to each function (the seed is fixed; how records batch depends on timing).
    injected = _faults_injected(faulty)
    print(f"\nfaults injected: {dict(sorted(injected.items()))}")
    assert sum(injected.values()) >= 30, injected
    for function in ("notifier", "indexer", "scanner"):
        assert any(f == function for f, _ in injected), (function, injected)

    # Every verdict recorded: clean uploads readable, EICAR quarantined once.
    listing = {i["id"]: i for i in _api(owner, faulty, "GET", f"/api/folders/{folder}").json()["items"]}
    assert {listing[e["id"]]["scan_status"] for e in clean} == {"clean"}
    assert {listing[e["id"]]["scan_status"] for e in infected} == {"infected"}
    s3 = faulty.boto3("s3")
    for entry in infected:
        kept = s3.list_object_versions(
            Bucket="kumo-files-123456789012", Prefix=f"quarantine/spaces/dept:somu/{entry['id']}/"
        )
        assert len(kept.get("Versions", [])) == 1, entry["name"]

    # The index matches DynamoDB: every readable file once, at its version, under the new folder name.
    index = _indexed(faulty, folder)
    readable = {i["id"]: i for i in listing.values() if i["kind"] == "file" and i["scan_status"] in (None, "clean")}
    assert set(index) == set(readable) and len(readable) == STAFF_UPLOADS + len(clean)
    assert all(
        index[i]["version"] == readable[i]["version"]
        and index[i]["name"] == readable[i]["name"]
        and index[i]["path"].endswith(f"/{new_name}")
        for i in readable
    ), "every document is current"

    # The owner's inbox: one item per event, as many as there were events.
    inbox = _inbox(faulty, OWNER)
    per_event = Counter(item["event_id"]["S"] for item in inbox)
    assert [e for e, n in per_event.items() if n > 1] == [], "an event notified twice"
    kinds = Counter(item["kind"]["S"] for item in inbox)
    assert kinds["share_accessed"] == PARTNERS
    assert kinds["partner_upload"] == 2 * PARTNERS
    assert kinds["file_quarantined"] == INFECTED

    # One mail per partner upload: no duplicate after a failure that followed the send.
    mails = Counter(
        str(m["subject"]) + str(m["body"]) for m in _mails(faulty, f"{OWNER}@") if MAIL_SUBJECT in m["subject"]
    )
    assert sum(mails.values()) == 2 * PARTNERS and set(mails.values()) == {1}, mails

    # The poison messages, and only they, rest in the DLQs.
    for queue in QUEUES:
        resting = _dlq(faulty, queue)
        assert resting == [poison[queue]], (queue, [json.loads(b).get("detail-type") for b in resting])
