"""Domain events: published to the EventBridge bus, routed by rules to the queues.

An event is `source = kumo.<feature>`, `detail-type = <PastTenseName>`, `detail = {...}`. Each
kind of event is one `Detail` subclass, a frozen dataclass declared in
chalicelib/core/event_catalogue.py: its fields are the detail's fields and its `EVENT` names
the source and detail type. Producers construct one (a missing field is a type error), the bus
rules (core/resources.py) name those types, and consumers parse what the bus delivers back into
one (`parse`: a missing or mistyped field raises `MalformedEvent`, so the message is retried
and then rests in the queue's DLQ instead of half-working).

PutEvents takes at most 10 entries a call and may accept some and reject others: rejected
entries are retried (with back-off) and, if they still fail, an error is raised so the caller
does not report success for an event nobody will see.

Importing this module touches nothing and imports no other Kumo module: core/bus_rules.py (pure
data, read by infra/) builds the bus rules from the catalogue.
"""

from __future__ import annotations

import dataclasses
import json
import time
import types
import typing
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, Self

MAX_BATCH = 10
MAX_ATTEMPTS = 4
SOURCE_PREFIX = "kumo."
# Written by `to_entry` next to the detail's own fields; never fields of a Detail.
ENVELOPE_FIELDS = ("event_id", "occurred_at")


class PublishError(RuntimeError):
    """Some events could not be put on the bus after every retry."""


class MalformedEvent(ValueError):
    """A delivered event whose detail does not match its catalogue definition."""


@dataclass(frozen=True)
class EventType:
    """Where an event comes from and what it is called on the bus."""

    feature: str  # e.g. "directory" -> source "kumo.directory"
    name: str  # the detail type, e.g. "DepartmentNoticePosted"

    @property
    def source(self) -> str:
        return f"{SOURCE_PREFIX}{self.feature}"

    def matches(self, event: Mapping[str, Any]) -> bool:
        """Whether a delivered event (source, detail-type) is of this type."""
        return event.get("source") == self.source and event.get("detail-type") == self.name


@dataclass(frozen=True)
class Detail:
    """The detail of one kind of domain event; subclasses are frozen dataclasses with an EVENT."""

    EVENT: ClassVar[EventType]

    def __post_init__(self) -> None:
        # A producer that passes None for a str (an unset attribute) learns it here, not the consumer.
        hints = _hints(type(self))
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if not _fits(hints[f.name], value):
                raise TypeError(f"{self.EVENT.name}.{f.name} must be {hints[f.name]}, not {type(value).__name__}")

    def event(self, *, event_id: str | None = None, occurred_at: str | None = None) -> DomainEvent:
        """This detail as an event to publish (a fixed id makes a repeated announcement one event)."""
        return DomainEvent(
            self, event_id=event_id or str(uuid.uuid4()), occurred_at=occurred_at or datetime.now(UTC).isoformat()
        )

    def fields(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def matches(cls, event: Mapping[str, Any]) -> bool:
        return cls.EVENT.matches(event)

    @classmethod
    def parse(cls, event: Mapping[str, Any]) -> Self:
        """The typed detail of a delivered event of this type; MalformedEvent if it does not fit."""
        if not cls.matches(event):
            raise MalformedEvent(
                f"not a {cls.EVENT.source}/{cls.EVENT.name} event: {event.get('source')}/{event.get('detail-type')}"
            )
        detail = event.get("detail")
        if not isinstance(detail, Mapping):
            raise MalformedEvent(f"{cls.EVENT.name} without a detail object")
        return cls.from_fields(detail)

    @classmethod
    def from_fields(cls, detail: Mapping[str, Any]) -> Self:
        """Build from a detail mapping, checking each field's presence and type; extra keys are ignored
        (the envelope's event_id and occurred_at, or a field a newer producer added)."""
        hints = _hints(cls)
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            if f.name not in detail:
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                    raise MalformedEvent(f"{cls.EVENT.name}: the detail has no {f.name!r}")
                continue
            value = detail[f.name]
            if not _fits(hints[f.name], value):
                raise MalformedEvent(
                    f"{cls.EVENT.name}: {f.name!r} must be {hints[f.name]}, not {type(value).__name__}"
                )
            values[f.name] = value
        return cls(**values)


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type[Detail]) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _fits(hint: Any, value: Any) -> bool:
    """A small runtime check of the annotations details use: str, int, bool, float, None, unions, Literal."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_fits(arg, value) for arg in typing.get_args(hint))
    if origin is typing.Literal:
        return value in typing.get_args(hint)
    if not isinstance(hint, type):
        return True
    expected: Any = (int, float) if hint is float else hint
    # bool is an int to Python, not to a reader of the detail: True is no version number.
    return isinstance(value, expected) and (hint is bool or not isinstance(value, bool))


@dataclass(frozen=True)
class DomainEvent:
    detail: Detail
    event_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    occurred_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())

    @property
    def type(self) -> EventType:
        return self.detail.EVENT

    @property
    def source(self) -> str:
        return self.type.source

    @property
    def name(self) -> str:
        return self.type.name

    def wire_detail(self) -> dict[str, Any]:
        # The event id travels inside the detail: EventBridge assigns its own envelope id,
        # but consumers deduplicate on ours so a retried PutEvents is still one event.
        return {**self.detail.fields(), "event_id": self.event_id, "occurred_at": self.occurred_at}

    def to_entry(self, bus_name: str) -> dict[str, Any]:
        return {
            "Source": self.source,
            "DetailType": self.name,
            "Detail": json.dumps(self.wire_detail(), ensure_ascii=False),
            "EventBusName": bus_name,
        }

    def as_delivered(self) -> dict[str, Any]:
        """The event as the bus hands it to a queue target (what the functions parse)."""
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "source": self.source,
            "detail-type": self.name,
            "time": self.occurred_at,
            "resources": [],
            "detail": self.wire_detail(),
        }


def publish(
    events: Sequence[DomainEvent | Detail],
    *,
    put_events: Callable[..., dict[str, Any]] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Put the events on the bus, in batches of ten, retrying rejected entries."""
    if not events:
        return
    from chalicelib.core import aws
    from chalicelib.core.config import settings

    put = put_events or aws.client("events").put_events
    bus = settings().event_bus_name
    entries = [(e if isinstance(e, DomainEvent) else e.event()).to_entry(bus) for e in events]
    for start in range(0, len(entries), MAX_BATCH):
        _put_batch(entries[start : start + MAX_BATCH], put, sleep)


def _put_batch(
    entries: list[dict[str, Any]], put: Callable[..., dict[str, Any]], sleep: Callable[[float], None]
) -> None:
    from chalicelib.core.observability import logger

    pending = entries
    for attempt in range(1, MAX_ATTEMPTS + 1):
        response = put(Entries=pending)
        if not response.get("FailedEntryCount"):
            return
        failed = [entry for entry, result in zip(pending, response["Entries"], strict=False) if result.get("ErrorCode")]
        codes = sorted({r.get("ErrorCode", "") for r in response["Entries"] if r.get("ErrorCode")})
        logger.warning("events rejected by the bus", extra={"count": len(failed), "codes": codes, "attempt": attempt})
        pending = failed
        if attempt < MAX_ATTEMPTS:
            sleep(0.1 * 2 ** (attempt - 1))
    raise PublishError(
        f"{len(pending)} event(s) could not be published: "
        + ", ".join(f"{e['Source']}/{e['DetailType']}" for e in pending)
    )
