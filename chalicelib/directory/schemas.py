"""The JSON API's request and answer types for the directory (the contract: chalicelib/core/contract.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict


class DepartmentOut(TypedDict):
    department_id: str
    name: str
    name_ja: str
    name_en: str


class DepartmentsOut(TypedDict):
    items: list[DepartmentOut]


class UnitOut(TypedDict):
    unit_id: str
    name: str
    name_ja: str
    name_en: str
    kind: str  # bukyoku (部局), shozoku (所属), kakari (係)
    parent_id: str | None
    path: list[str]  # unit ids from the 部局 down to this one
    short_name: str  # the prefix of a 照会番号


class UnitsOut(TypedDict):
    items: list[UnitOut]


@dataclass(frozen=True)
class NewNotice:
    title: str
    body: str = ""


class NoticeOut(TypedDict):
    notice_id: str
    title: str
    body: str
    author_name: str
    created_at: str


class NoticesOut(TypedDict):
    items: list[NoticeOut]
