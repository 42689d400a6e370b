"""JSON API of 公募 and 応募: post, list and filter, apply, decide, consent. Each route parses, calls
one use case, shapes the answer (shapes.py); every rule lives in the use-case modules."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.core import web
from chalicelib.core.auth import Principal, require_signed_in
from chalicelib.core.contract import operation, parse_body
from chalicelib.core.errors import BadRequest
from chalicelib.projects.recruiting import applications, consent, postings, shapes
from chalicelib.projects.recruiting.schemas import (
    ApplicationOut,
    ApplicationsOut,
    ApplyIn,
    ConsentIn,
    DecisionIn,
    MyApplicationsOut,
    RecruitmentIn,
    RecruitmentOut,
    RecruitmentQuery,
    RecruitmentsOut,
)

bp = Blueprint(__name__)
TAG = "recruiting"


def _me() -> Principal:
    return require_signed_in(web.principal())


def _language() -> str:
    return web.state().language


def share_filter(value: str) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise BadRequest("{field} is not a valid value.", field="share") from None


def list_filter(params: dict[str, str]) -> postings.ListFilter:
    return postings.ListFilter(
        tag=str(params.get("tag") or ""),
        share_max=share_filter(str(params.get("share") or "")),
        department_id=str(params.get("department") or ""),
        text=str(params.get("q") or ""),
    )


def draft_of(body: RecruitmentIn) -> postings.RecruitmentDraft:
    return postings.RecruitmentDraft(
        project_id=body.project_id,
        title=body.title,
        needs=body.needs,
        tags=tuple(body.tags),
        share_percent=body.share_percent,
        period_start=body.period_start,
        period_end=body.period_end,
        positions=body.positions,
        deadline=body.deadline,
    )


def _one(me: Principal, item: postings.Listed) -> RecruitmentOut:
    [shaped] = shapes.recruitments_json(me, [item], _language())
    return shaped


@bp.route("/api/recruitments")
@operation(
    "Open 公募 every staff member may apply to, filtered", query=RecruitmentQuery, returns=RecruitmentsOut, tag=TAG
)
def list_recruitments() -> Response:
    me = _me()
    params: dict[str, str] = dict(bp.current_request.query_params or {})
    found = postings.open_ones(list_filter(params))
    out: RecruitmentsOut = {"items": shapes.recruitments_json(me, found, _language())}
    return web.json_response(out)


@bp.route("/api/recruitments", methods=["POST"])
@operation("Post a 公募 for a project you manage", body=RecruitmentIn, returns=RecruitmentOut, status=201, tag=TAG)
def post_recruitment() -> Response:
    me = _me()
    body = parse_body(RecruitmentIn, web.json_body(bp.current_request))
    found = postings.post(me, draft_of(body))
    return web.json_response(_one(me, postings.listed(found)), status=201)


@bp.route("/api/recruitments/{recruitment_id}")
@operation("A 公募 with its project's name and description", returns=RecruitmentOut, tag=TAG)
def get_recruitment(recruitment_id: str) -> Response:
    me = _me()
    return web.json_response(_one(me, postings.get(me, recruitment_id)))


@bp.route("/api/recruitments/{recruitment_id}/close", methods=["POST"])
@operation("Close a 公募: no more applications (those under way go on)", returns=RecruitmentOut, tag=TAG)
def close_recruitment(recruitment_id: str) -> Response:
    me = _me()
    return web.json_response(_one(me, postings.listed(postings.close(me, recruitment_id))))


@bp.route("/api/recruitments/{recruitment_id}/withdraw", methods=["POST"])
@operation("Withdraw a 公募: applications not yet decided are cancelled", returns=RecruitmentOut, tag=TAG)
def withdraw_recruitment(recruitment_id: str) -> Response:
    me = _me()
    return web.json_response(_one(me, postings.listed(postings.withdraw(me, recruitment_id))))


@bp.route("/api/recruitments/{recruitment_id}/applications")
@operation("A 公募's applications (its project's owners)", returns=ApplicationsOut, tag=TAG)
def recruitment_applications(recruitment_id: str) -> Response:
    me = _me()
    found = applications.of_recruitment(me, recruitment_id)
    out: ApplicationsOut = {"items": shapes.listed_applications(me, found, _language())}
    return web.json_response(out)


@bp.route("/api/recruitments/{recruitment_id}/applications", methods=["POST"])
@operation("Apply to a 公募 with a short message (once)", body=ApplyIn, returns=ApplicationOut, status=201, tag=TAG)
def apply(recruitment_id: str) -> Response:
    me = _me()
    body = parse_body(ApplyIn, web.json_body(bp.current_request))
    found = applications.apply(me, recruitment_id, body.message)
    shaped = shapes.standing_json(applications.view(me, found.application_id), _language())
    return web.json_response(shaped, status=201)


@bp.route("/api/applications")
@operation(
    "Your applications, those waiting for your decision as an owner and for your consent as 所属長",
    returns=MyApplicationsOut,
    tag=TAG,
)
def my_applications() -> Response:
    me = _me()
    language = _language()
    out: MyApplicationsOut = {
        "mine": shapes.listed_applications(me, applications.mine(me), language),
        "to_review": shapes.listed_applications(me, applications.to_review(me), language),
        "to_consent": shapes.listed_applications(me, consent.pending_for(me), language, as_head=True),
    }
    return web.json_response(out)


APPLICATION = "/api/applications/{application_id}"


def _shaped(me: Principal, application_id: str) -> Response:
    return web.json_response(shapes.standing_json(applications.view(me, application_id), _language()))


@bp.route(APPLICATION)
@operation(
    "An application (its applicant, the project's owners, and once sent, the 所属長)", returns=ApplicationOut, tag=TAG
)
def get_application(application_id: str) -> Response:
    return _shaped(_me(), application_id)


@bp.route(APPLICATION + "/withdraw", methods=["POST"])
@operation("Withdraw your application", returns=ApplicationOut, tag=TAG)
def withdraw_application(application_id: str) -> Response:
    me = _me()
    applications.withdraw(me, application_id)
    return _shaped(me, application_id)


@bp.route(APPLICATION + "/proceed", methods=["POST"])
@operation("Proceed (owner): ask the applicant's 所属長 for consent", body=DecisionIn, returns=ApplicationOut, tag=TAG)
def proceed(application_id: str) -> Response:
    me = _me()
    body = parse_body(DecisionIn, web.json_body(bp.current_request))
    applications.proceed(me, application_id, body.comment)
    return _shaped(me, application_id)


@bp.route(APPLICATION + "/decline", methods=["POST"])
@operation("Decline (owner), with a comment", body=DecisionIn, returns=ApplicationOut, tag=TAG)
def decline(application_id: str) -> Response:
    me = _me()
    body = parse_body(DecisionIn, web.json_body(bp.current_request))
    applications.decline(me, application_id, body.comment)
    return _shaped(me, application_id)


@bp.route(APPLICATION + "/consent", methods=["POST"])
@operation(
    "同意 (the applicant's 所属長): the person joins with the 公募's share; over the cap only with an override",
    body=ConsentIn,
    returns=ApplicationOut,
    tag=TAG,
)
def give_consent(application_id: str) -> Response:
    me = _me()
    body = parse_body(ConsentIn, web.json_body(bp.current_request))
    consent.consent(me, application_id, comment=body.comment, override=body.override, reason=body.override_reason)
    return _shaped(me, application_id)


@bp.route(APPLICATION + "/refuse", methods=["POST"])
@operation("不同意 (the applicant's 所属長), with a comment", body=DecisionIn, returns=ApplicationOut, tag=TAG)
def refuse_consent(application_id: str) -> Response:
    me = _me()
    body = parse_body(DecisionIn, web.json_body(bp.current_request))
    consent.refuse(me, application_id, body.comment)
    return _shaped(me, application_id)
