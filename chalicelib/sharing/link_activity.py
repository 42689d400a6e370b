"""The share activity of a link, a file or a folder, read from the audit trail."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.core.auth import Principal, require_signed_in
from chalicelib.core.errors import Forbidden
from chalicelib.files import access, policy
from chalicelib.files.entries import Entry
from chalicelib.sharing import audit
from chalicelib.sharing.links import Link, managed, to_link
from chalicelib.sharing.storage import LinkRecord, bind

ACTIVITY_PAGE = 100  # records on the share-activity page; the CSV has the rest
ACTIVITY_EXPORT = 5000


@dataclass(frozen=True)
class Activity:
    """The share activity of a file or folder, newest first."""

    item: Entry
    events: list[audit.AuditEvent]
    links: dict[str, Link]  # the links the events are about, while they exist
    more: bool  # older records were left out


def audit_trail(principal: Principal | None, link_id: str) -> list[audit.AuditEvent]:
    managed(principal, link_id)
    return audit.for_link(link_id)


def can_audit(p: Principal, item: Entry) -> bool:
    """Who reads the share activity of a whole file or folder: its owner and its space's administrators."""
    return policy.can_manage(p, item.item)


def item_activity(principal: Principal | None, item_id: str, limit: int = ACTIVITY_PAGE) -> Activity:
    """The newest records of every link to a file or folder, and of the file reached through a folder's link.

    Someone who cannot read the item learns nothing of it (404); a reader who does not manage it is
    refused (403).
    """
    p = require_signed_in(principal)
    entry = access.readable(p, item_id)
    if not can_audit(p, entry):
        raise Forbidden("Only the owner or an administrator of this space can read its audit trail.")
    bind()
    own = {r.link_id: r for r in LinkRecord.by_target.query(entry.file_id)}
    streams = [audit.for_link(link_id, limit + 1) for link_id in own]
    streams.append(audit.for_file(entry.file_id, limit + 1))
    found = audit.newest(streams, limit + 1)
    others = {e.link_id for e in found} - own.keys()
    records = [*own.values(), *(LinkRecord.batch_get(others) if others else [])]
    return Activity(entry, found[:limit], {r.link_id: to_link(r) for r in records}, len(found) > limit)


def file_audit_trail(principal: Principal | None, file_id: str) -> list[audit.AuditEvent]:
    return item_activity(principal, file_id, ACTIVITY_EXPORT).events
