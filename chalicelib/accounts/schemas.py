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


class MeOut(TypedDict):
    staff_id: str
    display_name: str
    email: str
    department_id: str
    role: str
