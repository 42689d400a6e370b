"""The search page (GET form, works without JavaScript) and the synonym editor for admins."""

from __future__ import annotations

import urllib.parse
from typing import Any

from chalice import Blueprint, Response

from chalicelib.core import web
from chalicelib.core.auth import require_signed_in
from chalicelib.core.errors import BadRequest, Forbidden
from chalicelib.core.layout import page
from chalicelib.search import query, records, service, synonyms
from chalicelib.search.client import SearchUnavailable

bp = Blueprint(__name__)
FORM = ["application/x-www-form-urlencoded"]
KEPT = ("q", "kind", "department", "type", "owner", "folder", "from", "to", "sort")


def _params() -> dict[str, str]:
    return {k: str(v) for k, v in (bp.current_request.query_params or {}).items()}


def link(params: dict[str, str], **changes: Any) -> str:
    """/search with the current parameters, some changed (None removes one); back to page 1."""
    merged = {k: params[k] for k in KEPT if params.get(k)}
    for key, value in changes.items():
        if value is None or value == "":
            merged.pop(key, None)
        else:
            merged[key] = str(value)
    return "/search" + ("?" + urllib.parse.urlencode(merged) if merged else "")


def _names(result: service.SearchResult, language: str) -> dict[str, dict[str, str]]:
    from chalicelib.directory import service as directory

    departments = {d.department_id: d.name(language) for d in directory.list_departments()}
    owners = directory.display_names(
        sorted({f.value for f in result.facets.get("owner", [])} | {h.owner_id for h in result.hits})
    )
    # The 所属 that surveys, answers and project cards among the hits belong to, by the name a person knows.
    units = {h.unit_id: directory.unit_name(h.unit_id, language) for h in result.hits if h.unit_id}
    return {"department": departments, "owner": owners, "unit": units}


@bp.route("/search")
def search_page() -> Response:
    me = require_signed_in(web.principal())
    params = _params()
    from chalicelib.files.views import human_size

    context: dict[str, Any] = {
        "params": params,
        "link": link,
        "file_types": query.FILE_TYPES,
        "kinds": records.KINDS,
        "human_size": human_size,
        "sorts": query.SORTS,
        "result": None,
        "error": None,
        "names": {},
    }
    status = 200
    context["folder_name"] = _folder_name(me, params.get("folder"))
    if any(params.get(k) for k in KEPT if k != "sort"):
        try:
            result = service.search(me, params)
            context.update(result=result, names=_names(result, web.state().language))
        except SearchUnavailable as exc:
            status, context["error"] = 503, exc
        except BadRequest as exc:
            status, context["error"] = 400, exc
    return page("search.html", status=status, current_area="search", **context)


def _folder_name(me: Any, folder_id: str | None) -> str | None:
    """The name of the folder a search is limited to, if the person may open it."""
    if not folder_id:
        return None
    from chalicelib.core.errors import KumoError
    from chalicelib.files import access, policy

    if policy.is_space_id(folder_id):
        kind, ident = policy.parse_space(folder_id)
        if kind == "dept":
            from chalicelib.directory import service as directory

            return directory.full_name(ident, web.state().language)
        return None
    try:
        return access.readable(me, folder_id).name
    except (KumoError, ValueError):
        return None


@bp.route("/search/synonyms")
def synonyms_page() -> Response:
    me = require_signed_in(web.principal())
    current = synonyms.current()
    return page(
        "search_synonyms.html",
        current_area="search",
        current=current,
        can_edit=me.is_system_admin,
        text=synonyms.format_groups(current.groups),
        error=None,
        saved=_params().get("saved") == "1",
    )


@bp.route("/search/synonyms", methods=["POST"], content_types=FORM)
def save_synonyms() -> Response:
    me = require_signed_in(web.principal())
    data = web.form(bp.current_request)
    text = data.get("synonyms", "")
    try:
        synonyms.save(me, text)
    except (BadRequest, Forbidden) as exc:
        return page(
            "search_synonyms.html",
            status=exc.status,
            current_area="search",
            current=synonyms.current(),
            can_edit=me.is_system_admin,
            text=text,
            error=exc,
            saved=False,
        )
    return web.redirect("/search/synonyms?saved=1")
