"""JSON API of calendars and of the personal iCal feed: a month of my tasks or of a board's
cards, and making, resetting or stopping my feed's secret URL. Each route parses, calls one use
case, shapes the answer (calendar_views.py)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.core import web
from chalicelib.core.auth import Principal, require_signed_in
from chalicelib.core.contract import operation
from chalicelib.core.month import parse_month
from chalicelib.projects import calendars, feeds
from chalicelib.projects.calendar_schemas import (
    BoardMonthQuery,
    CalendarOut,
    FeedOut,
    FeedStatusOut,
    MonthQuery,
)
from chalicelib.projects.calendar_views import calendar_json

bp = Blueprint(__name__)
TAG = "projects"


def _me() -> Principal:
    return require_signed_in(web.principal())


def _query() -> dict[str, Any]:
    return dict(bp.current_request.query_params or {})


def _status_json(feed: feeds.Feed) -> FeedStatusOut:
    return {
        "active": feed.active,
        "created_at": feed.created_at.isoformat() if feed.created_at else None,
        "fetched_at": feed.fetched_at.isoformat() if feed.fetched_at else None,
    }


@bp.route("/api/my/calendar")
@operation(
    "My tasks with a due date, as a month (Sunday first, 祝日 named)", query=MonthQuery, returns=CalendarOut, tag=TAG
)
def my_calendar() -> Response:
    me = _me()
    view = calendars.my_month(me, parse_month(_query().get("month")))
    return web.json_response(calendar_json(view))


@bp.route("/api/projects/{project_id}/calendar")
@operation("A board's cards by due date, as a month", query=BoardMonthQuery, returns=CalendarOut, tag=TAG)
def board_calendar(project_id: str) -> Response:
    me = _me()
    params = _query()
    found = calendars.board_month(me, project_id, params.get("board"), parse_month(params.get("month")))
    return web.json_response(calendar_json(found.view, board_id=found.board.board.board_id))


@bp.route("/api/my/calendar/feed")
@operation("Whether I have an iCal feed, and when a calendar app last fetched it", returns=FeedStatusOut, tag=TAG)
def feed_status() -> Response:
    return web.json_response(_status_json(feeds.status(_me())))


@bp.route("/api/my/calendar/feed", methods=["POST"])
@operation(
    "Make my iCal feed's secret URL, or reset it (the old URL stops working at once); shown once",
    returns=FeedOut,
    status=201,
    tag=TAG,
)
def reset_feed() -> Response:
    issued = feeds.reset(_me())
    out: FeedOut = {"url": issued.url, "created_at": issued.created_at.isoformat()}
    return web.json_response(out, status=201)


@bp.route("/api/my/calendar/feed", methods=["DELETE"])
@operation("Stop my iCal feed: its URL answers 404 from now on", returns=FeedStatusOut, tag=TAG)
def stop_feed() -> Response:
    me = _me()
    feeds.stop(me)
    return web.json_response(_status_json(feeds.status(me)))
