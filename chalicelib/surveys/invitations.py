"""Invitations to organisations outside the prefecture: a respondent link each, mailed to its
contact, and the reminders that follow it.

The link is a sharing link of kind "survey" (sharing/external.py) to the organisation's answer
key: the same unguessable token, kept only as its hash, the same e-mail one-time code and
partner session as a file link. The token exists in clear only in the invitation being mailed:
it is never logged or stored, so a lost invitation is sent again with a new token (the old one
stops working). The link lives until a week after the deadline, so a late answer can still be
sent while the survey is open, and the answer read once it is closed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib.core import templating
from chalicelib.core.auth import Principal, Role
from chalicelib.core.errors import Conflict, NotFound
from chalicelib.core.observability import logger
from chalicelib.directory import service as directory
from chalicelib.sharing import external as external_links
from chalicelib.sharing import mail
from chalicelib.surveys import access, storage
from chalicelib.surveys.model import Actor, Survey, answer_key, event_key, now
from chalicelib.surveys.outside import ExternalTarget, unit_id_of
from chalicelib.surveys.states import SurveyState
from chalicelib.surveys.storage import HistoryRecord

KIND = "survey"  # the sharing link kind of a respondent link
PAGE = "/r/"  # where the mailed address opens (respond_pages.py)
LINK_LIFE_AFTER_DEADLINE = timedelta(days=7)


def link_expiry(survey: Survey) -> datetime:
    return survey.deadline + LINK_LIFE_AFTER_DEADLINE


def _owner(survey: Survey) -> Principal:
    """Who the links are made by: the survey's contact, as the directory knows them now, or as
    the survey recorded them if they have left (the survey, and its links, belong to the 所属)."""
    person = directory.find_staff(survey.contact_staff_id)
    if person is not None:
        return person.principal()
    return Principal(survey.contact_staff_id, survey.contact_name, "", survey.issuer_department_id, Role.MEMBER)


def _issuer_names(survey: Survey) -> dict[str, str]:
    return {language: directory.unit_name(survey.issuer_unit_id, language) for language in ("ja", "en")}


def _send_mail(template: str, subject: str, survey: Survey, target: ExternalTarget, **context: object) -> None:
    body = templating.render(
        template,
        "ja",
        survey=survey,
        target=target,
        issuer=_issuer_names(survey),
        deadline=templating.jst(survey.deadline),
        expires=templating.jst(link_expiry(survey)),
        **context,
    )
    mail.send(target.email, subject, body)


def _mail_invitation(survey: Survey, target: ExternalTarget, token: str) -> None:
    subject = f"【Kumo】照会 {survey.number or ''}「{survey.title}」への回答のお願い / Survey: {survey.title}"
    _send_mail("email/survey_invitation.txt", subject, survey, target, url=external_links.url(token, PAGE))


def _invite(survey: Survey, target: ExternalTarget, owner: Principal) -> None:
    issued = external_links.create_external(
        owner, answer_key(survey.survey_id, target.unit_id), [target.email], link_expiry(survey), kind=KIND
    )
    _mail_invitation(survey, target, issued.token)


def _history(survey_id: str, unit_id: str, actor: Actor, action: str, email: str = "") -> None:
    """The answer's history says when its organisation was invited (answering.record_history's
    shape; written here so that answering may tell an organisation of a return through this module)."""
    at = now()
    storage.bind()
    HistoryRecord(
        answer_key(survey_id, unit_id),
        event_key(at),
        action=action,
        actor_id=actor.staff_id,
        actor_name=actor.display_name,
        fields=[email] if email else [],
        at=at,
    ).save()


def invite_all(survey: Survey) -> list[str]:
    """On issue: a link for each outside organisation, mailed to its contact. Returns the org ids
    whose invitation could not be sent (their answer's history says so; the issuer sends it again)."""
    from botocore.exceptions import ClientError

    owner = _owner(survey)
    failed: list[str] = []
    for target in survey.external_targets:
        try:
            _invite(survey, target, owner)
        except ClientError:
            logger.exception("survey invitation not sent", extra={"survey_id": survey.survey_id})
            _history(survey.survey_id, target.unit_id, owner, "invitation_failed")
            failed.append(target.org_id)
        else:
            _history(survey.survey_id, target.unit_id, owner, "invited", target.email)
    return failed


def resend(p: Principal, survey_id: str, org_id: str) -> ExternalTarget:
    """The issuer sends an organisation's invitation again: a new token (the old link stops
    working, an open session on it ends), mailed to the same contact."""
    survey = access.as_issuer(p, survey_id)
    if survey.state is not SurveyState.OPEN:
        raise Conflict("Only an open survey's invitations can be sent again.")
    target = survey.external(unit_id_of(org_id))
    if target is None:
        raise NotFound("This survey was not sent to that organisation.")
    key = answer_key(survey_id, target.unit_id)
    made = [link for link in external_links.links_to(key) if link.revoked_at is None]
    if made:
        issued = external_links.reissue_external(made[0].link_id, p.staff_id, recipients=[target.email])
        _mail_invitation(survey, target, issued.token)
    else:  # the first mail failed before its link was made
        _invite(survey, target, _owner(survey))
    _history(survey_id, target.unit_id, p, "invitation_resent", target.email)
    return target


def tell_returned(survey: Survey, unit_id: str, comment: str) -> None:
    """差戻し to an outside organisation: its contact hears by mail what should change (the answer
    page shows it too). A mail that fails is logged: the answer is returned all the same."""
    from botocore.exceptions import ClientError

    target = survey.external(unit_id)
    if target is None:
        return
    subject = f"【Kumo】照会「{survey.title}」の回答が差し戻されました / Answer returned: {survey.title}"
    try:
        _send_mail("email/survey_external_returned.txt", subject, survey, target, comment=comment)
    except ClientError:
        logger.exception("survey return notice not sent", extra={"survey_id": survey.survey_id})


def remind(survey: Survey, unit_ids: list[str], step: str) -> None:
    """督促 to outside organisations: a mail to the contact (they have no inbox in Kumo). It points
    to the invitation's link, which it cannot repeat: only the token's hash is kept."""
    from botocore.exceptions import ClientError

    for unit_id in unit_ids:
        target = survey.external(unit_id)
        if target is None:
            continue
        subject = f"【Kumo】照会「{survey.title}」の回答期限のお知らせ / Reminder: {survey.title}"
        try:
            _send_mail("email/survey_external_reminder.txt", subject, survey, target, step=step)
        except ClientError:  # the reminder step stays taken; the issuer can chase again by hand
            logger.exception("survey reminder not sent", extra={"survey_id": survey.survey_id})
