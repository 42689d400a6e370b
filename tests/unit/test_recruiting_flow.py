"""公募 → 応募 → the owners' decision → 所属長同意 on in-process moto: who may do each step, the cap
and its override, and what ending a membership gives back."""

from __future__ import annotations

import pytest

from chalicelib.core.errors import BadRequest, Conflict, Forbidden, NotFound
from tests.unit.recruiting_support import (
    ADMIN,
    APPLICANT,
    APPLICANT_HEAD,
    OTHER_HEAD,
    OTHER_STAFF,
    OWNER,
    PROJECT_HEAD,
    SECOND_APPLICANT,
    SECOND_HEAD,
    applied,
    build_world,
    day,
    joined,
    post,
    project,
    sent_for_consent,
    who,
)


@pytest.fixture
def world(aws_mock: None) -> None:
    build_world()


def _committed(staff_id: str) -> int:
    from chalicelib.projects.recruiting import ledger
    from chalicelib.projects.recruiting.model import today

    return ledger.committed(staff_id, today())[1]


def test_a_consented_applicant_joins_with_the_share_until_the_period_ends(world: None) -> None:
    from chalicelib.projects import membership
    from chalicelib.projects.recruiting import applications, postings

    pid = project()
    rid = post(pid, share=20, positions=2)
    application_id = joined(rid)

    member = next(m for m in membership.memberships_of(APPLICANT) if m.project_id == pid)
    assert (member.share_percent, member.period_end, member.via) == (20, day(180), application_id)
    assert _committed(APPLICANT) == 20
    found = applications.view(who(APPLICANT), application_id).application
    assert found.state.value == "joined" and found.consent_by_name == "坂本 純"
    assert postings.load(rid).filled == 1 and postings.load(rid).state.value == "open", "one of two positions left"
    joined(rid, SECOND_APPLICANT, SECOND_HEAD)
    assert postings.load(rid).state.value == "closed", "both positions filled: it stops taking applications"
    assert rid not in [x.recruitment.recruitment_id for x in postings.open_ones()]


def test_one_application_per_person_and_members_cannot_apply(world: None) -> None:
    from chalicelib.projects.recruiting import applications

    rid = post(project())
    application_id = applied(rid)
    with pytest.raises(Conflict):
        applied(rid)
    applications.withdraw(who(APPLICANT), application_id)
    assert applied(rid) == application_id, "after withdrawing, the same person may apply again"
    with pytest.raises(Conflict) as refused:
        applied(rid, OWNER)
    assert refused.value.message == "You are already a member of this project."


def test_before_the_owners_proceed_only_they_and_the_applicant_see_the_application(world: None) -> None:
    from chalicelib.projects.recruiting import applications

    rid = post(project())
    application_id = applied(rid)
    assert applications.view(who(OWNER), application_id).owner
    assert applications.view(who(APPLICANT), application_id).applicant
    for outsider in (APPLICANT_HEAD, PROJECT_HEAD, OTHER_STAFF, ADMIN):
        with pytest.raises(NotFound):
            applications.view(who(outsider), application_id)
    applications.proceed(who(OWNER), application_id)
    assert applications.view(who(APPLICANT_HEAD), application_id).head, "sent for consent: the 所属長 sees it"
    for outsider in (OTHER_HEAD, PROJECT_HEAD, OTHER_STAFF, ADMIN):
        with pytest.raises(NotFound):
            applications.view(who(outsider), application_id)


def test_only_owners_decide_and_a_decline_needs_a_comment(world: None) -> None:
    from chalicelib.projects.recruiting import applications

    rid = post(project())
    application_id = applied(rid)
    with pytest.raises(Forbidden):
        applications.proceed(who(APPLICANT), application_id)
    with pytest.raises(NotFound):
        applications.proceed(who(PROJECT_HEAD), application_id)
    with pytest.raises(BadRequest):
        applications.decline(who(OWNER), application_id, "  ")
    declined = applications.decline(who(OWNER), application_id, "今回は経験者を優先します。")
    assert declined.state.value == "declined" and declined.owner_comment == "今回は経験者を優先します。"
    with pytest.raises(Conflict):
        applications.proceed(who(OWNER), application_id)


