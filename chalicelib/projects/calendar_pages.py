"""Pages of 自分のタスク, the calendars and the personal iCal feed, server-rendered (they work
without JavaScript), and the feed itself: /calendar/<secret>.ics, answered without a session.

/my/tasks          my tasks across projects: overdue, today, this week, later, no due date
/my/calendar       the same by due date, a month at a time (?month=YYYY-MM)
/projects/{id}/calendar  a board's cards by due date (?board=…&month=…)
/my/calendar/feed  make, reset or stop my feed's secret URL (shown once, when made)
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from chalice import Blueprint, Response

from chalicelib.core import i18n, web
from chalicelib.core.auth import Principal, require_signed_in
from chalicelib.core.config import settings
from chalicelib.core.errors import NotFound
from chalicelib.core.i18n_markers import N_
from chalicelib.core.layout import page
from chalicelib.core.month import Month, parse_month, title, today, wareki_month
from chalicelib.projects import calendars, cards, feeds
from chalicelib.projects.model import now
from chalicelib.projects.tasks import GROUP_TITLES, grouped

bp = Blueprint(__name__)
FORM = ["application/x-www-form-urlencoded"]
AREA = "my_tasks"  # the shell's navigation entry (chalicelib/shell/pages.py)
# (short, full) names of the days of the week, Sunday first as Japanese calendars print them.
WEEKDAYS = (
    (N_("Sun"), N_("Sunday")),
    (N_("Mon"), N_("Monday")),
    (N_("Tue"), N_("Tuesday")),
    (N_("Wed"), N_("Wednesday")),
    (N_("Thu"), N_("Thursday")),
    (N_("Fri"), N_("Friday")),
    (N_("Sat"), N_("Saturday")),
)
FEED_SUFFIX = ".ics"


def _me() -> Principal:
    return require_signed_in(web.principal())


def _param(name: str) -> str | None:
    params: Any = bp.current_request.query_params or {}
    value = params.get(name)
    return str(value) if value else None


def day_label(d: date, language: str, on: date) -> str:
    """A due date as people read it: 1月15日（金）, with the year when it is not this year's."""
    translate = i18n.gettext_for(language)
    weekday = translate(WEEKDAYS[(d.weekday() + 1) % 7][0])
    if language == "ja":
        year = f"{d.year}年" if d.year != on.year else ""
        return f"{year}{d.month}月{d.day}日（{weekday}）"
    return f"{weekday} {d.day} {d.strftime('%b')}" + (f" {d.year}" if d.year != on.year else "")


def _month_names(month: Month) -> dict[str, Any]:
    language = web.state().language
    return {
        "month": month,
        "month_title": title(month, language),
        "wareki": wareki_month(month),
        "previous_title": title(month.previous, language),
        "next_title": title(month.next, language),
        "weekdays": WEEKDAYS,
    }


@bp.route("/my/tasks")
def my_tasks() -> Response:
    me = _me()
    on = today()
    found = cards.my_tasks(me.staff_id)
    language = web.state().language
    return page(
        "calendar/tasks.html",
        current_area=AREA,
        groups=[(g, tasks) for g, tasks in grouped(found, on) if tasks],
        group_titles=GROUP_TITLES,
        count=len(found),
        due_label=lambda d: day_label(d, language, on),
    )


@bp.route("/my/calendar")
def my_calendar() -> Response:
    me = _me()
    month = parse_month(_param("month"))
    view = calendars.my_month(me, month)
    return page(
        "calendar/month.html", current_area=AREA, view=view, path="/my/calendar", board=None, **_month_names(month)
    )


@bp.route("/projects/{project_id}/calendar")
def board_calendar(project_id: str) -> Response:
    me = _me()
    month = parse_month(_param("month"))
    found = calendars.board_month(me, project_id, _param("board"), month)
    return page(
        "calendar/month.html",
        current_area="projects",
        view=found.view,
        path=f"/projects/{project_id}/calendar",
        board=found.board,
        **_month_names(month),
    )


@bp.route("/my/calendar/feed")
def feed_page() -> Response:
    return page("calendar/feed.html", current_area=AREA, feed=feeds.status(_me()), issued=None)


@bp.route("/my/calendar/feed", methods=["POST"], content_types=FORM)
def change_feed() -> Response:
    """Make or reset the feed (its URL is on the page this once), or stop it."""
    me = _me()
    if web.form(bp.current_request).get("action") == "stop":
        feeds.stop(me)
        return web.redirect("/my/calendar/feed")
    issued = feeds.reset(me)
    return page("calendar/feed.html", current_area=AREA, feed=feeds.status(me), issued=issued)


@bp.route("/calendar/{feed}")
def ical_feed(feed: str) -> Response:
    """What a calendar app fetches: no session, the secret in the path is the whole right."""
    from chalicelib.projects import ical

    if not feed.endswith(FEED_SUFFIX):
        raise NotFound("There is no such calendar feed. Its address may have been reset.")
    found = feeds.open_feed(feed.removesuffix(FEED_SUFFIX))
    translate = i18n.gettext_for(web.state().language)
    body = ical.calendar(
        found.tasks,
        name=translate(ical.CALENDAR_NAME),
        calendar_uid=f"tasks-{hashlib.sha256(found.staff_id.encode()).hexdigest()[:24]}@kumo",
        base_url=settings().base_url,
        stamp=now(),
        translate=translate,
    )
    return Response(
        body=body.decode("utf-8"),
        status_code=200,
        headers={
            "Content-Type": "text/calendar; charset=utf-8",
            # The person's own tasks: no shared cache may keep them; the app may for a few minutes.
            "Cache-Control": "private, max-age=300",
            "Content-Disposition": 'inline; filename="kumo-tasks.ics"',
        },
    )
