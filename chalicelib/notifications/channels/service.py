"""Use cases of chat channels: list, connect, pause, resume, delete, send a test, read the log.

Who may: for a 所属's channels, its 所属長 and 取りまとめ担当 (main post or 兼務); for a project's,
its managers (owners and the owning 所属's 所属長: projects/access.py). Another member of the
所属 is refused (403: they know the 所属 exists), anyone else is told there is no such 所属
(404), as projects answer those who may not see them. The pages, the CLI and the functions
all pass through these checks.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from chalicelib.core import sealing
from chalicelib.core.auth import Post, Principal
from chalicelib.core.errors import BadRequest, Conflict, Forbidden, NotFound
from chalicelib.core.storage import delete_if, get_or_none, update_if
from chalicelib.directory import service as directory
from chalicelib.notifications.channels import guard, storage
from chalicelib.notifications.channels.model import (
    Attempt,
    Channel,
    ChannelType,
    Scope,
    ScopeKind,
    Status,
    mask_url,
)
from chalicelib.notifications.channels.storage import AttemptRecord, ChannelRecord, ScopeCountRecord

NAME_MAX = 80
PER_SCOPE_MAX = 10
LOG_SIZE = 20


@dataclass(frozen=True)
class ChannelIn:
    type: str
    name: str
    url: str
    kinds: tuple[str, ...]


@dataclass(frozen=True)
class Connected:
    channel: Channel
    secret: str | None  # the generic webhook's signing secret: shown once, never again


def scope_name(scope: Scope) -> str:
    if scope.kind is ScopeKind.UNIT:
        return directory.unit_name(scope.ident, "ja")
    from chalicelib.projects import projects

    try:
        return projects.project_name(scope.ident)
    except NotFound:  # deleted since: its channels are about to go too
        return scope.ident


def authorize(p: Principal, scope: Scope) -> None:
    """Raises unless the principal manages this scope's channels (see the module's docstring)."""
    if scope.kind is ScopeKind.PROJECT:
        from chalicelib.projects import access

        access.as_manager(p, scope.ident)
        return
    if directory.find_unit(scope.ident) is None:
        raise NotFound("There is no unit {unit_id}.", unit_id=scope.ident)
    post = p.post_in(scope.ident)
    if post in (Post.HEAD, Post.COORDINATOR):
        return
    if post is not None or p.belongs_to(scope.ident):
        raise Forbidden("Only the head of the unit and its coordinators can manage its chat channels.")
    raise NotFound("There is no unit {unit_id}.", unit_id=scope.ident)


def channel_of(r: ChannelRecord) -> Channel:
    return Channel(
        channel_id=r.channel_id,
        scope=Scope.parse(r.scope),
        type=ChannelType(r.type),
        name=r.name,
        kinds=frozenset(r.kinds or []),
        masked_url=r.masked_url,
        status=Status(r.status),
        created_by=r.created_by,
        created_at=datetime.fromisoformat(r.created_at),
        failing_since=r.failing_since,
        paused_at=r.paused_at,
        paused_by_breaker=bool(r.paused_by_breaker),
    )


def records_in(scope: Scope) -> list[ChannelRecord]:
    storage.bind()
    return list(ChannelRecord.by_scope.query(scope.key))


def list_channels(p: Principal, scope: Scope) -> list[Channel]:
    authorize(p, scope)
    return [channel_of(r) for r in records_in(scope)]


def _parse(scope: Scope, data: ChannelIn) -> tuple[ChannelType, str, tuple[str, ...]]:
    try:
        kind = ChannelType(data.type)
    except ValueError:
        raise BadRequest("Choose the kind of channel.", field="type") from None
    name = " ".join(data.name.split())
    if not name or len(name) > NAME_MAX:
        raise BadRequest("Give the channel a name of 1 to {max} characters.", field="name", max=NAME_MAX)
    chosen = tuple(k for k in scope.kinds if k in set(data.kinds))
    if not chosen or len(chosen) != len(set(data.kinds)):
        raise BadRequest("Choose at least one kind of notice this channel may receive.", field="kinds")
    try:
        guard.check(data.url.strip())
    except guard.Refused as refused:
        raise BadRequest(refused.reason, field="url") from None
    return kind, name, chosen


def connect(p: Principal, scope: Scope, data: ChannelIn) -> Connected:
    authorize(p, scope)
    kind, name, chosen = _parse(scope, data)
    _reserve(scope)
    channel_id = uuid.uuid4().hex
    url = data.url.strip()
    secret = f"kumo_whsec_{secrets.token_urlsafe(32)}" if kind is ChannelType.WEBHOOK else None
    context = f"channel:{channel_id}"
    record = ChannelRecord(
        channel_id,
        scope=scope.key,
        created_at=datetime.now(UTC).isoformat(),
        type=kind.value,
        name=name,
        kinds=list(chosen),
        url_sealed=sealing.seal(url, context=context, key=sealing.WEBHOOKS),
        masked_url=mask_url(url),
        secret_sealed=sealing.seal(secret, context=context, key=sealing.WEBHOOKS) if secret else None,
        status=Status.ACTIVE.value,
        created_by=p.staff_id,
    )
    storage.bind()
    record.save(condition=ChannelRecord.channel_id.does_not_exist())
    return Connected(channel_of(record), secret)


def _counter(scope: Scope) -> ScopeCountRecord:
    return ScopeCountRecord(f"count#{scope.key}")


def _reserve(scope: Scope) -> None:
    """Takes one of the scope's places before the channel is written (released on delete)."""
    storage.bind()
    counter = _counter(scope)
    room = ScopeCountRecord.channels.does_not_exist() | (ScopeCountRecord.channels < PER_SCOPE_MAX)
    if not update_if(counter, [ScopeCountRecord.channels.add(1)], room):
        raise Conflict("A unit or project can connect at most {max} channels.", max=PER_SCOPE_MAX)


