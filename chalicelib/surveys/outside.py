"""Organisations outside the prefecture a survey goes to (市町村, partner bodies): what the issuer
writes about each, how it is checked, how it is stored with the survey. Pure: no I/O.

An outside organisation answers like a 所属 does: one answer, keyed `ext:<org id>` beside the
所属 ids, so the status board, reminders and exports go through every answer alike. It has no
members in the directory: its contact reaches the answer through a link mailed to them
(invitations.py), and its name travels on its answer, since the directory does not know it.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from typing import Any

from chalicelib.core.errors import BadRequest
from chalicelib.core.i18n_markers import N_

PREFIX = "ext:"
GROUP = "external"  # the 部局 slot of their answers: the board groups (and filters) them as one
GROUP_NAME = N_("Outside organisations")
MAX_ORGANISATIONS = 200
NAME_MAX = 100
EMAIL_MAX = 254
ORG_ID = re.compile(r"^org_[0-9a-f]{8,16}$")
_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


@dataclass(frozen=True)
class ExternalTarget:
    org_id: str  # "" until the survey is saved: then one is made, and it stays with the draft and its copies
    name: str
    email: str

    @property
    def unit_id(self) -> str:
        return unit_id_of(self.org_id)


def unit_id_of(org_id: str) -> str:
    return f"{PREFIX}{org_id}"


def is_external(unit_id: str) -> bool:
    return unit_id.startswith(PREFIX)


def org_of(unit_id: str) -> str:
    return unit_id.removeprefix(PREFIX)


def is_email(address: str) -> bool:
    """An address mail can be delivered to: local@domain with a dotted domain of DNS labels and a
    letter top-level domain (the forms people mistype: no @, spaces, 'tanaka@city', 'a..b@x.jp')."""
    if len(address) > EMAIL_MAX or address.count("@") != 1:
        return False
    local, domain = address.split("@")
    labels = domain.split(".")
    return (
        0 < len(local) <= 64
        and bool(_LOCAL.match(local))
        and len(labels) >= 2
        and all(_LABEL.match(label) for label in labels)
        and labels[-1].isalpha()
        and len(labels[-1]) >= 2
    )


def _name(raw: Any, row: int) -> str:
    name = " ".join(unicodedata.normalize("NFC", str(raw or "")).split())
    if not 1 <= len(name) <= NAME_MAX:
        raise BadRequest(
            "Give each outside organisation a name of 1 to {limit} characters (row {row}).",
            field="external_targets",
            limit=NAME_MAX,
            row=row,
        )
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in name):
        raise BadRequest(
            "The name in row {row} has characters that cannot be shown.", field="external_targets", row=row
        )
    return name


def _email(raw: Any, row: int) -> str:
    address = str(raw or "").strip().lower()
    if not is_email(address):
        raise BadRequest(
            "Row {row}: {email} is not an e-mail address.", field="external_targets", row=row, email=address or "—"
        )
    return address


def checked(targets: tuple[ExternalTarget, ...]) -> tuple[ExternalTarget, ...]:
    """The organisations as they are stored: names and addresses checked and tidied, each with an
    id (a new one where it had none). Raises BadRequest naming the row (1, 2, ...) at fault."""
    if len(targets) > MAX_ORGANISATIONS:
        raise BadRequest(
            "A survey goes to at most {limit} outside organisations.", field="external_targets", limit=MAX_ORGANISATIONS
        )
    found: list[ExternalTarget] = []
    names: set[str] = set()
    ids: set[str] = set()
    for row, target in enumerate(targets, start=1):
        name, email = _name(target.name, row), _email(target.email, row)
        if name.casefold() in names:
            raise BadRequest("{name} is in the list twice.", field="external_targets", name=name)
        org_id = target.org_id
        if org_id and (not ORG_ID.match(org_id) or org_id in ids):
            raise BadRequest("Row {row} has an id this survey did not give it.", field="external_targets", row=row)
        org_id = org_id or f"org_{secrets.token_hex(8)}"
        names.add(name.casefold())
        ids.add(org_id)
        found.append(ExternalTarget(org_id, name, email))
    return tuple(found)


def parse(raw: Any) -> tuple[ExternalTarget, ...]:
    """What a request sends ([{org_id?, name, email}, ...]) as targets to check; a wrong shape is a 400."""
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise BadRequest("List each outside organisation as its name and e-mail address.", field="external_targets")
    return tuple(
        ExternalTarget(str(item.get("org_id") or ""), str(item.get("name") or ""), str(item.get("email") or ""))
        for item in raw
    )


def to_json(targets: tuple[ExternalTarget, ...]) -> list[dict[str, str]]:
    return [{"org_id": t.org_id, "name": t.name, "email": t.email} for t in targets]


def from_json(data: Any) -> tuple[ExternalTarget, ...]:
    return tuple(
        ExternalTarget(str(item["org_id"]), str(item["name"]), str(item["email"]))
        for item in data or ()
        if isinstance(item, dict)
    )
