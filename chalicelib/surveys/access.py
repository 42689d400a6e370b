"""Who stands where towards a survey: the one check every survey use case starts with.

- Members of the issuing 所属 (照会元) see the survey, its board and every answer.
- Members of a target 所属 see the issued survey and their own 所属's answer, never another's.
- An outside organisation (ext:<org id>) has no members: its contact reaches its answer through
  a respondent link (respond.py), never through these checks; the 照会元 sees it like any other.
- A 所属長 approves for their 所属.
- Everyone else: the survey does not exist for them (404, never 403, so ids reveal nothing).
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.core.auth import Post, Principal
from chalicelib.core.errors import NotFound
from chalicelib.core.storage import get_or_none
from chalicelib.surveys import storage
from chalicelib.surveys.model import Survey, survey_of
from chalicelib.surveys.states import SurveyState
from chalicelib.surveys.storage import SurveyRecord


@dataclass(frozen=True)
class Standing:
    survey: Survey
    issuer: bool  # a member of the issuing 所属
    answering: tuple[str, ...]  # the target 所属 this principal belongs to

    def answers_for(self, unit_id: str) -> bool:
        return unit_id in self.answering


def _missing(survey_id: str) -> NotFound:
    return NotFound("There is no survey {survey_id}.", survey_id=survey_id)


def load_record(survey_id: str) -> SurveyRecord | None:
    storage.bind()
    return get_or_none(SurveyRecord, survey_id)


def standing(p: Principal, survey_id: str) -> Standing:
    """The principal's standing towards the survey; NotFound when they have none."""
    record = load_record(survey_id)
    if record is None:
        raise _missing(survey_id)
    survey = survey_of(record)
    issuer = p.belongs_to(survey.issuer_unit_id)
    published = survey.state in (SurveyState.OPEN, SurveyState.CLOSED)
    answering = tuple(u for u in survey.targets if p.belongs_to(u)) if published else ()
    if not issuer and not answering:
        raise _missing(survey_id)
    return Standing(survey, issuer, answering)


def as_issuer(p: Principal, survey_id: str) -> Survey:
    found = standing(p, survey_id)
    if not found.issuer:
        raise _missing(survey_id)
    return found.survey


def for_unit(p: Principal, survey_id: str, unit_id: str) -> Standing:
    """The survey as seen for one target 所属's answer: its members and the 照会元 only."""
    found = standing(p, survey_id)
    if unit_id not in found.survey.answer_units or not (found.issuer or found.answers_for(unit_id)):
        raise NotFound("There is no answer of {unit_id} to this survey.", unit_id=unit_id)
    return found


def coordinates(p: Principal, unit_id: str) -> bool:
    """取りまとめ担当 or 所属長 of the 所属: may forward parts, merge them and answer 該当なし."""
    post = p.post_in(unit_id)
    return post is not None and post.rank >= Post.COORDINATOR.rank


def heads(p: Principal, unit_id: str) -> bool:
    return p.post_in(unit_id) is Post.HEAD
