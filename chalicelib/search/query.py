"""From a person's search form to an OpenSearch query. Pure: unit-tested without a server.

The person never writes query DSL: they give text and a few enumerated filters, validated
here. The principals filter is added last, by this module, from the signed-in person; nothing
the request says can remove or widen it.

Relevance: kuromoji words across name and content (all words must appear), a phrase bonus so
「電子決裁」 as written beats 電子 … 決裁 apart, file names weighted well above content, and the
bigram sub-fields at a low weight with 75 % of the query's bigrams required, so a two-character
fragment alone cannot lift a file to the top. Synonym rewrites of the query count a little
less than the words typed. Surveys, answers and project cards (records.py) are found by the same
fields (their title is the `name`, their text the `content`) and filtered by `kind`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from chalicelib.core.errors import BadRequest
from chalicelib.search.documents import MARK_END, MARK_START, TYPE_GROUPS
from chalicelib.search.records import KINDS, RECORD_KINDS

PER_PAGE_DEFAULT, PER_PAGE_MAX = 20, 50
MAX_WINDOW = 10_000  # index.max_result_window
MAX_QUERY_CHARS = 200
SORTS = ("relevance", "date")
FILE_TYPES = (*TYPE_GROUPS, "other")
_ID = re.compile(r"^[A-Za-z0-9:_.\-]{1,128}$")


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    department: str | None = None
    file_type: str | None = None
    kind: str | None = None
    owner: str | None = None
    folder: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = PER_PAGE_DEFAULT

    @property
    def has_filters(self) -> bool:
        return any((self.department, self.file_type, self.kind, self.owner, self.folder, self.date_from, self.date_to))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass(frozen=True)
class Built:
    body: dict[str, Any]
    expansions: list[str] = field(default_factory=list)


def _identifier(params: dict[str, str], key: str) -> str | None:
    value = (params.get(key) or "").strip()
    if not value:
        return None
    if not _ID.match(value):
        raise BadRequest("{field} is not a valid value.", field=key)
    return value


def _date(params: dict[str, str], key: str) -> date | None:
    value = (params.get(key) or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadRequest("{field} must be a date like 2026-04-01.", field=key) from None


def _whole(params: dict[str, str], key: str, default: int, low: int, high: int) -> int:
    value = (params.get(key) or "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise BadRequest("{field} must be a whole number.", field=key) from None
    if not low <= number <= high:
        raise BadRequest("{field} must be between {low} and {high}.", field=key, low=low, high=high)
    return number


def parse(params: dict[str, str]) -> SearchRequest:
    q = " ".join((params.get("q") or "").split())
    if len(q) > MAX_QUERY_CHARS:
        raise BadRequest("The search text is too long (at most {max} characters).", max=MAX_QUERY_CHARS)
    file_type = (params.get("type") or "").strip() or None
    if file_type is not None and file_type not in FILE_TYPES:
        raise BadRequest("Unknown file type {value}.", value=file_type)
    kind = (params.get("kind") or "").strip() or None
    if kind is not None and kind not in KINDS:
        raise BadRequest("Unknown kind {value}.", value=kind)
    sort = (params.get("sort") or "relevance").strip()
    if sort not in SORTS:
        raise BadRequest("sort must be relevance or date.")
    per_page = _whole(params, "per_page", PER_PAGE_DEFAULT, 1, PER_PAGE_MAX)
    page = _whole(params, "page", 1, 1, MAX_WINDOW // per_page)
    date_from, date_to = _date(params, "from"), _date(params, "to")
    if date_from and date_to and date_from > date_to:
        raise BadRequest("The start date is after the end date.")
    return SearchRequest(
        q=q,
        department=_identifier(params, "department"),
        file_type=file_type,
        kind=kind,
        owner=_identifier(params, "owner"),
        folder=_identifier(params, "folder"),
        date_from=date_from,
        date_to=date_to,
        sort=sort,
        page=page,
        per_page=per_page,
    )


def _text_clauses(text: str, weight: float) -> list[dict[str, Any]]:
    return [
        {
            "multi_match": {
                "query": text,
                "type": "cross_fields",
                "operator": "and",
                "fields": ["name^4", "content"],
                "boost": weight,
            }
        },
        {"match_phrase": {"content": {"query": text, "boost": 2 * weight}}},
        {"match_phrase": {"name": {"query": text, "boost": 6 * weight}}},
        {
            "multi_match": {
                "query": text,
                "type": "best_fields",
                "minimum_should_match": "75%",
                "fields": ["name.bigram^2", "content.bigram"],
                "boost": 0.2 * weight,
            }
        },
    ]


def _kind_is(kind: str) -> dict[str, Any]:
    if kind in RECORD_KINDS:
        return {"term": {"kind": kind}}
    # Files indexed before documents had a kind have none: "not a record" finds them too.
    return {"bool": {"must_not": [{"terms": {"kind": list(RECORD_KINDS)}}]}}


def filters(req: SearchRequest, principals: list[str]) -> list[dict[str, Any]]:
    clauses: list[dict[str, Any]] = []
    if req.department:
        clauses.append({"term": {"department_id": req.department}})
    if req.file_type:
        clauses.append({"term": {"type_group": req.file_type}})
    if req.kind:
        clauses.append(_kind_is(req.kind))
    if req.owner:
        clauses.append({"term": {"owner_id": req.owner}})
    if req.folder:
        clauses.append({"term": {"ancestors": req.folder}})
    if req.date_from or req.date_to:
        span: dict[str, str] = {}
        if req.date_from:
            span["gte"] = datetime.combine(req.date_from, time.min).isoformat() + "+09:00"
        if req.date_to:
            span["lt"] = datetime.combine(req.date_to + timedelta(days=1), time.min).isoformat() + "+09:00"
        clauses.append({"range": {"updated_at": span}})
    # Last and unconditional: only what this person may read.
    clauses.append({"terms": {"principals": list(principals)}})
    return clauses


def build(req: SearchRequest, principals: list[str], expansions: list[str] | None = None) -> Built:
    if not principals:
        raise ValueError("a search without principals would see nothing; refusing to build it")
    expansions = expansions or []
    should: list[dict[str, Any]] = []
    if req.q:
        should = _text_clauses(req.q, 1.0)
        for alternative in expansions:
            should.extend(_text_clauses(alternative, 0.8))
    query: dict[str, Any] = {"bool": {"filter": filters(req, principals)}}
    if should:
        query["bool"]["should"] = should
        query["bool"]["minimum_should_match"] = 1
    sort: list[Any] = (
        [{"updated_at": "desc"}] if req.sort == "date" or not req.q else ["_score", {"updated_at": "desc"}]
    )
    body: dict[str, Any] = {
        "query": query,
        "from": req.offset,
        "size": req.per_page,
        "sort": sort,
        "track_total_hits": True,
        "_source": {"excludes": ["content", "principals"]},
        "highlight": {
            "pre_tags": [MARK_START],
            "post_tags": [MARK_END],
            "fields": {
                "content": {"fragment_size": 120, "number_of_fragments": 2, "no_match_size": 160},
                "content.bigram": {"fragment_size": 120, "number_of_fragments": 1},
                "name": {"number_of_fragments": 0},
                "name.bigram": {"number_of_fragments": 0},
            },
        },
        "aggs": {
            "department": {"terms": {"field": "department_id", "size": 30}},
            "type": {"terms": {"field": "type_group", "size": 10}},
            "kind": {"terms": {"field": "kind", "size": len(KINDS)}},
            "owner": {"terms": {"field": "owner_id", "size": 10}},
        },
    }
    return Built(body, expansions)


def suggest_body(prefix: str, principals: list[str], size: int = 8) -> dict[str, Any]:
    if not principals:
        raise ValueError("a suggestion without principals would see nothing; refusing to build it")
    return {
        "size": size,
        "_source": ["file_id", "name", "path", "folder_id"],
        "query": {
            "bool": {
                "should": [
                    {
                        "multi_match": {
                            "query": prefix,
                            "type": "bool_prefix",
                            "fields": ["name.prefix", "name.prefix._2gram", "name.prefix._3gram"],
                        }
                    },
                    {"match": {"name.bigram": {"query": prefix, "operator": "and"}}},
                    {"match_phrase_prefix": {"name": {"query": prefix, "boost": 2}}},
                ],
                "minimum_should_match": 1,
                # File names only (the suggestions complete a file's name); and who may see it.
                "filter": [_kind_is("file"), {"terms": {"principals": list(principals)}}],
            }
        },
    }
