"""The 「通知をミュート」 toggle on a share link's page and a survey's page.

Mutes are the notifications slice's, which sits above sharing and surveys (a slice never asks one
above it), so notifications registers here what the toggle shows (notifications/mute_pages.py)
and those pages ask this one place, as a file's page gets its share panel from sharing. Nothing
registered, or a person who hears nothing of the subject: no toggle.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib.core.auth import Principal

# (me, subject kind "share" or "survey", its id) -> the toggle's template context
# (templates/mute_toggle.html), or None when there is nothing for this person to mute.
Toggle = Callable[[Principal, str, str], dict[str, Any] | None]
_toggles: list[Toggle] = []


def provide(toggle: Toggle) -> None:
    _toggles[:] = [toggle]


def toggle(me: Principal, subject_kind: str, subject_id: str) -> dict[str, Any] | None:
    return _toggles[0](me, subject_kind, subject_id) if _toggles else None
