"""Where an upload goes, decided before a byte is sent: a new file, or the next version of one.

Who may add a version is the rule that protects other people's work:
- staff: the same right as restoring a version (the file's owner or an administrator of its
  space). Anyone else who may write in the folder still uploads, but under a new name
  (`見積書 (2).xlsx`), as Box and Nextcloud do, so nobody silently replaces a colleague's file.
- a partner (through a share link): only a file that this partner's own session created. Any
  other same-named file is left alone and the upload gets a new name.
The plan is shown to the person before the upload starts, and held to when it completes.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.core.auth import Principal
from chalicelib.core.errors import BadRequest, Conflict
from chalicelib.core.storage import get_or_none, update_if
from chalicelib.files import policy
from chalicelib.files.names import clean_name, extension, name_key, numbered
from chalicelib.files.storage import FileNameRecord, FileRecord, bind

MAX_NUMBERED = 999  # "報告書 (999).docx" is as far as a folder of copies goes
# Executables and scripts have no business in a document store; everything else is allowed
# for staff (an HTML file may be stored, and is only ever downloaded as an attachment).
BLOCKED_EXTENSIONS = frozenset(
    {
        ".exe",
        ".com",
        ".bat",
        ".cmd",
        ".scr",
        ".msi",
        ".ps1",
        ".vbs",
        ".js",
        ".jse",
        ".wsf",
        ".hta",
        ".cpl",
        ".jar",
        ".lnk",
        ".pif",
        ".reg",
        ".sh",
        ".dll",
        ".sys",
        ".vbe",
        ".wsh",
        ".msc",
        ".iso",
        ".img",
        ".vhd",
        ".vhdx",
        ".appx",
        ".msix",
    }
)


@dataclass(frozen=True)
class PartnerUpload:
    """A partner uploading through a share link: who they are and what they may replace."""

    link_id: str
    session: str  # the link session's id (a hash): only that session may go on with the upload
    uploader_name: str  # the name (and organisation) the partner gave
    own_files: frozenset[str]  # files this session created: the only ones it may add versions to
    allowed_extensions: frozenset[str]  # what partners may send (an administrator's list)


@dataclass(frozen=True)
class Plan:
    name: str  # the name the file will have
    file_id: str | None  # the file that gets a new version, or None for a new file
    requested: str  # the name the person asked for

    @property
    def adds_version(self) -> bool:
        return self.file_id is not None

    @property
    def renamed(self) -> bool:
        return self.name != self.requested


def check_type(name: str, partner: PartnerUpload | None) -> str:
    """The extension, if this kind of file may be stored (by this uploader)."""
    ext = extension(name)
    if ext in BLOCKED_EXTENSIONS:
        raise BadRequest("Files of type {ext} cannot be stored here.", field="name", ext=ext or name)
    if partner is not None and ext not in partner.allowed_extensions:
        raise BadRequest(
            "Files of type {ext} cannot be sent through this link. Allowed: {allowed}.",
            field="name",
            ext=ext or "(none)",
            allowed=" ".join(sorted(partner.allowed_extensions)),
        )
    return ext


def may_add_version(p: Principal, existing: FileRecord, partner: PartnerUpload | None) -> bool:
    if partner is not None:
        return existing.file_id in partner.own_files
    return policy.can_manage(p, policy.Item(existing.space_id, existing.owner_id, existing.visibility))


def plan(
    p: Principal, parent_id: str, raw_name: str, partner: PartnerUpload | None = None, *, versions: bool = True
) -> Plan:
    """What happens to an upload named `raw_name` in the folder `parent_id` (a folder or space id).

    With `versions=False` (a survey answer's files) nothing ever becomes another file's next
    version: a taken name gets the next numbered one, whoever owns the file."""
    requested = clean_name(raw_name)
    check_type(requested, partner)
    bind()
    for n in range(1, MAX_NUMBERED + 1):
        name = requested if n == 1 else numbered(requested, n)
        taken = get_or_none(FileNameRecord, parent_id, name_key(name))
        if taken is None:
            return Plan(name, None, requested)
        existing = get_or_none(FileRecord, taken.file_id)
        if existing is None:  # a name left behind by a half-deleted file: treat as taken
            continue
        if n == 1 and existing.kind == "folder":
            raise Conflict("There is already a folder named {name} here.", name=name)
        if (
            versions
            and existing.kind == "file"
            and existing.status == "active"
            and may_add_version(p, existing, partner)
        ):
            return Plan(name, existing.file_id, requested)
    raise Conflict("There are too many files named like {name} here. Choose another name.", name=requested)


def reserve_version(file_id: str) -> int:
    """The next version number of a file, reserved for one upload (two uploads never share one)."""
    bind()
    for _ in range(20):
        record = FileRecord.get(file_id, consistent_read=True)
        current = max(int(record.version or 0), int(record.reserved_version or 0))
        nxt = current + 1
        seen = (
            FileRecord.reserved_version.does_not_exist()
            if record.reserved_version is None
            else FileRecord.reserved_version == int(record.reserved_version)
        )
        if update_if(FileRecord(file_id), [FileRecord.reserved_version.set(nxt)], seen & (FileRecord.version < nxt)):
            return nxt
    raise Conflict("Too many people are saving this file at once. Try again.")
