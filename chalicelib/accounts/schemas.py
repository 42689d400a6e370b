"""The JSON API's request and answer types for sessions (the contract: chalicelib/core/contract.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict


@dataclass(frozen=True)
class SignIn:
    staff_id: str
    password: str


class SessionOut(TypedDict):
    staff_id: str
    display_name: str
    department_id: str
    role: str
    csrf_token: str


class AssignmentOut(TypedDict):
    path: list[str]  # unit ids from the 部局 down: 部局, 所属[, 係]
    post: str  # head (所属長), coordinator (取りまとめ担当), general (一般)


class MeOut(TypedDict):
    staff_id: str
    display_name: str
    email: str
    department_id: str  # the 部局 of the main 所属
    unit_id: str  # the main 所属 (the 部局 for staff placed directly in it)
    assignments: list[AssignmentOut]  # the main place first, then each 兼務
    role: str
