"""Board templates: a project can start from one (its lists, WIP limits, labels and a few
starter cards), the way Trello and GitHub Projects offer "Kanban" or "Team planning".
Texts are gettext msgids, written in the creator's language when the project is made."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.core.i18n_markers import N_


@dataclass(frozen=True)
class ListTemplate:
    title: str
    wip_limit: int = 0
    cards: tuple[str, ...] = ()


@dataclass(frozen=True)
class BoardTemplate:
    key: str
    name: str
    description: str
    lists: tuple[ListTemplate, ...]
    labels: tuple[tuple[str, str], ...] = ()  # (name, color)


TEMPLATES: tuple[BoardTemplate, ...] = (
    BoardTemplate(
        "kanban",
        N_("Kanban"),
        N_("To do, doing, done: the simplest board."),
        (ListTemplate(N_("To do")), ListTemplate(N_("Doing"), wip_limit=5), ListTemplate(N_("Done"))),
        ((N_("Urgent"), "red"), (N_("Waiting"), "yellow")),
    ),
    BoardTemplate(
        "improvement",
        N_("Work improvement"),
        N_("From an idea to a practice that stays: for 業務改善 and DX projects."),
        (
            ListTemplate(N_("Ideas"), cards=(N_("Write down the current procedure"),)),
            ListTemplate(N_("Under study"), wip_limit=3),
            ListTemplate(N_("Trial")),
            ListTemplate(N_("Adopted")),
        ),
        ((N_("Paperwork"), "blue"), (N_("System"), "purple"), (N_("Rules"), "orange")),
    ),
    BoardTemplate(
        "event",
        N_("Event preparation"),
        N_("Plan, prepare, hold and review an event with several 所属."),
        (
            ListTemplate(N_("Planning"), cards=(N_("Fix the date and the venue"), N_("Draft the budget"))),
            ListTemplate(N_("Preparing"), wip_limit=6),
            ListTemplate(N_("On the day")),
            ListTemplate(N_("Review")),
        ),
        ((N_("Venue"), "green"), (N_("Publicity"), "teal"), (N_("Budget"), "red")),
    ),
)


def find(key: str) -> BoardTemplate | None:
    return next((t for t in TEMPLATES if t.key == key), None)