def test_only_a_head_of_the_applicants_unit_consents(world: None) -> None:
    from chalicelib.projects.recruiting import consent

    application_id = sent_for_consent(post(project()))
    with pytest.raises(Forbidden):
        consent.consent(who(APPLICANT), application_id)  # sees it, cannot consent to their own
    with pytest.raises(Forbidden):
        consent.consent(who(OWNER), application_id)
    for stranger in (OTHER_HEAD, PROJECT_HEAD, ADMIN):
        with pytest.raises(NotFound):
            consent.consent(who(stranger), application_id)
    with pytest.raises(BadRequest):
        consent.refuse(who(APPLICANT_HEAD), application_id, "")
    refused = consent.refuse(who(APPLICANT_HEAD), application_id, "繁忙期のため今回は見送ります。")
    assert refused.state.value == "refused"
    with pytest.raises(Conflict):
        consent.consent(who(APPLICANT_HEAD), application_id)
    assert _committed(APPLICANT) == 0


def test_an_applicant_who_moves_before_the_consent_goes_to_the_new_units_head(world: None) -> None:
    """人事異動 between the owners' "proceed" and the consent: the head is who heads the person's
    所属 when the consent is given, so the new head has it waiting and the old one no longer."""
    from dataclasses import replace

    from chalicelib.directory import service as directory
    from chalicelib.projects.recruiting import consent

    application_id = sent_for_consent(post(project()))
    assert [a.application_id for a in consent.pending_for(who(APPLICANT_HEAD))] == [application_id]
    person = directory.find_staff(APPLICANT)
    assert person is not None
    directory.save_staff(replace(person, department_id="kikaku", unit_id="seisaku", section_id=None))

    assert [a.application_id for a in consent.pending_for(who(OTHER_HEAD))] == [application_id]
    assert consent.pending_for(who(APPLICANT_HEAD)) == []
    with pytest.raises(Forbidden):
        consent.consent(who(APPLICANT_HEAD), application_id)
    assert consent.consent(who(OTHER_HEAD), application_id).state.value == "joined"
    assert consent.pending_for(who(OTHER_HEAD)) == []


def test_the_project_page_lists_its_recruitments_with_counts_for_its_owners_only(world: None) -> None:
    """Applications are the owners' and the applicants' (applications.py): the project's page
    counts them for its owners; its 所属長 may post but sees no count, nor does a member."""
    from chalicelib.projects import access, membership
    from chalicelib.projects.recruiting import of_project

    pid = project()
    rid = post(pid, positions=2)
    sent_for_consent(rid)
    applied(rid, SECOND_APPLICANT)
    membership.add_member(who(OWNER), pid, OTHER_STAFF)

    mine = of_project.of_project(access.standing(who(OWNER), pid))
    assert mine.may_post and [r.recruitment.recruitment_id for r in mine.recruitments] == [rid]
    assert mine.recruitments[0].counts == of_project.Counts(waiting=1, asking=1, joined=0, total=2)
    head = of_project.of_project(access.standing(who(PROJECT_HEAD), pid))
    assert head.may_post and head.recruitments[0].counts is None
    member = of_project.of_project(access.standing(who(OTHER_STAFF), pid))
    assert not member.may_post and member.recruitments[0].counts is None


def test_over_the_cap_is_flagged_and_needs_an_override_with_its_reason(world: None) -> None:
    from chalicelib.projects.recruiting import applications, consent, ledger

    joined(post(project("第一プロジェクト"), share=20))
    second = sent_for_consent(post(project("第二プロジェクト"), share=10))
    found = applications.view(who(APPLICANT_HEAD), second).application
    assert found.over_cap, "the 所属長 is told when asked"
    check = consent.cap_check(found)
    assert (check.committed_percent, check.cap_percent, check.total_percent, check.over) == (20, 20, 30, True)

    with pytest.raises(Conflict) as refused:
        consent.consent(who(APPLICANT_HEAD), second)
    assert refused.value.details["field"] == "override" and refused.value.details["total"] == 30
    with pytest.raises(BadRequest):
        consent.consent(who(APPLICANT_HEAD), second, override=True, reason=" ")
    done = consent.consent(who(APPLICANT_HEAD), second, override=True, reason="庁内DXの最重要案件のため")
    assert done.state.value == "joined" and done.override_reason == "庁内DXの最重要案件のため"
    held = ledger.load(APPLICANT).commitments[-1]
    assert (held.over_cap, held.override_reason, held.consented_by) == (
        True,
        "庁内DXの最重要案件のため",
        APPLICANT_HEAD,
    )
    assert held.consented_at
    assert _committed(APPLICANT) == 30


