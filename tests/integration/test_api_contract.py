"""The JSON API fuzzed against its own OpenAPI document (Schemathesis), on a stack of its own.

Every operation is fuzzed as a signed-in member, as an anonymous client and, for /api/share/*, as a
partner holding a link. The bar: no 5xx, and every answer has a documented status, content type
and shape. The run is bounded (examples per operation) and deterministic; its case count is
printed at the end of the test session and written to build/api-fuzz.json.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import DEMO_PASSWORD
from tests.support.stack import ROOT, RunningStack

# The fuzz runs hundreds of cases per role: on a loaded 2-core machine it may pass the 300 s default.
pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
CSRF = "fuzz-pre-session-csrf-token"  # the double-submit token of a client before sign-in
MEMBER = "kondo.m"
RESULTS = ROOT / "build" / "api-fuzz.json"
# Examples per operation: the whole fuzz (three runs) stays within about two minutes on 2 cores.
MAX_EXAMPLES = int(os.environ.get("KUMO_FUZZ_EXAMPLES", "5"))
case_counts: dict[str, int] = {}


@pytest.fixture(scope="module")
def own_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """The fuzz creates, renames and trashes at random: never in the stack other tests share."""
    running = RunningStack(tmp_path_factory.mktemp("kumo-fuzz"))
    running.start()
    try:
        yield running
    finally:
        running.stop()


def _post(
    stack: RunningStack, path: str, body: dict[str, Any], cookies: dict[str, str], csrf: str
) -> requests.Response:
    return requests.post(
        f"{stack.base_url}{path}", json=body, cookies=cookies, headers={"X-CSRF-Token": csrf}, timeout=60
    )


def _member(stack: RunningStack) -> tuple[str, str]:
    signed = _post(stack, "/api/session", {"staff_id": MEMBER, "password": DEMO_PASSWORD}, {"kumo_csrf": CSRF}, CSRF)
    assert signed.status_code == 201, signed.text
    return signed.cookies["kumo_session"], signed.json()["csrf_token"]


def _exchange(stack: RunningStack, session: str, csrf: str) -> dict[str, str]:
    """A new folder of the member's, an exchange link to it, and an upload opened into it."""
    staff = {"kumo_session": session}
    folder = _post(stack, f"/api/folders/user:{MEMBER}/folders", {"name": f"fuzz-{uuid.uuid4().hex[:8]}"}, staff, csrf)
    assert folder.status_code == 201, folder.text
    folder_id = folder.json()["id"]
    link = _post(stack, "/api/shares", {"target_id": folder_id, "kind": "exchange"}, staff, csrf)
    assert link.status_code == 201, link.text
    upload = _post(
        stack,
        "/api/files/uploads",
        {"folder_id": folder_id, "name": "fuzz.txt", "size": 4, "content_type": "text/plain"},
        staff,
        csrf,
    )
    assert upload.status_code == 201, upload.text
    return {
        "folder_id": folder_id,
        "link_id": link.json()["id"],
        "token": link.json()["url"].split("#", 1)[1],
        "upload_id": upload.json()["upload_id"],
    }


def _partner(stack: RunningStack, token: str) -> str:
    """A partner's cookie on the exchange link (downloads and uploads)."""
    opened = _post(stack, "/api/share/open", {"token": token}, {"kumo_csrf": CSRF}, CSRF)
    assert opened.status_code == 200, opened.text
    return str(opened.cookies["kumo_share"])


def _real_ids(stack: RunningStack, session: str, made: dict[str, str]) -> dict[str, list[str]]:
    """Ids that exist, so that half the cases reach past "not found" into the services."""
    listing = requests.get(f"{stack.base_url}/api/folders/dept:somu", cookies={"kumo_session": session}, timeout=60)
    assert listing.status_code == 200, listing.text
    items = listing.json()["items"]
    for folder in [i for i in items if i["kind"] == "folder"][:3]:
        below = requests.get(
            f"{stack.base_url}/api/folders/{folder['id']}", cookies={"kumo_session": session}, timeout=60
        )
        items += below.json()["items"][:4] if below.status_code == 200 else []
    return {
        "file": [i["id"] for i in items] + [made["folder_id"]],
        "folder": [
            made["folder_id"],
            "dept:somu",
            f"user:{MEMBER}",
            *[i["id"] for i in items if i["kind"] == "folder"],
        ],
        "space": ["dept:somu", f"user:{MEMBER}"],
        "department": ["somu", "digital"],
        "link": [made["link_id"]],
        "upload": [made["upload_id"]],
    }


