"""Recruiting's rules without HTTP: application states, what counts towards a person's cap, which
months of 実績 may change, and the cap settings only a system administrator sets."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from chalicelib.core.errors import BadRequest, Conflict, Forbidden, NotFound
from chalicelib.projects.model import Member, MemberRole
from chalicelib.projects.recruiting import actuals, ledger
from chalicelib.projects.recruiting.ledger import Commitment
from chalicelib.projects.recruiting.model import MOVES, ApplicationState, Move, add_months, after, months_between
from tests.unit.recruiting_support import ADMIN, APPLICANT, OWNER, build_world, who

# --- states ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("move", list(Move))
@pytest.mark.parametrize("state", list(ApplicationState))
def test_each_move_starts_only_where_it_may(state: ApplicationState, move: Move) -> None:
    starts, leads_to = MOVES[move]
    if state in starts:
        assert after(state, move) is leads_to
    else:
        with pytest.raises(Conflict):
            after(state, move)


def test_a_decided_application_stays_decided() -> None:
    for final in (ApplicationState.JOINED, ApplicationState.REFUSED, ApplicationState.DECLINED):
        for move in (Move.PROCEED, Move.CONSENT, Move.REFUSE, Move.WITHDRAW, Move.DECLINE):
            with pytest.raises(Conflict):
                after(final, move)
    assert after(ApplicationState.WITHDRAWN, Move.APPLY_AGAIN) is ApplicationState.APPLIED


# --- what counts towards the cap -------------------------------------------------------------------


def _c(application_id: str, project_id: str, share: int, end: str = "2099-03-31") -> Commitment:
    return Commitment(
        application_id,
        "rec_1",
        project_id,
        "P",
        "doro",
        share,
        "2026-04-01",
        end,
        "2026-04-01T00:00:00+00:00",
        "h",
        "H",
    )


def _m(project_id: str, via: str, *, left: bool = False) -> Member:
    at = datetime(2026, 4, 1, tzinfo=UTC)
    return Member(
        project_id, APPLICANT, "藤井 涼", "doro", MemberRole.MEMBER, 10, None, via, at, at if left else None, False
    )


def test_committed_share_counts_active_memberships_whose_period_has_not_ended() -> None:
    on = date(2026, 12, 1)
    commitments = [
        _c("a1", "p1", 10),  # active member
        _c("a2", "p2", 10),  # left the project
        _c("a3", "p3", 20, end="2026-11-30"),  # period ended yesterday
        _c("a4", "p4", 5),  # consent written, the join under way: it holds its room
        _c("a5", "p5", 10),  # the membership now comes from another application
    ]
    memberships = {
        "p1": _m("p1", "a1"),
        "p2": _m("p2", "a2", left=True),
        "p3": _m("p3", "a3"),
        "p5": _m("p5", "a9"),
    }
    assert ledger.committed_share(commitments, on, memberships) == 15
    assert ledger.committed_share(commitments, date(2026, 11, 30), memberships) == 35, "the last day still counts"


# --- months of 実績 -----------------------------------------------------------------------------------


def test_months_arithmetic() -> None:
    assert add_months("2026-11", 2) == "2027-01"
    assert add_months("2027-01", -1) == "2026-12"
    assert months_between("2026-11", "2027-02") == ["2026-11", "2026-12", "2027-01", "2027-02"]
    assert months_between("2027-02", "2026-11") == []


@pytest.mark.parametrize(
    ("month", "locked", "closed"),
    [
        ("2026-12", None, actuals.FUTURE),
        ("2026-11", None, None),  # the current month
        ("2026-09", None, None),  # two months on, still open
        ("2026-08", None, actuals.TOO_OLD),
        ("2026-10", "2026-10", actuals.LOCKED),
        ("2026-11", "2026-10", None),
    ],
)
def test_which_months_of_actuals_may_change(month: str, locked: str | None, closed: str | None) -> None:
    assert actuals.closed_because(month, "2026-11", locked) == closed


def test_a_month_counts_inside_the_membership_only() -> None:
    c = _c("a1", "p1", 20, end="2027-03-31")
    assert actuals.span(c, None) == ("2026-04", "2027-03")
    left = Member(
        "p1",
        APPLICANT,
        "",
        "doro",
        MemberRole.MEMBER,
        20,
        None,
        "a1",
        datetime(2026, 4, 1, tzinfo=UTC),
        datetime(2026, 9, 15, tzinfo=UTC),
        False,
    )
    assert actuals.span(c, left) == ("2026-04", "2026-09")
    assert not actuals.inside(c, left, "2026-10")


# --- cap settings ---------------------------------------------------------------------------------------


@pytest.fixture
def world(aws_mock: None) -> None:
    build_world()


def test_caps_default_to_20_and_only_a_system_administrator_changes_them(world: None) -> None:
    from chalicelib.projects.recruiting import caps

    assert caps.cap_for("doro") == 20
    with pytest.raises(Forbidden):
        caps.set_default(who(OWNER), 30)
    with pytest.raises(Forbidden):
        caps.read(who(OWNER))
    caps.set_default(who(ADMIN), 30)
    assert caps.cap_for("doro") == 30
    settings = caps.set_unit(who(ADMIN), "doro", 10)
    assert [(u.unit_id, u.cap_percent) for u in settings.units] == [("doro", 10)]
    assert caps.cap_for("doro") == 10 and caps.cap_for("kasen") == 30, "a 所属's cap is its own"
    assert caps.clear_unit(who(ADMIN), "doro").units == ()
    assert caps.cap_for("doro") == 30
    with pytest.raises(NotFound):
        caps.clear_unit(who(ADMIN), "doro")


@pytest.mark.parametrize("bad", [-1, 101, True])
def test_a_cap_is_a_whole_percentage(world: None, bad: int) -> None:
    from chalicelib.projects.recruiting import caps

    with pytest.raises(BadRequest):
        caps.set_default(who(ADMIN), bad)


def test_a_cap_belongs_to_a_shozoku_not_to_a_section(world: None) -> None:
    from chalicelib.projects.recruiting import caps

    with pytest.raises(BadRequest):
        caps.set_unit(who(ADMIN), "doro-kensetsu", 10)  # a 係
    with pytest.raises(BadRequest):
        caps.set_unit(who(ADMIN), "nowhere", 10)


def test_the_lock_is_a_month(world: None) -> None:
    from chalicelib.projects.recruiting import caps

    assert caps.set_lock(who(ADMIN), "2026-10").locked_through == "2026-10"
    with pytest.raises(BadRequest):
        caps.set_lock(who(ADMIN), "2026/10")
    assert caps.set_lock(who(ADMIN), None).locked_through is None


# --- the API document -------------------------------------------------------------------------------------

RECRUITING_PATHS = ("/api/recruitments", "/api/applications", "/api/actuals", "/api/admin/time-shares")


def _types(tp: object) -> list[type]:
    import dataclasses
    import typing

    if typing.get_origin(tp) is not None:
        return [t for arg in typing.get_args(tp) for t in _types(arg)]
    if isinstance(tp, type) and (typing.is_typeddict(tp) or dataclasses.is_dataclass(tp)):
        return [tp, *[t for hint in typing.get_type_hints(tp).values() for t in _types(hint)]]
    return []


def test_recruitings_schemas_have_names_no_other_type_in_the_api_has() -> None:
    """The OpenAPI document names each schema by its class name: a second class of the same name
    elsewhere would make one route's answer checked against the other's shape."""
    import app as kumo_app
    from chalicelib.core import contract

    by_name: dict[str, set[str]] = {}
    ours: set[str] = set()
    for (_, path), view in contract.routes(kumo_app.app).items():
        op = contract.declared(view)
        for tp in (op.body, op.query, op.returns) if op else ():
            for found in _types(tp):
                by_name.setdefault(found.__name__, set()).add(found.__module__)
                if path.startswith(RECRUITING_PATHS):
                    ours.add(found.__name__)
    assert ours, "the recruiting routes declare their contracts"
    assert {name: by_name[name] for name in ours if len(by_name[name]) > 1} == {}