def test_a_units_own_cap_lets_more_through(world: None) -> None:
    from chalicelib.projects.recruiting import caps, consent

    caps.set_unit(who(ADMIN), "doro", 30)
    joined(post(project("第一プロジェクト"), share=20))
    second = sent_for_consent(post(project("第二プロジェクト"), share=10))
    assert consent.consent(who(APPLICANT_HEAD), second).state.value == "joined"
    third = sent_for_consent(post(project("第三プロジェクト"), share=10))
    with pytest.raises(Conflict):
        consent.consent(who(APPLICANT_HEAD), third)


def test_leaving_a_project_gives_the_share_back_and_keeps_the_history(world: None) -> None:
    from chalicelib.projects import membership
    from chalicelib.projects.recruiting import applications, consent, ledger

    first_project = project("第一プロジェクト")
    first = joined(post(first_project, share=20))
    membership.remove(who(APPLICANT), first_project, APPLICANT)
    assert _committed(APPLICANT) == 0
    second = sent_for_consent(post(project("第二プロジェクト"), share=20))
    assert consent.consent(who(APPLICANT_HEAD), second).state.value == "joined", "within the cap again"
    assert applications.view(who(APPLICANT), first).application.state.value == "joined", "history stays"
    assert [c.application_id for c in ledger.load(APPLICANT).commitments] == [first, second]


def test_a_withdrawn_recruitment_cancels_what_is_undecided(world: None) -> None:
    from chalicelib.projects.recruiting import applications, consent, postings

    rid = post(project())
    waiting = sent_for_consent(rid)
    with pytest.raises(Forbidden):
        postings.withdraw(who(APPLICANT), rid)
    postings.withdraw(who(PROJECT_HEAD), rid)  # the 所属長 of the project's 所属 manages it too
    assert applications.view(who(APPLICANT), waiting).application.state.value == "cancelled"
    with pytest.raises(Conflict):
        consent.consent(who(APPLICANT_HEAD), waiting)
    with pytest.raises(Conflict):
        applied(rid, SECOND_APPLICANT)


def test_posting_checks_dates_and_numbers(world: None) -> None:
    from chalicelib.projects.recruiting import postings

    pid = project()
    for changes in (
        {"period_end": day(-1)},
        {"deadline": day(-1)},
        {"deadline": day(200)},  # after the period ends
        {"share": 0},
        {"share": 101},
        {"positions": 0},
        {"title": " "},
        {"tags": [f"tag{i}" for i in range(11)]},
        {"period_start": "来月"},
    ):
        with pytest.raises(BadRequest):
            post(pid, **changes)
    with pytest.raises(NotFound):  # a members-only project they do not see
        postings.post(who(APPLICANT), postings.RecruitmentDraft(project_id=pid, title="x"))


def test_the_open_list_filters_by_tag_share_department_and_words(world: None) -> None:
    from chalicelib.projects.recruiting import postings

    dx = post(project("窓口ＤＸ"), share=20, tags=["業務改善", "Excel"])
    data = post(project("統計データ活用"), share=10, tags=["統計", "Python"], title="データ分析の担い手")

    def ids(**f: object) -> list[str]:
        return [x.recruitment.recruitment_id for x in postings.open_ones(postings.ListFilter(**f))]  # type: ignore[arg-type]

    assert set(ids()) == {dx, data}
    assert ids(tag="python") == [data]
    assert ids(share_max=10) == [data]
    assert set(ids(department_id="somu")) == {dx, data} and ids(department_id="doboku") == []
    assert ids(text="dx") == [dx], "full-width ＤＸ in the project's name is found by dx"
    assert ids(text="データ 担い手") == [data]


def test_a_join_that_fails_after_the_consent_undoes_the_consent(world: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.projects import membership
    from chalicelib.projects.recruiting import applications, consent, postings

    rid = post(project(), share=20, positions=1)
    application_id = sent_for_consent(rid)

    def refuse_to_join(*args: object, **kwargs: object) -> None:
        raise Conflict("{name} is already a member of this project.", name="藤井 涼")

    monkeypatch.setattr(membership, "admit", refuse_to_join)
    with pytest.raises(Conflict):
        consent.consent(who(APPLICANT_HEAD), application_id)
    assert _committed(APPLICANT) == 0, "the reserved share is given back"
    assert applications.view(who(APPLICANT_HEAD), application_id).application.state.value == "consent_requested"
    assert postings.load(rid).filled == 0
    monkeypatch.undo()
    assert consent.consent(who(APPLICANT_HEAD), application_id).state.value == "joined", "and may be consented again"