def _config(path: Path, ids: dict[str, list[str]]) -> Path:
    """A schemathesis.toml binding each id parameter to real ids half of the time."""
    lines = [
        f"[dictionaries.{kind}]\nvalues = {json.dumps(values, ensure_ascii=False)}\n" for kind, values in ids.items()
    ]
    bindings = {
        "path.file_id": "file",
        "path.folder_id": "folder",
        "path.space_id": "space",
        "path.department_id": "department",
        "path.link_id": "link",
        "path.upload_id": "upload",
        "body.folder_id": "folder",
        "body.target_id": "file",
        "query.target_id": "file",
        "query.folder": "folder",
        "query.department": "department",
    }
    lines.append("[parameters]")
    lines += [
        f'"{key}" = {{ dictionary = "{kind}", probability = 0.5 }}' for key, kind in bindings.items() if kind in ids
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def _fuzz(
    stack: RunningStack, who: str, cookie: str, csrf: str, *filters: str, ids: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    report = RESULTS.parent / f"api-fuzz-{who}.json"
    report.parent.mkdir(exist_ok=True)
    report.unlink(missing_ok=True)
    config = _config(RESULTS.parent / f"api-fuzz-{who}.toml", ids or {})
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "--config-file",
            str(config),
            "run",
            f"{stack.base_url}/api/openapi.json",
            "--header",
            f"Cookie: {cookie}",
            "--header",
            f"X-CSRF-Token: {csrf}",
            "--checks",
            CHECKS,
            "--max-examples",
            str(MAX_EXAMPLES),
            "--generation-deterministic",
            "--generation-with-security-parameters",
            "false",
            "--phases",
            "examples,coverage,fuzzing",
            "--workers",
            "1",
            "--request-timeout",
            "60",
            "--no-color",
            "--report",
            "json",
            "--report-json-path",
            str(report),
            *filters,
        ],
        cwd=report.parent,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert report.exists(), f"schemathesis did not run:\n{run.stdout[-4000:]}\n{run.stderr[-4000:]}"
    result: dict[str, Any] = json.loads(report.read_text())
    case_counts[who] = int(result["test_cases"]["generated"])
    RESULTS.write_text(json.dumps({**case_counts, "total": sum(case_counts.values())}, indent=1))
    failures = {f["title"]: f["operations"] for f in result["failures"]}
    assert run.returncode == 0 and not failures and not result["errors"], (
        f"{failures}\n{result['errors']}\n{run.stdout[-12000:]}"
    )
    assert result["operations"]["tested"] == result["operations"]["selected"] > 0
    return result


def test_the_contract_holds_for_a_signed_in_member(own_stack: RunningStack) -> None:
    session, csrf = _member(own_stack)
    ids = _real_ids(own_stack, session, _exchange(own_stack, session, csrf))
    # Signing out would end the session the rest of the run uses; the anonymous run covers it.
    result = _fuzz(
        own_stack, "member", f"kumo_session={session}", csrf, "--exclude-operation-id", "delete_api_session", ids=ids
    )
    assert result["test_cases"]["generated"] > result["operations"]["tested"]


def test_the_contract_holds_for_an_anonymous_client(own_stack: RunningStack) -> None:
    _fuzz(own_stack, "anonymous", f"kumo_csrf={CSRF}", CSRF)


def test_the_contract_holds_for_a_partner(own_stack: RunningStack) -> None:
    session, csrf = _member(own_stack)
    made = _exchange(own_stack, session, csrf)
    partner = _partner(own_stack, made["token"])
    upload = requests.post(
        f"{own_stack.base_url}/api/share/uploads",
        json={"uploader_name": "fuzz", "name": "fuzz.txt", "size": 4, "content_type": "text/plain"},
        cookies={"kumo_share": partner, "kumo_csrf": CSRF},
        headers={"X-CSRF-Token": CSRF},
        timeout=60,
    )
    assert upload.status_code == 201, upload.text
    ids = {"file": [made["folder_id"]], "folder": [made["folder_id"]], "upload": [upload.json()["upload_id"]]}
    # Closing the partner session would end it for the rest of the run; the anonymous run covers it.
    _fuzz(
        own_stack,
        "partner",
        f"kumo_share={partner}; kumo_csrf={CSRF}",
        CSRF,
        "--include-path-regex",
        "^/api/share(/|$)",
        "--exclude-operation-id",
        "post_api_share_close",
        ids=ids,
    )


@pytest.mark.parametrize("method", ["TRACE", "QUERY"])
def test_a_method_no_route_has_is_a_404_in_the_api_shape(own_stack: RunningStack, method: str) -> None:
    answer = requests.request(method, f"{own_stack.base_url}/api/me", timeout=30)
    assert answer.status_code == 404
    assert answer.json()["error"] == "not_found"


def test_the_document_is_served_to_anyone(own_stack: RunningStack) -> None:
    answer = requests.get(f"{own_stack.base_url}/api/openapi.json", timeout=30)
    assert answer.status_code == 200
    assert answer.json()["openapi"] == "3.1.0"
    assert "/api/files/uploads" in answer.json()["paths"]
