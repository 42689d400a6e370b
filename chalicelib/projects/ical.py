"""A person's tasks as an iCalendar (RFC 5545) document, written with the `icalendar` package.

Each task with a due date is an all-day VEVENT on that day (DTSTART;VALUE=DATE, DTEND the next
day): a due date is a day in Japan, not an instant, so no time zone can move it to another day.
The UID is the card's, so a calendar app updates the event in place when the card's title or
due date changes, and removes it when the card leaves the feed. Events are TRANSPARENT: a due
date does not make the person look busy to whoever schedules a meeting with them.

The calendar names its zone (X-WR-TIMEZONE and a VTIMEZONE for Asia/Tokyo) for the apps that
show a feed's zone. icalendar does the escaping (commas, semicolons, newlines in a title) and
the line folding; it is imported here only, by the feed's request.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from chalicelib.core.i18n_markers import N_
from chalicelib.projects.tasks import Task

PRODID = "-//Kumo//Project tasks//JA"
TIMEZONE = "Asia/Tokyo"
CALENDAR_NAME = N_("Kumo: my tasks")
PROJECT_LINE = N_("Project: %(name)s")
ITEMS_LINE = N_("Your checklist items:")
REFRESH = timedelta(hours=1)  # a hint to apps that honour it (REFRESH-INTERVAL, X-PUBLISHED-TTL)


def event_uid(task: Task) -> str:
    """Stable per card: the same card is the same event in every fetch of every feed."""
    return f"{task.card_id}@kumo"


def description(task: Task, link: str, translate: Callable[[str], str]) -> str:
    lines = [translate(PROJECT_LINE) % {"name": task.project_name}]
    if task.open_items:
        lines.append(translate(ITEMS_LINE))
        lines.extend(f"- {item.text}" for item in task.open_items)
    lines.append(link)
    return "\n".join(lines)


def calendar(
    tasks: list[Task],
    *,
    name: str,
    calendar_uid: str,
    base_url: str,
    stamp: datetime,
    translate: Callable[[str], str],
) -> bytes:
    """The feed's document: one all-day event per task with a due date."""
    from icalendar import TRANSP, Calendar, Event, Timezone

    cal = Calendar.new(prodid=PRODID, name=name, method="PUBLISH", uid=calendar_uid, refresh_interval=REFRESH)
    cal.add("X-WR-TIMEZONE", TIMEZONE)
    cal.add("X-PUBLISHED-TTL", "PT1H")  # the same hint in the name Outlook and Google read
    cal.add_component(Timezone.from_tzid(TIMEZONE))
    for task in tasks:
        day = task.due_date
        if day is None:
            continue
        link = f"{base_url.rstrip('/')}{task.link}"
        event = Event.new(
            uid=event_uid(task),
            summary=task.title,
            start=day,
            end=day + timedelta(days=1),
            stamp=stamp,
            description=description(task, link, translate),
            url=link,
            transparency=TRANSP.TRANSPARENT,
        )
        cal.add_component(event)
    return bytes(cal.to_ical())
