"""The JSON API's request and answer types for share links, staff and partner sides
(the contract: chalicelib/core/contract.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypedDict

from chalicelib.files.schemas import PartSize, PlanRequest, PlansOut, TicketOut, UploadPartsOut, UrlOut

# The partner routes take and answer what the staff's do.
__all__ = ["PartSize", "PlanRequest", "PlansOut", "UploadPartsOut", "TicketOut", "UrlOut"]


@dataclass(frozen=True)
class LinkOptions:
    """A link's settings; on a change, each given field is one change."""

    expires_at: str | None = field(default=None, metadata={"doc": "ISO date-time; or expires_in_days"})
    expires_in_days: float | None = None
    password: str | None = None  # "" or null: none
    max_downloads: int | None = None
    message: str | None = None
    recipients: list[str] | str | None = None  # addresses, as a list or separated by commas or spaces
    verify_email: bool | None = None
    notify_on_access: bool | None = None
    notify_on_upload: bool | None = None
    upload_max_mb: int | None = None  # partner uploads (file request, exchange): at most this much ...
    upload_max_files: int | None = None  # ... and this many files


@dataclass(frozen=True, kw_only=True)
class NewLink(LinkOptions):
    target_id: str
    kind: str = "download"  # download | request | exchange


class LinkOut(TypedDict):
    id: str
    kind: str
    target_id: str
    target_kind: str
    owner_id: str
    owner_name: str
    message: str | None
    created_at: str
    expires_at: str
    has_password: bool
    max_downloads: int | None
    download_count: int
    recipients: list[str]
    verify_email: bool
    notify_on_access: bool
    notify_on_upload: bool
    state: str
    revoked_at: str | None
    locked_until: str | None
    upload_max_bytes: int | None
    upload_max_files: int | None
    upload_bytes: int
    upload_files: int


class IssuedOut(LinkOut):
    url: str  # the partner's address: the token is in its fragment, shown once


class LinksOut(TypedDict):
    items: list[LinkOut]


@dataclass(frozen=True)
class LinksQuery:
    target_id: str | None = field(default=None, metadata={"doc": "the links to this file or folder; else mine"})


@dataclass(frozen=True)
class AuditQuery:
    format: str | None = field(default=None, metadata={"doc": "csv: a spreadsheet instead of JSON"})


class AuditEventOut(TypedDict):
    at: str
    action: str
    actor: str
    ip: str | None
    user_agent: str | None
    link_id: str
    file_id: str | None
    object: str | None
    detail: str | None


class AuditOut(TypedDict):
    items: list[AuditEventOut]


# --- partners -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    token: str


@dataclass(frozen=True)
class Password:
    password: str


@dataclass(frozen=True)
class Email:
    email: str


@dataclass(frozen=True)
class Code:
    code: str


class _SummaryGated(TypedDict):
    kind: str
    gates: list[str]  # what the partner must still pass: password, email
    department: str
    expires_at: str


class SummaryOut(_SummaryGated, total=False):
    """What a partner may know: before the gates only who shared it, after them the rest."""

    owner_name: str
    message: str | None
    downloads_left: int | None
    can_download: bool
    can_upload: bool
    uploader_name: str | None
    upload_types: list[str]  # the extensions partners may send, when the link takes uploads


class SentOut(TypedDict):
    sent: bool


class PartnerEntryOut(TypedDict):
    id: str
    kind: str
    name: str
    size: int
    content_type: str | None
    version: int
    updated_at: str
    scan_status: str | None


class PartnerEntriesOut(TypedDict):
    items: list[PartnerEntryOut]


class ListingOut(TypedDict):
    folder: PartnerEntryOut
    path: list[PartnerEntryOut]
    items: list[PartnerEntryOut]


@dataclass(frozen=True)
class ZipRequest:
    folder_id: str | None = None  # the link's folder when not given


@dataclass(frozen=True)
class PartnerPlanRequest:
    names: list[str]
    uploader_name: str | None = None


@dataclass(frozen=True)
class PartnerUpload:
    uploader_name: str
    name: str
    size: int
    content_type: str | None = None
    relative_path: str | None = None


class UploadTypesOut(TypedDict):
    types: list[str]  # extensions such as .pdf


@dataclass(frozen=True)
class UploadTypes:
    types: list[str] | str  # a list, or one text: ".pdf, .docx .xlsx"
