"""Documents that are not files: what a slice above search (surveys: a survey, an answer;
projects: a card) hands in to be found beside the files, under the same permission filter.

Search may not import those slices, so each describes its documents as `Record`s: a kind, a
title and a text, who may find it (principal strings, as documents.principals_of gives them to
people), the page it opens, a version and a few facets. The slice builds them from its own
current state; `index_record` / `remove_record` write them (the indexer function calls the
slice when its events arrive), and `kumo reindex` asks every registered source for them, so a
rebuilt index has them too. The function or command that runs a reindex registers the sources
(`register_source`), since only it may import the slices.

A record's document id starts with its kind ("survey:…", "answer:…", "card:…"), so it can never replace
a file's document (file ids have no colon). Writes use OpenSearch's external versioning like
the files': a write built from an older read of a record loses to a newer one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.search.documents import FILE, clean_text

KINDS = (FILE, "survey", "answer", "card")
RECORD_KINDS = KINDS[1:]

INDEXED, REMOVED, STALE = "indexed", "removed", "stale"


@dataclass(frozen=True)
class Record:
    kind: str  # one of RECORD_KINDS
    doc_id: str  # "<kind>:<the slice's own id>"
    version: int  # grows with every change of the record (an older read never wins)
    title: str
    text: str
    principals: tuple[str, ...]  # who may find it; never empty
    link: str  # the page a hit opens, e.g. /surveys/sv_1
    updated_at: datetime
    department_id: str = ""  # the 部局 (the department facet)
    owner_id: str = ""  # a staff id (the owner facet)
    unit_id: str = ""  # the 所属 it belongs to (shown by name)
    number: str = ""  # e.g. a 照会番号
    path: str = ""  # where it is, as a person reads it (a card: its project)


@dataclass(frozen=True)
class Gone:
    """A record that must not be findable (any more): removed if it is in the index."""

    doc_id: str
    version: int | None = None  # its version now, when it still exists (an older write loses)


Change = Record | Gone
# Every record as it is now (since=None), or every record changed since a moment (the catch-up
# after a reindex's swap), each as a Record or, when it must not be findable, a Gone.
RecordSource = Callable[[datetime | None], Iterable[Change]]

_SOURCES: dict[str, RecordSource] = {}


def register_source(name: str, source: RecordSource) -> None:
    """Make `kumo reindex` include the source's records (registering again replaces it)."""
    _SOURCES[name] = source


def sources() -> dict[str, RecordSource]:
    return dict(_SOURCES)


def document(record: Record) -> dict[str, Any]:
    """The search document of a record. Refuses one nobody could find, or one whose id could
    stand for another kind's document."""
    if record.kind not in RECORD_KINDS:
        raise ValueError(f"unknown record kind {record.kind!r}")
    if not record.doc_id.startswith(f"{record.kind}:"):
        raise ValueError(f"a {record.kind} record's id must start with '{record.kind}:'")
    if not record.principals:
        raise ValueError("a record without principals could never be found; refusing to index it")
    if not record.link.startswith("/") or record.link.startswith("//"):
        raise ValueError("a record's link is a path on this site")
    optional = {
        "department_id": record.department_id,
        "owner_id": record.owner_id,
        "unit_id": record.unit_id,
        "number": record.number,
        "path": record.path,
    }
    return {
        "kind": record.kind,
        "name": clean_text(record.title),
        "content": clean_text(record.text),
        "content_status": "extracted",
        "principals": sorted(set(record.principals)),
        "link": record.link,
        "updated_at": record.updated_at.isoformat(),
        **{k: v for k, v in optional.items() if v},  # absent rather than "": no empty facet bucket
    }


def index_record(record: Record) -> str:
    """Put the record's current state in the index. INDEXED, or STALE when a newer one is there."""
    from opensearchpy.exceptions import ConflictError

    from chalicelib.search.client import client
    from chalicelib.search.index import alias
    from chalicelib.search.indexer import ready

    body = document(record)
    ready()
    try:
        client().index(index=alias(), id=record.doc_id, body=body, version=record.version, version_type="external_gte")
    except ConflictError:
        return STALE
    return INDEXED


def remove_record(doc_id: str, version: int | None = None) -> str:
    """Take the record out of the index (nothing happens if it is not there). REMOVED or STALE."""
    from chalicelib.search.indexer import ready, remove_document

    if ":" not in doc_id:
        raise ValueError("not a record's id")  # never a file's document
    ready()
    return remove_document(doc_id, version)


def apply(change: Change) -> str:
    if isinstance(change, Record):
        return index_record(change)
    return remove_record(change.doc_id, change.version)
