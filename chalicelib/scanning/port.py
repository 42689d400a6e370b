"""The scanner port: what every adapter takes (an event) and gives (a Subject and a Verdict)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal, Protocol

VerdictStatus = Literal["clean", "infected", "unscannable"]

# chalicelib/files/s3.py version_key(): spaces/<space id>/<file id>/v<8-digit version>
_VERSION_KEY = re.compile(r"^spaces/(?P<space>[^/]+)/(?P<file>[^/]+)/v(?P<version>\d{8})$")


@dataclass(frozen=True)
class Verdict:
    status: VerdictStatus
    reason: str  # for people and logs: which threat, why it could not be scanned

    @property
    def is_clean(self) -> bool:
        return self.status == "clean"

    @classmethod
    def clean(cls, reason: str = "no threat found") -> Verdict:
        return cls("clean", reason)

    @classmethod
    def infected(cls, reason: str) -> Verdict:
        return cls("infected", reason)

    @classmethod
    def unscannable(cls, reason: str) -> Verdict:
        return cls("unscannable", reason)


@dataclass(frozen=True)
class Subject:
    """The stored file version an event is about."""

    file_id: str
    version: int
    key: str  # its object key in the files bucket


def subject_for_key(key: str) -> Subject | None:
    """The version stored under this object key, or None for any other key (uploads/, quarantine/...)."""
    match = _VERSION_KEY.match(key)
    if match is None:
        return None
    return Subject(match["file"], int(match["version"]), key)


class Scanner(Protocol):
    """A malware scanner, as the state machine sees it.

    subject_of: the version this event asks about, or None when the event is not for this
    scanner (the local scanner acts on uploads, the GuardDuty adapter on GuardDuty's results).
    verdict_on: the verdict for that version; called only while the version is still pending.
    """

    name: str

    def subject_of(self, event: dict[str, Any]) -> Subject | None: ...

    def verdict_on(self, subject: Subject, event: dict[str, Any]) -> Verdict | None:
        """The verdict, or None when it is not known yet (another event will bring it)."""
        ...
