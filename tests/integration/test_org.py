"""The org tree through the local stack: `kumo org import`, `kumo users import --effective`, and
access that follows a person's 所属 from the day a transfer takes effect, not before."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import eventually, sign_in
from tests.integration.test_files import _api, _folder
from tests.integration.test_search import ids, search, text_file
from tests.support.stack import RunningStack

pytestmark = pytest.mark.integration
PASSWORD = "Org-Test-Passw0rd"
USERS_HEADER = "staff_id,display_name,email,unit,post,role\n"
# A signed-in person's staff record is cached by each web worker for this long (accounts/service.py).
CACHE_S = 45


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _staff_item(stack: RunningStack, staff_id: str) -> dict[str, Any]:
    item = stack.boto3("dynamodb").get_item(TableName="kumo-staff", Key={"staff_id": {"S": staff_id}})["Item"]
    return dict(item)


def _with_password(stack: RunningStack, staff_id: str) -> requests.Session:
    idp = stack.boto3("cognito-idp")
    pool = next(p for p in idp.list_user_pools(MaxResults=60)["UserPools"] if p["Name"] == "kumo-staff")
    idp.admin_set_user_password(UserPoolId=pool["Id"], Username=staff_id, Password=PASSWORD, Permanent=True)
    session = sign_in(stack.base_url, staff_id, PASSWORD)
    return session


def _spaces(session: requests.Session, stack: RunningStack) -> list[str]:
    return [s["space_id"] for s in _api(session, stack, "GET", "/api/spaces").json()["items"]]


def _listed(session: requests.Session, stack: RunningStack, space: str) -> list[str]:
    return [i["id"] for i in _api(session, stack, "GET", f"/api/folders/{space}").json()["items"]]


def test_a_moved_person_reaches_the_new_units_files_from_the_effective_day_and_no_longer_the_old(
    stack: RunningStack, tmp_path: Path
) -> None:
    tag = uuid.uuid4().hex[:6]
    old, new = f"kankyo-old-{tag}", f"shoko-new-{tag}"
    org_csv = _write(
        tmp_path / "org.csv",
        "組織ID,名称,英語名,種別,上位組織,略称,表示順\n"
        f"{old},環境調整課{tag},Environment Coordination,所属,環境生活部,,90\n"
        f"{new},産業連携課{tag},Industry Partnership,所属,shoko,,90\n"
        f"{new}-kakari,連携係,Partnership Section,係,{new},,10\n",
        "cp932",
    )
    result = stack.kumo("org", "import", str(org_csv), check=True)
    assert "3 created, 0 updated" in result.stdout

    mover, colleague, newcomer = f"mover.{tag}", f"colleague.{tag}", f"newcomer.{tag}"
    users = _write(
        tmp_path / "users.csv",
        USERS_HEADER
        + f"{mover},異動 する人,{mover}@pref.example.lg.jp,{old},一般,member\n"
        + f"{colleague},残る 人,{colleague}@pref.example.lg.jp,{old},所属長,member\n"
        + f"{newcomer},先に いる人,{newcomer}@pref.example.lg.jp,{new},所属長,member\n",
    )
    assert "3 created, 0 updated" in stack.kumo("users", "import", str(users), check=True).stdout
    assert _staff_item(stack, mover)["department_id"] == {"S": "kankyo"}

    word = f"異動確認{tag}"
    old_file = text_file(_with_password(stack, colleague), stack, f"dept:{old}", "引継ぎ.txt", f"{word} 旧所属の資料")
    new_session = _with_password(stack, newcomer)
    new_folder = _folder(new_session, stack, f"dept:{new}")
    new_file = text_file(new_session, stack, f"dept:{new}", "新所属.txt", f"{word} 新所属の資料")

    # A move from a day still to come changes nothing yet.
    future = (date.today() + timedelta(days=60)).isoformat()
    move = _write(
        tmp_path / "move.csv", USERS_HEADER + f"{mover},異動 する人,{mover}@pref.example.lg.jp,{new},,member\n"
    )
    scheduled = stack.kumo("users", "import", str(move), "--effective", future, check=True)
    assert "0 created, 1 updated; 1 moved from" in scheduled.stdout
    me = _with_password(stack, mover)
    assert f"dept:{old}" in _spaces(me, stack) and f"dept:{new}" not in _spaces(me, stack)
    assert old_file in _listed(me, stack, f"dept:{old}")
    assert new_folder not in _listed(me, stack, f"dept:{new}")
    eventually(lambda: old_file in ids(search(me, stack, q=word)), timeout_s=30)
    assert new_file not in ids(search(me, stack, q=word))

    # A move whose day has come counts at once, before any job writes it down.
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    stack.kumo("users", "import", str(move), "--effective", yesterday, check=True)
    eventually(lambda: f"dept:{new}" in _spaces(me, stack), timeout_s=CACHE_S)
    assert f"dept:{old}" not in _spaces(me, stack)
    assert new_folder in _listed(me, stack, f"dept:{new}")
    assert old_file not in _listed(me, stack, f"dept:{old}")
    eventually(lambda: old_file not in ids(search(me, stack, q=word)), timeout_s=CACHE_S)
    eventually(lambda: new_file in ids(search(me, stack, q=word)), timeout_s=30)
    # The old unit's files stay the old unit's: the colleague still has them.
    colleague_session = sign_in(stack.base_url, colleague, PASSWORD)
    assert old_file in _listed(colleague_session, stack, f"dept:{old}")

    # The scheduler's sweep (this one, or kumo dev's own every few minutes) writes the move into
    # the record, and the 部局 index with it.
    stack.kumo("sweep", check=True)
    stored = _staff_item(stack, mover)
    assert stored["department_id"] == {"S": "shoko"} and stored["unit_id"] == {"S": new}
    assert "transfers" in stored, "the move 60 days on is still pending"
    assert len(stored["transfers"]["L"]) == 1


def test_the_organisation_pages_show_the_tree_and_bad_files_are_refused_whole(
    stack: RunningStack, tmp_path: Path
) -> None:
    member = sign_in(stack.base_url, "yamada.k")
    page = member.get(f"{stack.base_url}/directory", timeout=30)
    assert page.status_code == 200
    assert 'href="/departments/somu">総務部</a>' in page.text and "財政課" in page.text and "大橋 智子" in page.text
    department = member.get(f"{stack.base_url}/departments/doboku", timeout=30)
    assert department.status_code == 200 and "道路管理係" in department.text and "坂本 純" in department.text
    assert member.get(f"{stack.base_url}/departments/doro", timeout=30).status_code == 404, "a 所属 has no notices page"

    me = member.get(f"{stack.base_url}/api/me", timeout=30).json()
    assert (me["department_id"], me["unit_id"]) == ("somu", "somuka")
    assert me["assignments"] == [
        {"path": ["somu", "somuka"], "post": "coordinator"},
        {"path": ["somu", "zaisei"], "post": "general"},
    ]
    units = {u["unit_id"]: u for u in member.get(f"{stack.base_url}/api/units", timeout=30).json()["items"]}
    assert units["zaisei-yosan"]["path"] == ["somu", "zaisei", "zaisei-yosan"]
    assert (units["zaisei"]["kind"], units["zaisei"]["short_name"], units["somu"]["parent_id"]) == (
        "shozoku",
        "財政",
        None,
    )

    bad = _write(
        tmp_path / "bad-org.csv",
        "unit_id,name,name_en,kind,parent\nloop-a,甲課,,所属,loop-b\nloop-b,乙課,,所属,loop-a\nok-x,丙課,,所属,somu\n",
    )
    result = stack.kumo("org", "import", str(bad))
    assert result.returncode == 1 and "nothing was imported" in result.stderr
    assert "row 2: column parent: the parents go round in a circle: loop-a → loop-b → loop-a" in result.stderr
    item = stack.boto3("dynamodb").get_item(TableName="kumo-departments", Key={"department_id": {"S": "ok-x"}})
    assert "Item" not in item, "the good row was not written either"
