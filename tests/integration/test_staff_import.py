"""`kumo users import` against the local stack: UTF-8 and Shift_JIS, bad rows, first sign-in."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import requests

from tests.support.stack import RunningStack, csrf_from

pytestmark = pytest.mark.integration
HEADER = "staff_id,display_name,email,department,role\n"
TEMPORARY = "Temp-Passw0rd-1"


def _staff(stack: RunningStack, staff_id: str) -> dict[str, str] | None:
    item = stack.boto3("dynamodb").get_item(TableName="kumo-staff", Key={"staff_id": {"S": staff_id}}).get("Item")
    return {k: v.get("S", "") for k, v in item.items()} if item else None


def _cognito_user_exists(stack: RunningStack, staff_id: str) -> bool:
    idp = stack.boto3("cognito-idp")
    pool = next(p for p in idp.list_user_pools(MaxResults=60)["UserPools"] if p["Name"] == "kumo-staff")
    try:
        idp.admin_get_user(UserPoolId=pool["Id"], Username=staff_id)
        return True
    except idp.exceptions.UserNotFoundException:
        return False


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp932"])
def test_import_creates_staff_who_set_their_password_at_first_sign_in(
    stack: RunningStack, tmp_path: Path, encoding: str
) -> None:
    suffix = uuid.uuid4().hex[:6]
    new_id = f"import.{suffix}"
    csv_file = tmp_path / "staff.csv"
    # Japanese headers and a department given by its Japanese name, as an office would write it.
    csv_file.write_bytes(
        (f"職員ID,氏名,メールアドレス,所属,権限\n{new_id},高橋 美咲,{new_id}@pref.example.lg.jp,土木部,一般\n").encode(
            encoding
        )
    )
    result = stack.kumo("users", "import", str(csv_file), "--temporary-password", TEMPORARY, check=True)
    assert "1 created, 0 updated" in result.stdout
    staff = _staff(stack, new_id)
    assert staff is not None
    assert staff["display_name"] == "高橋 美咲" and staff["department_id"] == "doboku" and staff["role"] == "member"

    session = requests.Session()
    csrf = csrf_from(session.get(f"{stack.base_url}/login", timeout=30).text)
    challenge = session.post(
        f"{stack.base_url}/login", timeout=30, data={"csrf_token": csrf, "staff_id": new_id, "password": TEMPORARY}
    )
    assert challenge.status_code == 200
    assert 'action="/login/new-password"' in challenge.text
    done = session.post(
        f"{stack.base_url}/login/new-password",
        allow_redirects=False,
        timeout=30,
        data={
            "csrf_token": csrf,
            "staff_id": new_id,
            "challenge": challenge.text.split('name="challenge" value="')[1].split('"')[0],
            "new_password": "My-Own-Passw0rd",
            "confirm_password": "My-Own-Passw0rd",
        },
    )
    assert done.status_code == 303
    assert session.get(f"{stack.base_url}/api/me", timeout=30).json()["staff_id"] == new_id

    # Importing the same file again updates, it does not duplicate.
    again = stack.kumo("users", "import", str(csv_file), check=True)
    assert "0 created, 1 updated" in again.stdout


def test_a_bad_file_is_rejected_whole_with_row_and_column(stack: RunningStack, tmp_path: Path) -> None:
    good_id = f"good.{uuid.uuid4().hex[:6]}"
    csv_file = tmp_path / "bad.csv"
    csv_file.write_text(
        HEADER
        + f"{good_id},正しい 行,{good_id}@pref.example.lg.jp,somu,member\n"
        + "bad id!,名前,not-an-email,nowhere,chief\n"
        + f"{good_id},重複,{good_id}@pref.example.lg.jp,somu,member\n",
        encoding="utf-8",
    )
    result = stack.kumo("users", "import", str(csv_file))
    assert result.returncode == 1
    assert "nothing was imported" in result.stderr
    assert "row 3: column staff_id" in result.stderr
    assert "row 3: column email: 'not-an-email'" in result.stderr
    assert "row 3: column department: no department 'nowhere'" in result.stderr
    assert "row 3: column role: 'chief'" in result.stderr
    assert f"row 4: column staff_id: {good_id} is already on row 2" in result.stderr
    assert _staff(stack, good_id) is None, "the good row must not be half-imported"
    assert not _cognito_user_exists(stack, good_id)


def test_a_file_without_the_columns_or_not_text_is_rejected(stack: RunningStack, tmp_path: Path) -> None:
    missing = tmp_path / "missing.csv"
    missing.write_text("staff_id,display_name\nx.y,名前\n", encoding="utf-8")
    result = stack.kumo("users", "import", str(missing))
    assert result.returncode == 1 and "row 1: missing column(s): email, department, role" in result.stderr
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00\x81\x00\xa0\xfd")
    result = stack.kumo("users", "import", str(binary))
    assert result.returncode == 1 and "neither UTF-8 nor Shift_JIS" in result.stderr
