"""A fresh corner of the organisation for each recruiting test, on the shared local stack.

Caps and commitments belong to people, and every test of the session shares one stack: so each
test gets 所属 and staff of its own (a tag in their ids), written by a short Python process aimed
at the stack as `kumo` commands are, with a sign-in each. Projects are made the same way,
through the projects slice's own use case (their pages and routes are another part's).
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from typing import Any

import requests

from tests.conftest import sign_in
from tests.support.stack import ROOT, RunningStack

PASSWORD = "Recruit-Test-Passw0rd"

_SCRIPT = """
import json, sys
from chalicelib.accounts import cognito
from chalicelib.core.auth import Post, Role
from chalicelib.directory import service as directory
from chalicelib.directory.org import OrgUnit, UnitKind
from chalicelib.directory.service import Staff
from chalicelib.projects import projects

spec = json.loads(sys.stdin.read())
directory.save_units(
    [OrgUnit(u["id"], u["name"], u["name"], UnitKind.SHOZOKU, u["parent"], sort_order=900) for u in spec["units"]]
)
for s in spec["staff"]:
    email = s["id"] + "@pref.example.lg.jp"
    directory.save_staff(
        Staff(s["id"], s["name"], email, s["department"], Role(s["role"]), unit_id=s["unit"], post=Post(s["post"]))
    )
    cognito.upsert_user(s["id"], email, s["name"], permanent_password=spec["password"])
made = {}
for p in spec["projects"]:
    owner = directory.find_staff(p["owner"]).principal()
    draft = projects.ProjectDraft(name=p["name"], description=p["description"], visibility=p["visibility"])
    made[p["key"]] = projects.create(owner, draft).project_id
print(json.dumps(made))
"""


@dataclass
class World:
    stack: RunningStack
    tag: str
    units: dict[str, str]  # role -> unit id
    projects: dict[str, str] = field(default_factory=dict)  # key -> project id
    _sessions: dict[str, requests.Session] = field(default_factory=dict)

    def id(self, role: str) -> str:
        return f"{role}.{self.tag}"

    def as_(self, role: str) -> requests.Session:
        """A signed-in session of one of this world's people (or a demo account by its id)."""
        if role not in self._sessions:
            staff_id = role if "." in role or role == "admin" else self.id(role)
            password = "Kumo-Demo-2026" if staff_id == role else PASSWORD
            self._sessions[role] = sign_in(self.stack.base_url, staff_id, password)
        return self._sessions[role]

    def call(self, role: str, method: str, path: str, **kw: Any) -> requests.Response:
        return self.as_(role).request(method, f"{self.stack.base_url}{path}", timeout=120, **kw)


# Who is who: role -> (name, 部局, unit role, post)
PEOPLE = {
    "owner": ("公募 担当", "somu", "project_unit", "general"),
    "projecthead": ("公募 課長", "somu", "project_unit", "head"),
    "applicant": ("応募 する人", "doboku", "home", "general"),
    "head": ("応募 課長", "doboku", "home", "head"),
    "deputy": ("応募 副課長", "doboku", "home", "head"),  # a second 所属長 of the same 所属 (兼務 in practice)
    "otherhead": ("他課 課長", "kikaku", "other", "head"),
    "other": ("他課 職員", "kikaku", "other", "general"),
}


def make_world(stack: RunningStack, projects: list[dict[str, str]]) -> World:
    """Three 所属 (the project's, the applicant's, another) with their people, and projects owned by
    "owner" (each {"key", "name", "description"[, "visibility"]})."""
    tag = uuid.uuid4().hex[:6]
    units = {"project_unit": f"rec-p-{tag}", "home": f"rec-h-{tag}", "other": f"rec-o-{tag}"}
    parents = {"project_unit": "somu", "home": "doboku", "other": "kikaku"}
    names = {"project_unit": f"公募推進課{tag}", "home": f"道路保全課{tag}", "other": f"企画調整課{tag}"}
    spec = {
        "password": PASSWORD,
        "units": [{"id": units[k], "name": names[k], "parent": parents[k]} for k in units],
        "staff": [
            {
                "id": f"{role}.{tag}",
                "name": f"{name}{tag[:2]}",
                "department": dept,
                "role": "member",
                "unit": units[unit],
                "post": post,
            }
            for role, (name, dept, unit, post) in PEOPLE.items()
        ],
        "projects": [
            {"owner": f"owner.{tag}", "visibility": "members", **p, "name": f"{p['name']} {tag}"} for p in projects
        ],
    }
    result = subprocess.run(
        [sys.executable, "-c", _SCRIPT],
        input=json.dumps(spec),
        cwd=ROOT,
        env=stack.env(),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return World(stack, tag, units, json.loads(result.stdout.strip().splitlines()[-1]))
