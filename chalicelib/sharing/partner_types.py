"""Which kinds of file partners may send through a link: an allow-list a system admin keeps.

Staff may store almost anything (executables excepted). What arrives from outside is held to a
shorter list of document, image, drawing and archive types, as a prefecture's mail gateway
does; an administrator adds a type when a department needs it (e.g. a CAD format).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from chalicelib.core.auth import Principal, Role, require_role
from chalicelib.core.errors import BadRequest
from chalicelib.core.storage import get_or_none
from chalicelib.files.upload_plan import BLOCKED_EXTENSIONS
from chalicelib.sharing.storage import ShareSettingRecord, bind

KEY = "partner_upload_types"
DEFAULT = frozenset(
    {
        # documents (一太郎 .jtd included), spreadsheets, presentations, text
        ".pdf",
        ".doc",
        ".docx",
        ".xls",
        ".xlsx",
        ".ppt",
        ".pptx",
        ".odt",
        ".ods",
        ".odp",
        ".rtf",
        ".txt",
        ".csv",
        ".jtd",
        ".xml",
        # images and scans
        ".jpg",
        ".jpeg",
        ".png",
        ".gif",
        ".tif",
        ".tiff",
        ".bmp",
        ".heic",
        ".webp",
        # drawings: CAD and the electronic delivery formats of public works (電子納品)
        ".dwg",
        ".dxf",
        ".jww",
        ".jwc",
        ".sfc",
        ".p21",
        # archives (scanned like everything else; a password-protected one is quarantined)
        ".zip",
        # video and audio of a site visit or a meeting
        ".mp4",
        ".mov",
        ".m4a",
        ".mp3",
    }
)
EXTENSION = re.compile(r"^\.[a-z0-9]{1,10}$")
MAX_TYPES = 200


def allowed() -> frozenset[str]:
    bind()
    record = get_or_none(ShareSettingRecord, KEY)
    if record is None or record.values is None:
        return DEFAULT
    return frozenset(str(v) for v in record.values)


def parse(raw: str | list[str]) -> list[str]:
    """'.pdf, docx .XLSX' -> ['.docx', '.pdf', '.xlsx']: each checked, executables refused."""
    items = re.split(r"[\s,、]+", raw) if isinstance(raw, str) else [str(x) for x in raw]
    found: set[str] = set()
    for item in (i.strip().lower() for i in items):
        if not item:
            continue
        ext = item if item.startswith(".") else f".{item}"
        if not EXTENSION.match(ext):
            raise BadRequest(
                "Not a file type: {value}. Write extensions such as .pdf or .xlsx.", field="types", value=item
            )
        if ext in BLOCKED_EXTENSIONS:
            raise BadRequest("Files of type {ext} cannot be stored here.", field="types", ext=ext)
        found.add(ext)
    if not found:
        raise BadRequest("Name at least one file type partners may send.", field="types")
    if len(found) > MAX_TYPES:
        raise BadRequest("At most {max} file types.", field="types", max=MAX_TYPES)
    return sorted(found)


def change(principal: Principal | None, raw: str | list[str]) -> frozenset[str]:
    p = require_role(principal, Role.SYSTEM_ADMIN)
    values = parse(raw)
    bind()
    ShareSettingRecord(KEY, values=values, updated_by=p.staff_id, updated_at=datetime.now(UTC)).save()
    return frozenset(values)


def reset(principal: Principal | None) -> frozenset[str]:
    require_role(principal, Role.SYSTEM_ADMIN)
    bind()
    ShareSettingRecord(KEY).delete()
    return DEFAULT
