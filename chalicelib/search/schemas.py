"""The JSON API's request and answer types for search (the contract: chalicelib/core/contract.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypedDict


@dataclass(frozen=True)
class SearchQuery:
    q: str | None = field(default=None, metadata={"doc": "the words to find (in names and text)"})
    type: str | None = field(default=None, metadata={"doc": "a file type group (pdf, word, excel, ...)"})
    kind: str | None = field(default=None, metadata={"doc": "file, survey or answer"})
    department: str | None = field(default=None, metadata={"doc": "a department id"})
    owner: str | None = field(default=None, metadata={"doc": "a staff id"})
    folder: str | None = field(default=None, metadata={"doc": "search this folder and below"})
    sort: str | None = field(default=None, metadata={"doc": "relevance (default) or date"})
    page: str | None = field(default=None, metadata={"doc": "a whole number from 1"})
    per_page: str | None = field(default=None, metadata={"doc": "a whole number"})
    # `from` is a keyword in Python: the parameter's name is given in its metadata.
    date_from: str | None = field(default=None, metadata={"doc": "changed on or after (2026-04-01)", "name": "from"})
    date_to: str | None = field(default=None, metadata={"doc": "changed on or before (2026-04-30)", "name": "to"})


class HitOut(TypedDict):
    id: str  # a file's id, or a record's ("survey:sv_…", "answer:sv_…:unit")
    kind: str  # file | survey | answer
    link: str  # the page the hit opens
    name: str
    name_html: str
    path: str
    folder_id: str
    department_id: str
    owner_id: str
    type: str
    content_type: str
    size: int
    updated_at: str | None
    snippet_html: str
    content_status: str
    unit_id: str  # surveys and answers: the 所属 (issuing, answering); "" for files
    number: str  # surveys and answers: the 照会番号; "" for files


class FacetOut(TypedDict):
    value: str
    count: int


class ResultsOut(TypedDict):
    total: int
    page: int
    per_page: int
    pages: int
    took_ms: int
    expanded_with: list[str]
    items: list[HitOut]
    facets: dict[str, list[FacetOut]]


@dataclass(frozen=True)
class SuggestQuery:
    q: str | None = None


class SuggestionOut(TypedDict):
    file_id: str
    name: str
    path: str


class SuggestOut(TypedDict):
    items: list[SuggestionOut]


class SynonymsOut(TypedDict):
    groups: list[list[str]]
    updated_by: str | None
    updated_at: str | None


@dataclass(frozen=True)
class Synonyms:
    groups: list[list[str]]


class SavedSynonymsOut(TypedDict):
    groups: list[list[str]]
