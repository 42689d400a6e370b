"""The JSON API's request and answer types for files (the contract: chalicelib/core/contract.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict


class EntryOut(TypedDict):
    """A file or a folder."""

    id: str
    kind: str
    name: str
    parent_id: str
    space_id: str
    owner_id: str
    visibility: str
    size: int
    content_type: str | None
    version: int
    status: str
    created_at: str
    updated_at: str
    trashed_at: str | None
    scan_status: str | None
    search_note: str | None


class EntriesOut(TypedDict):
    items: list[EntryOut]


class SpaceOut(TypedDict):
    space_id: str
    quota_bytes: int
    used_bytes: int


class SpacesOut(TypedDict):
    items: list[SpaceOut]


@dataclass(frozen=True)
class Quota:
    quota_bytes: int


class FolderOut(TypedDict):
    space: SpaceOut
    folder: EntryOut | None
    path: list[EntryOut]
    items: list[EntryOut]
    can_write: bool


@dataclass(frozen=True)
class NewFolder:
    name: str
    visibility: str | None = None


@dataclass(frozen=True)
class NewUpload:
    """An upload to open: the server checks name, type, size and quota before answering."""

    folder_id: str
    name: str
    size: int
    content_type: str | None = None
    relative_path: str | None = None  # a dropped tree's folders, made on the way
    visibility: str | None = None


class TicketOut(TypedDict):
    """Where to send the bytes: a form post (url, fields) or a multipart upload (sign each part)."""

    upload_id: str
    method: str
    url: str | None
    fields: dict[str, str] | None
    key: str | None
    name: str  # the name the file will be saved under (may differ from the one asked for)
    adds_version: bool  # it becomes the next version of the same-named file
    version: int


@dataclass(frozen=True)
class PlanRequest:
    names: list[str]


class PlanOut(TypedDict):
    requested: str
    name: str
    adds_version: bool
    renamed: bool


class PlansOut(TypedDict):
    """Where each upload would go, before a byte is sent: a new file, a new name, or a new version."""

    items: list[PlanOut]


@dataclass(frozen=True)
class PartSize:
    crc32: str = ""  # the part's CRC-32, 4 bytes big-endian in base64 (S3's x-amz-checksum-crc32); required
    size: int | None = None  # the part's size in bytes, checked when it is signed


class UrlOut(TypedDict):
    url: str


class UploadPartOut(TypedDict):
    PartNumber: int
    ETag: str
    Size: int


class UploadPartsOut(TypedDict):
    parts: list[UploadPartOut]


@dataclass(frozen=True)
class Change:
    """What to change; each given field is one change (rename, move, visibility)."""

    name: str = ""
    folder_id: str = ""
    visibility: str = ""


class VersionOut(TypedDict):
    version: int
    size: int
    content_type: str
    uploaded_by: str
    uploaded_at: str
    partner_name: str | None  # a partner's upload: the name they gave, through which link
    via_link: str | None


class VersionsOut(TypedDict):
    items: list[VersionOut]


@dataclass(frozen=True)
class Download:
    version: int | None = None  # the current one when not given
    inline: bool | None = None  # show it in the browser when its type allows
