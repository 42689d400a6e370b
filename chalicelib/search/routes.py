"""JSON API of search: results, file-name suggestions, and the synonym list (admins edit it)."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.core import web
from chalicelib.core.contract import operation
from chalicelib.search import schemas as s
from chalicelib.search import service, synonyms

bp = Blueprint(__name__)


def _params() -> dict[str, str]:
    return {k: str(v) for k, v in (bp.current_request.query_params or {}).items()}


def result_json(result: service.SearchResult) -> s.ResultsOut:
    return {
        "total": result.total,
        "page": result.request.page,
        "per_page": result.request.per_page,
        "pages": result.pages,
        "took_ms": result.took_ms,
        "expanded_with": result.expansions,
        "items": [
            {
                "id": h.file_id,
                "kind": h.kind,
                "link": h.link,
                "name": h.name,
                "name_html": str(h.name_html),
                "path": h.path,
                "folder_id": h.folder_id,
                "department_id": h.department_id,
                "owner_id": h.owner_id,
                "type": h.type_group,
                "content_type": h.content_type,
                "size": h.size,
                "updated_at": h.updated_at.isoformat() if h.updated_at else None,
                "snippet_html": str(h.snippet_html),
                "content_status": h.content_status,
                "unit_id": h.unit_id,
                "number": h.number,
            }
            for h in result.hits
        ],
        "facets": {
            name: [{"value": f.value, "count": f.count} for f in facets] for name, facets in result.facets.items()
        },
    }


@bp.route("/api/search")
@operation(
    "Search files (names and text), surveys and answers I can read",
    query=s.SearchQuery,
    returns=s.ResultsOut,
    tag="search",
)
def search() -> Response:
    return web.json_response(result_json(service.search(web.principal(), _params())))


@bp.route("/api/search/suggest")
@operation("File names that start with q", query=s.SuggestQuery, returns=s.SuggestOut, tag="search")
def suggest() -> Response:
    return web.json_response({"items": service.suggest(web.principal(), _params().get("q", ""))})


@bp.route("/api/search/synonyms")
@operation("The synonym groups search expands", returns=s.SynonymsOut, tag="search")
def get_synonyms() -> Response:
    from chalicelib.core.auth import require_signed_in

    require_signed_in(web.principal())
    current = synonyms.current()
    return web.json_response(
        {
            "groups": [list(g) for g in current.groups],
            "updated_by": current.updated_by,
            "updated_at": current.updated_at.isoformat() if current.updated_at else None,
        }
    )


@bp.route("/api/search/synonyms", methods=["PUT"])
@operation(
    "Replace the synonym groups (system administrators)", body=s.Synonyms, returns=s.SavedSynonymsOut, tag="search"
)
def put_synonyms() -> Response:
    body = web.json_body(bp.current_request)
    groups = body.get("groups")
    if not isinstance(groups, list) or not all(isinstance(g, list) for g in groups):
        from chalicelib.core.errors import BadRequest

        raise BadRequest("groups must be a list of lists of terms.")
    text = "\n".join(", ".join(str(t).replace(",", " ") for t in g) for g in groups)
    saved = synonyms.save(web.principal(), text)
    return web.json_response({"groups": [list(g) for g in saved.groups]})
