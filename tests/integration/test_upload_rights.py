"""Who may add a version by uploading the same name, and names that cannot lie (issue 8, items 2 and 6).

Adding a version needs the right to restore one (the file's owner or an administrator of its
space); a member who may only read the file gets a new name instead, and the plan says so
before the upload starts.
"""

from __future__ import annotations

import pytest

from tests.integration.test_files import _api, _folder, download, upload
from tests.integration.test_sharing import Signed
from tests.support.stack import RunningStack

pytestmark = pytest.mark.integration


def test_a_member_who_may_only_read_a_file_uploads_a_copy_not_a_version(stack: RunningStack, signed_in: Signed) -> None:
    owner, member, admin = signed_in("yamada.k"), signed_in("kondo.m"), signed_in("tanaka.h")  # all 総務部
    folder = _folder(owner, stack, "dept:somu")
    original = upload(owner, stack, folder, "予算案.txt", b"owner's draft").json()

    plan = _api(member, stack, "POST", f"/api/folders/{folder}/upload-plan", json={"names": ["予算案.txt", "新.txt"]})
    assert plan.status_code == 200, plan.text
    assert [(p["name"], p["adds_version"], p["renamed"]) for p in plan.json()["items"]] == [
        ("予算案 (2).txt", False, True),
        ("新.txt", False, False),
    ]
    copy = upload(member, stack, folder, "予算案.txt", b"member's idea").json()
    assert copy["name"] == "予算案 (2).txt" and copy["id"] != original["id"]
    assert download(owner, stack, original["id"]).content == b"owner's draft"

    # The owner, and an administrator of the space, add versions.
    assert upload(owner, stack, folder, "予算案.txt", b"owner v2").json()["version"] == 2
    admin_plan = _api(admin, stack, "POST", f"/api/folders/{folder}/upload-plan", json={"names": ["予算案.txt"]})
    assert admin_plan.json()["items"][0]["adds_version"] is True
    assert upload(admin, stack, folder, "予算案.txt", b"admin v3").json()["version"] == 3
    # And the member's own copy is theirs to version.
    again = upload(member, stack, folder, "予算案 (2).txt", b"member v2").json()
    assert (again["id"], again["version"]) == (copy["id"], 2)


def test_versions_are_numbered_by_reservation_and_the_object_is_never_copied(
    stack: RunningStack, signed_in: Signed
) -> None:
    me = signed_in("ogata.r")
    folder = _folder(me, stack, "user:ogata.r")
    first = upload(me, stack, folder, "図面.txt", b"one").json()
    started = _api(
        me,
        stack,
        "POST",
        "/api/files/uploads",
        json={"folder_id": folder, "name": "図面.txt", "size": 3, "content_type": "text/plain"},
    ).json()
    assert (started["adds_version"], started["version"], started["name"]) == (True, 2, "図面.txt")
    assert started["key"].endswith(f"/{first['id']}/v00000002"), "straight to the version's own key"
    second = upload(me, stack, folder, "図面.txt", b"three").json()
    assert second["version"] == 3, "version 2 is held by the upload still in progress"
    _api(me, stack, "DELETE", f"/api/files/uploads/{started['upload_id']}")
    assert download(me, stack, first["id"]).content == b"three"


@pytest.mark.parametrize("name", ["doc\u202eexe.txt", "a\u2066b.txt", "zero\u200bwidth.txt", "bom\ufeff.txt"])
def test_names_that_lie_are_refused(stack: RunningStack, signed_in: Signed, name: str) -> None:
    me = signed_in("ogata.r")
    refused = upload(me, stack, "user:ogata.r", name, b"x")
    assert refused.status_code == 400 and refused.json()["details"]["field"] == "name"
    folder = _api(me, stack, "POST", "/api/folders/user:ogata.r/folders", json={"name": name})
    assert folder.status_code == 400


@pytest.mark.parametrize("name", ["setup.exe.", "setup.exe . ", "run.BAT..."])
def test_trailing_dots_and_spaces_do_not_hide_an_executable(stack: RunningStack, signed_in: Signed, name: str) -> None:
    refused = upload(signed_in("ogata.r"), stack, "user:ogata.r", name, b"MZ")
    assert refused.status_code == 400 and refused.json()["details"]["field"] == "name", refused.text


def test_trailing_dots_are_dropped_from_a_name_as_windows_does(stack: RunningStack, signed_in: Signed) -> None:
    stored = upload(signed_in("ogata.r"), stack, "user:ogata.r", "議事録.txt. ", b"x").json()
    assert stored["name"] == "議事録.txt"
