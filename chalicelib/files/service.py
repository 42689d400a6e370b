"""The names uploads.py and sharing/partner_uploads.py still take from the files slice's old service module.

The use cases live in modules of their own now (entries, spaces, access, listing, folders, changes,
trash, versions, search_feed). This shim goes once uploads.py and partner_uploads.py import those
modules; the import contract "files-service-shim" keeps anyone else from coming to depend on it.
"""

from __future__ import annotations

from chalicelib.files.access import manageable, readable, resolve_folder
from chalicelib.files.changes import announce_change
from chalicelib.files.entries import Entry, get_entry, new_id, now
from chalicelib.files.folders import create_folder, folder_for_path
from chalicelib.files.folders import visibility_under as _visibility_under
from chalicelib.files.spaces import space
from chalicelib.files.trash import trash
from chalicelib.files.versions import version_record

__all__ = [
    "Entry",
    "_visibility_under",
    "announce_change",
    "create_folder",
    "folder_for_path",
    "get_entry",
    "manageable",
    "new_id",
    "now",
    "readable",
    "resolve_folder",
    "space",
    "trash",
    "version_record",
]
