"""Muting a share link or a survey: a person who muted one hears nothing of it any more, in the
inbox or by mail, except the mandatory kinds (a 督促 for their 所属 still comes: kinds.py says why).

The mutes are this slice's own (the notification_mutes table, one item per person and subject,
present while muted), so the routing asks one place: routing.deliveries_for drops every delivery
whose subject its person muted, in one batch read per event. Projects keep their own mute on the
membership (projects/membership.py), which project_routing.py applies.

Who may mute what is the subject's own rule, asked of its slice: a share link by its owner (only
the owner hears of it; a space administrator who manages it too has nothing to mute), a survey
by the staff of its issuing 所属 or of a 所属 it was sent to. Anyone else: the subject does not
exist for them (404), as on its page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from chalicelib.core.auth import Principal
from chalicelib.core.errors import BadRequest
from chalicelib.core.storage import batch_get_across, get_or_none
from chalicelib.notifications import kinds
from chalicelib.notifications.service import Delivery
from chalicelib.notifications.storage import MuteRecord, bind_mutes


class SubjectKind(StrEnum):
    SHARE = "share"
    SURVEY = "survey"


@dataclass(frozen=True)
class Subject:
    kind: SubjectKind
    subject_id: str

    @property
    def key(self) -> str:
        return f"{self.kind.value}:{self.subject_id}"


def share(link_id: str) -> Subject:
    return Subject(SubjectKind.SHARE, link_id)


def survey(survey_id: str) -> Subject:
    return Subject(SubjectKind.SURVEY, survey_id)


def may_mute(p: Principal, subject: Subject) -> bool:
    """Whether the person hears of the subject at all (so muting it means something); raises
    NotFound when the subject does not exist for them."""
    if subject.kind is SubjectKind.SHARE:
        from chalicelib.sharing import links

        return links.get(p, subject.subject_id).owner_id == p.staff_id
    from chalicelib.surveys import access

    access.standing(p, subject.subject_id)
    return True


def is_muted(p: Principal, subject: Subject) -> bool:
    bind_mutes()
    return get_or_none(MuteRecord, p.staff_id, subject.key, consistent_read=True) is not None


def set_muted(p: Principal, subject: Subject, muted: bool) -> bool:
    """Mutes or unmutes the subject for the person (doing it twice changes nothing); returns the
    state now."""
    if not may_mute(p, subject):
        raise BadRequest("Only the link's owner receives its notices.", field="muted")
    bind_mutes()
    if muted:
        MuteRecord(p.staff_id, subject.key, muted_at=datetime.now(UTC)).save()
    else:
        MuteRecord(p.staff_id, subject.key).delete()  # DeleteItem of an absent item is no error
    return muted


PROJECT_PREFIX = "project:"


def project_key(project_id: str) -> str:
    """A project notice's subject: its mute is the membership's own (projects.membership.mute),
    read from the projects slice; it is not one of SubjectKind (nobody mutes a project here)."""
    return f"{PROJECT_PREFIX}{project_id}"


def reads(pairs: Iterable[tuple[str, str]]) -> dict[type, list[Any]]:
    """What to read to know which of the (staff id, subject key) pairs are muted: this slice's
    mutes, and for project subjects the project's memberships (core/storage.batch_get_across
    reads them all, with the caller's other reads, in shared calls)."""
    from chalicelib.projects import membership

    wanted = list(dict.fromkeys(pairs))
    ours = [(s, k) for s, k in wanted if not k.startswith(PROJECT_PREFIX)]
    projects = [(k.removeprefix(PROJECT_PREFIX), s) for s, k in wanted if k.startswith(PROJECT_PREFIX)]
    bind_mutes()
    return {**({MuteRecord: ours} if ours else {}), **membership.mute_reads(projects)}


def muted_of(found: dict[type, list[Any]]) -> set[tuple[str, str]]:
    """The muted (staff id, subject key) pairs among what `reads` asked for."""
    from chalicelib.projects import membership

    muted = {(r.staff_id, r.subject) for r in found.get(MuteRecord, [])}
    return muted | {(s, project_key(project_id)) for project_id, s in membership.muted_among(found)}


def muted_pairs(pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of the (staff id, subject key) pairs are muted: one batch read."""
    wanted = reads(pairs)
    return muted_of(batch_get_across(wanted)) if wanted else set()


def unmuted(deliveries: list[Delivery]) -> list[Delivery]:
    """The deliveries whose person did not mute their subject; a mandatory kind always stays."""
    return unmuted_each([deliveries])[0]


def unmuted_each(groups: list[list[Delivery]], muted: set[tuple[str, str]] | None = None) -> list[list[Delivery]]:
    """`unmuted` for each group (the events of one notifier batch), in one read for them all,
    unless the caller read `muted` (of `pairs_to_check(groups)`) with other reads."""
    if muted is None:
        muted = muted_pairs(pairs_to_check(groups))
    return [[d for d in g if (d.staff_id, d.subject) not in muted] for g in groups]


def pairs_to_check(groups: list[list[Delivery]]) -> list[tuple[str, str]]:
    """The (staff id, subject key) pairs whose mute decides these deliveries (a mandatory kind's
    never does), once each."""

    def mutable(d: Delivery) -> bool:
        spec = kinds.kind(d.kind)
        return d.subject is not None and not (spec is not None and spec.mandatory)

    return list(dict.fromkeys((d.staff_id, d.subject) for g in groups for d in g if d.subject and mutable(d)))