def _managed(p: Principal, channel_id: str) -> ChannelRecord:
    storage.bind()
    record = get_or_none(ChannelRecord, channel_id, consistent_read=True)
    if record is None or record.channel_id.startswith("count#"):
        raise NotFound("There is no channel {channel_id}.", channel_id=channel_id)
    authorize(p, Scope.parse(record.scope))
    return record


def get(p: Principal, channel_id: str) -> Channel:
    return channel_of(_managed(p, channel_id))


def pause(p: Principal, channel_id: str) -> Channel:
    record = _managed(p, channel_id)
    record.update(
        actions=[
            ChannelRecord.status.set(Status.PAUSED.value),
            ChannelRecord.paused_at.set(datetime.now(UTC)),
            ChannelRecord.paused_by_breaker.set(False),
        ]
    )
    return channel_of(record)


def resume(p: Principal, channel_id: str) -> Channel:
    """Active again, with a clean slate: the breaker counts failures from the next one."""
    record = _managed(p, channel_id)
    record.update(
        actions=[
            ChannelRecord.status.set(Status.ACTIVE.value),
            ChannelRecord.paused_at.remove(),
            ChannelRecord.failing_since.remove(),
            ChannelRecord.paused_by_breaker.set(False),
        ]
    )
    return channel_of(record)


def delete(p: Principal, channel_id: str) -> None:
    record = _managed(p, channel_id)
    if not delete_if(record, ChannelRecord.channel_id.exists()):
        return  # removed at the same moment by someone else, whose delete released the place
    _counter(Scope.parse(record.scope)).update(actions=[ScopeCountRecord.channels.add(-1)])


def send_test(p: Principal, channel_id: str) -> Attempt:
    """A test message, now, from the request (not through the queue): the page shows its outcome."""
    from chalicelib.notifications.channels import delivery

    record = _managed(p, channel_id)
    return delivery.send_test(record, scope_name(Scope.parse(record.scope)))


def log(p: Principal, channel_id: str, limit: int = LOG_SIZE) -> list[Attempt]:
    _managed(p, channel_id)
    return attempts(channel_id, limit)


def attempts(channel_id: str, limit: int = LOG_SIZE) -> list[Attempt]:
    storage.bind()
    found = AttemptRecord.query(channel_id, scan_index_forward=False, limit=limit)
    return [
        Attempt(r.at, r.kind, bool(r.ok), int(r.status_code) if r.status_code is not None else None, r.error)
        for r in found
    ]


def kind_label(kind: str) -> str:
    from chalicelib.notifications import kinds
    from chalicelib.notifications.channels.texts import TEST_LABEL

    spec = kinds.kind(kind)
    return spec.label if spec is not None else TEST_LABEL
