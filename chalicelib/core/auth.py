"""Who is asking, and may they: the helpers every feature's service layer uses.

The API resolves the signed-in staff member once per request (see accounts.service) into a
`Principal`; services take the principal as an argument and check it themselves, so a rule
holds on every path (JSON, page, CLI, function), not only behind one route.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from chalicelib.core.errors import Forbidden, Unauthenticated


class Role(StrEnum):
    MEMBER = "member"
    DEPARTMENT_ADMIN = "dept_admin"
    SYSTEM_ADMIN = "system_admin"

    @property
    def rank(self) -> int:
        return {"member": 0, "dept_admin": 1, "system_admin": 2}[self.value]


ROLE_ALIASES = {
    "member": Role.MEMBER, "一般": Role.MEMBER, "職員": Role.MEMBER,
    "dept_admin": Role.DEPARTMENT_ADMIN, "department_admin": Role.DEPARTMENT_ADMIN,
    "所属管理者": Role.DEPARTMENT_ADMIN, "部局管理者": Role.DEPARTMENT_ADMIN,
    "system_admin": Role.SYSTEM_ADMIN, "システム管理者": Role.SYSTEM_ADMIN,
}


@dataclass(frozen=True)
class Principal:
    staff_id: str
    display_name: str
    email: str
    department_id: str
    role: Role

    @property
    def is_system_admin(self) -> bool:
        return self.role is Role.SYSTEM_ADMIN

    def administers(self, department_id: str) -> bool:
        """A department admin administers their own department; a system admin, every one."""
        if self.is_system_admin:
            return True
        return self.role is Role.DEPARTMENT_ADMIN and self.department_id == department_id


def require_signed_in(principal: Principal | None) -> Principal:
    if principal is None:
        raise Unauthenticated("Sign in to continue.")
    return principal


def require_role(principal: Principal | None, role: Role) -> Principal:
    p = require_signed_in(principal)
    if p.role.rank < role.rank:
        raise Forbidden("This needs the role {needed}; your role is {actual}.",
                        needed=role.value, actual=p.role.value)
    return p


def require_department_admin(principal: Principal | None, department_id: str) -> Principal:
    p = require_signed_in(principal)
    if not p.administers(department_id):
        raise Forbidden("Only an administrator of this department can do this.")
    return p
