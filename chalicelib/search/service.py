"""Search use cases: find files (and the surveys, answers and project cards other slices index
beside them: records.py), suggest file names, all as the signed-in staff member may see.

Partners have no search: only a staff principal gets here (require_signed_in), and the query
always carries that person's principals (query.filters). Snippets come back as escaped HTML
with <mark> around the matches: the document's own text can never become markup.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from markupsafe import Markup, escape

from chalicelib.core.auth import Principal, require_signed_in
from chalicelib.core.observability import logger
from chalicelib.search import documents, query, synonyms
from chalicelib.search.client import SearchUnavailable, client, unavailable_errors
from chalicelib.search.documents import MARK_END, MARK_START
from chalicelib.search.index import alias

MIN_SUGGEST_CHARS = 1
FACETS = ("kind", "department", "type", "owner")


@dataclass(frozen=True)
class Hit:
    file_id: str  # the document's id: a file's id, or a record's ("survey:…")
    kind: str  # file | survey | answer | card
    link: str  # the page the hit opens
    name: str
    name_html: Markup
    path: str  # a file's folders; a record's place (a card: its project)
    folder_id: str
    department_id: str
    owner_id: str
    type_group: str
    content_type: str
    size: int
    updated_at: datetime | None
    snippet_html: Markup
    content_status: str
    unit_id: str = ""  # records: the 所属 a survey, answer or project belongs to
    number: str = ""  # records: the 照会番号

    @property
    def is_file(self) -> bool:
        return self.kind == documents.FILE


@dataclass(frozen=True)
class Facet:
    value: str
    count: int


@dataclass(frozen=True)
class SearchResult:
    request: query.SearchRequest
    total: int
    hits: list[Hit]
    facets: dict[str, list[Facet]]
    expansions: list[str]
    took_ms: int

    @property
    def pages(self) -> int:
        return min(query.MAX_WINDOW // self.request.per_page, -(-self.total // self.request.per_page))


def marked(fragment: str) -> Markup:
    """OpenSearch's fragment (with private-use markers) as safe HTML: escape, then <mark>."""
    # Adjacent matches (a word's tokens, the bigram field's grams) read as one highlight.
    fragment = fragment.replace(MARK_END + MARK_START, "")
    escaped = str(escape(fragment))  # every character of the document is escaped first
    return Markup(escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))  # noqa: S704


def _snippet(highlight: dict[str, list[str]]) -> Markup:
    fragments = highlight.get("content") or []
    if not any(MARK_START in f for f in fragments):
        fragments = highlight.get("content.bigram") or fragments
    return Markup(" … ").join(marked(f) for f in fragments[:2])


def _when(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _hit(raw: dict[str, Any]) -> Hit:
    source, highlight = raw.get("_source") or {}, raw.get("highlight") or {}
    name = str(source.get("name", ""))
    name_frags = highlight.get("name") or highlight.get("name.bigram") or []
    doc_id = str(source.get("file_id") or raw.get("_id"))
    kind = str(source.get("kind") or documents.FILE)  # files indexed before kinds existed have none
    return Hit(
        file_id=doc_id,
        kind=kind,
        link=str(source.get("link") or f"/files/{doc_id}"),
        name=name,
        name_html=marked(name_frags[0]) if name_frags else escape(name),
        path=str(source.get("path", "/")),
        folder_id=str(source.get("folder_id", "")),
        department_id=str(source.get("department_id", "")),
        owner_id=str(source.get("owner_id", "")),
        type_group=str(source.get("type_group", "other")),
        content_type=str(source.get("content_type", "")),
        size=int(source.get("size") or 0),
        updated_at=_when(source.get("updated_at")),
        snippet_html=_snippet(highlight),
        content_status=str(source.get("content_status", "")),
        unit_id=str(source.get("unit_id", "")),
        number=str(source.get("number", "")),
    )


def _call(operation: str, body: dict[str, Any]) -> dict[str, Any]:
    try:
        return dict(client().search(index=alias(), body=body))
    except unavailable_errors() as exc:
        logger.warning("search server unreachable", extra={"operation": operation, "error": type(exc).__name__})
        raise SearchUnavailable(
            "Search is unavailable right now. Your files are safe; please try again in a few minutes."
        ) from None
    except Exception as exc:
        from opensearchpy.exceptions import NotFoundError, TransportError

        if isinstance(exc, NotFoundError):  # no index yet (a fresh deployment before the first file)
            return {"hits": {"total": {"value": 0}, "hits": []}, "aggregations": {}, "took": 0}
        if isinstance(exc, TransportError) and isinstance(exc.status_code, int) and exc.status_code >= 500:
            logger.warning("search server failed", extra={"operation": operation, "status": exc.status_code})
            raise SearchUnavailable(
                "Search is unavailable right now. Your files are safe; please try again in a few minutes."
            ) from None
        raise


def search(principal: Principal | None, params: dict[str, str]) -> SearchResult:
    p = require_signed_in(principal)
    req = query.parse(params)
    expansions = synonyms.expansions(req.q, synonyms.groups()) if req.q else []
    built = query.build(req, documents.principals_of(p), expansions)
    started = time.monotonic()
    found = _call("search", built.body)
    aggs = found.get("aggregations") or {}
    facets = {
        name: [Facet(str(b["key"]), int(b["doc_count"])) for b in (aggs.get(name) or {}).get("buckets", [])]
        for name in FACETS
    }
    total = found["hits"]["total"]
    return SearchResult(
        request=req,
        total=int(total["value"] if isinstance(total, dict) else total),
        hits=[_hit(h) for h in found["hits"]["hits"]],
        facets=facets,
        expansions=built.expansions,
        took_ms=int((time.monotonic() - started) * 1000),
    )


def suggest(principal: Principal | None, prefix: str) -> list[dict[str, str]]:
    p = require_signed_in(principal)
    prefix = " ".join(prefix.split())[: query.MAX_QUERY_CHARS]
    if len(prefix) < MIN_SUGGEST_CHARS:
        return []
    found = _call("suggest", query.suggest_body(prefix, documents.principals_of(p)))
    out: list[dict[str, str]] = []
    for h in found["hits"]["hits"]:
        s = h.get("_source") or {}
        out.append({"file_id": str(s.get("file_id")), "name": str(s.get("name")), "path": str(s.get("path", "/"))})
    return out
