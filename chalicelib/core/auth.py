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
    "member": Role.MEMBER,
    "一般": Role.MEMBER,
    "職員": Role.MEMBER,
    "dept_admin": Role.DEPARTMENT_ADMIN,
    "department_admin": Role.DEPARTMENT_ADMIN,
    "所属管理者": Role.DEPARTMENT_ADMIN,
    "部局管理者": Role.DEPARTMENT_ADMIN,
    "system_admin": Role.SYSTEM_ADMIN,
    "システム管理者": Role.SYSTEM_ADMIN,
}


class Post(StrEnum):
    """A staff member's post in a unit (所属): who answers for it, who gathers its answers."""

    HEAD = "head"  # 所属長
    COORDINATOR = "coordinator"  # 取りまとめ担当
    GENERAL = "general"  # 一般

    @property
    def rank(self) -> int:
        return {"general": 0, "coordinator": 1, "head": 2}[self.value]


POST_ALIASES = {
    "head": Post.HEAD,
    "所属長": Post.HEAD,
    "coordinator": Post.COORDINATOR,
    "取りまとめ担当": Post.COORDINATOR,
    "取りまとめ": Post.COORDINATOR,
    "general": Post.GENERAL,
    "一般": Post.GENERAL,
    "": Post.GENERAL,
}


@dataclass(frozen=True)
class Assignment:
    """One place a person works: a unit path from the 部局 down (部局, 所属[, 係]) and the post
    held there. The first assignment of a principal is the main one; the others are 兼務."""

    path: tuple[str, ...]
    post: Post = Post.GENERAL

    @property
    def unit_id(self) -> str:
        """The 所属 (or the 部局 itself for staff placed directly in a 部局)."""
        return self.path[1] if len(self.path) > 1 else self.path[0]


@dataclass(frozen=True)
class Principal:
    staff_id: str
    display_name: str
    email: str
    department_id: str  # the 部局 of the main assignment
    role: Role
    assignments: tuple[Assignment, ...] = ()

    @property
    def is_system_admin(self) -> bool:
        return self.role is Role.SYSTEM_ADMIN

    @property
    def main(self) -> Assignment:
        return self.assignments[0] if self.assignments else Assignment((self.department_id,))

    @property
    def unit_id(self) -> str:
        """The main 所属: where this person's surveys, answers and work belong."""
        return self.main.unit_id

    @property
    def units(self) -> frozenset[str]:
        """Every unit this person belongs to, ancestors included, across 兼務: a unit space or a
        unit-visible item is open to them when its unit is in here."""
        paths = self.assignments or (self.main,)
        return frozenset(unit for a in paths for unit in a.path)

    def post_in(self, unit_id: str) -> Post | None:
        """The post held in this 所属 (main or 兼務), or None when not a member of it."""
        posts = [a.post for a in (self.assignments or (self.main,)) if a.unit_id == unit_id]
        return max(posts, key=lambda p: p.rank) if posts else None

    def belongs_to(self, unit_id: str) -> bool:
        return unit_id in self.units

    def administers(self, department_id: str) -> bool:
        """A department admin administers the units they belong to (their 部局 and 所属); a system
        admin, every one."""
        if self.is_system_admin:
            return True
        return self.role is Role.DEPARTMENT_ADMIN and department_id in self.units


def require_signed_in(principal: Principal | None) -> Principal:
    if principal is None:
        raise Unauthenticated("Sign in to continue.")
    return principal


def require_role(principal: Principal | None, role: Role) -> Principal:
    p = require_signed_in(principal)
    if p.role.rank < role.rank:
        raise Forbidden("This needs the role {needed}; your role is {actual}.", needed=role.value, actual=p.role.value)
    return p


def require_department_admin(principal: Principal | None, department_id: str) -> Principal:
    p = require_signed_in(principal)
    if not p.administers(department_id):
        raise Forbidden("Only an administrator of this department can do this.")
    return p
