"""Partner uploads through the local scanner, end to end on the local stack.

Until the sharing API records partner uploads itself, a partner's upload is played the way it
will arrive: a staff upload through the real API, its version marked "pending" in DynamoDB (as
upload_complete.complete does for a link session), and a real PartnerUploaded event put on the
Kumo bus.
From there everything is real: the rule, the scan queue, the consumer thread calling
functions/scanner, S3, DynamoDB, and the download API's refusal.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
import requests

from chalicelib.core.event_catalogue import PartnerUploaded
from chalicelib.scanning.engine import EICAR
from tests.conftest import eventually
from tests.integration.test_files import _api, _folder, download, upload
from tests.support.stack import RunningStack

pytestmark = pytest.mark.integration
BUCKET = "kumo-files-123456789012"  # the local stack's default prefix and account


def _partner_upload(stack: RunningStack, me: requests.Session, folder: str, name: str, data: bytes) -> dict[str, Any]:
    done = upload(me, stack, folder, name, data)
    assert done.status_code == 201, done.text
    entry: dict[str, Any] = done.json()
    ddb = stack.boto3("dynamodb")
    version = ddb.get_item(
        TableName="kumo-file_versions", Key={"file_id": {"S": entry["id"]}, "version": {"S": "00000001"}}
    )["Item"]
    pending = {":p": {"S": "pending"}}
    ddb.update_item(
        TableName="kumo-file_versions",
        Key={"file_id": {"S": entry["id"]}, "version": {"S": "00000001"}},
        UpdateExpression="SET scan_status = :p",
        ExpressionAttributeValues=pending,
    )
    ddb.update_item(
        TableName="kumo-files",
        Key={"file_id": {"S": entry["id"]}},
        UpdateExpression="SET scan_status = :p",
        ExpressionAttributeValues=pending,
    )
    key = version["s3_key"]["S"]
    detail = PartnerUploaded(
        file_id=entry["id"],
        version=1,
        s3_key=key,
        space_id=key.split("/")[1],
        folder_id=folder,
        name=name,
        link_id="ln_simulated",
        owner_id="yamada.k",
        notify=False,
        uploader_name="山田建設 鈴木",
        uploader_email="",
    )
    sent = stack.boto3("events").put_events(Entries=[detail.event().to_entry("kumo-events")])
    assert sent["FailedEntryCount"] == 0
    return {**entry, "key": key}


def _scan_status(stack: RunningStack, me: requests.Session, file_id: str) -> str | None:
    status = _api(me, stack, "GET", f"/api/files/{file_id}").json()["scan_status"]
    return None if status == "pending" else str(status)


def _keys(stack: RunningStack, prefix: str) -> list[str]:
    listing = stack.boto3("s3").list_object_versions(Bucket=BUCKET, Prefix=prefix)
    return [v["Key"] for v in listing.get("Versions", [])]


def test_an_eicar_upload_is_quarantined_and_never_served(stack: RunningStack, signed_in: Any) -> None:
    me = signed_in("yamada.k")
    folder = _folder(me, stack, "dept:somu")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("見積書.txt", "お見積りは別紙のとおりです。")
        z.writestr("添付/readme.com", EICAR)
    infected = _partner_upload(stack, me, folder, "見積書一式.zip", archive.getvalue())
    assert _api(me, stack, "POST", f"/api/files/{infected['id']}/download", json={}).status_code == 409  # pending

    assert eventually(lambda: _scan_status(stack, me, infected["id"])) == "infected"
    refused = _api(me, stack, "POST", f"/api/files/{infected['id']}/download", json={})
    assert refused.status_code == 409, refused.text
    listing = _api(me, stack, "GET", f"/api/folders/{folder}").json()["items"]
    assert [(i["name"], i["scan_status"]) for i in listing] == [("見積書一式.zip", "infected")], "still listed"
    assert _keys(stack, infected["key"]) == [], "no version of the object is left where it was"
    assert _keys(stack, f"quarantine/{infected['key']}") == [f"quarantine/{infected['key']}"]
    told = eventually(
        lambda: [
            n
            for n in _api(me, stack, "GET", "/api/notifications").json()["items"]
            if n["kind"] == "file_quarantined" and "見積書一式.zip" in n["text"]
        ]
    )
    assert told[0]["link"] == f"/files/{folder}" and "EICAR" in told[0]["text"]


def test_a_clean_upload_becomes_downloadable(stack: RunningStack, signed_in: Any) -> None:
    me = signed_in("yamada.k")
    folder = _folder(me, stack, "dept:somu")
    content = "令和8年度 委託業務の報告書（最終版）\n".encode()
    clean = _partner_upload(stack, me, folder, "報告書.txt", content)
    assert eventually(lambda: _scan_status(stack, me, clean["id"])) == "clean"
    assert download(me, stack, clean["id"]).content == content
