"""Cards: create, change (title, Markdown description, assignees, due date, labels, checklist,
attachments, watchers), move between lists, archive and restore, comment with @mentions.

Each change is one transaction: the card at the version its editor saw (409 otherwise), the
rows of `card_assignments` that 自分のタスク, the calendar and the iCal feed read (one per person
the card or one of its checklist items is assigned to), and the activity entry.
Attachments are links to Kumo files: linking needs the editor's own right to read the file, and
every viewer sees only the attachments their own file permissions let them read (cards never
widen access to a file).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

from chalicelib.core import events
from chalicelib.core.auth import Principal
from chalicelib.core.errors import BadRequest, Conflict
from chalicelib.core.events import Detail
from chalicelib.core.project_events import CardAssigned, CardChanged
from chalicelib.core.storage import is_cancelled_transaction, transaction
from chalicelib.projects import access, boards, membership, storage
from chalicelib.projects.activity import Action, entry
from chalicelib.projects.boards import Neighbour
from chalicelib.projects.model import Card, ChecklistItem, card_of, checklist_json, new_id, now
from chalicelib.projects.storage import AssignmentRecord, ItemRecord
from chalicelib.projects.tasks import MyItem, Task, items_json, task_of

DESCRIPTION_MAX = 20_000
ASSIGNEES_MAX = 20
CHECKLIST_MAX = 100
ATTACHMENTS_MAX = 20
LABELS_MAX = 10


@dataclass(frozen=True)
class CardChanges:
    """What an editor sends; None: leave as it is."""

    title: str | None = None
    description: str | None = None
    assignees: list[str] | None = None
    due: str | None = None  # ISO date; "" clears it
    labels: list[str] | None = None
    checklist: list[dict[str, object]] | None = None  # [{"id"?, "text", "done", "assignee"?}]
    attachments: list[str] | None = None
    watchers: list[str] | None = field(default=None)


def card_key(board_id: str, card_id: str) -> str:
    return f"{board_id}/{card_id}"


def _due(value: str) -> str | None:
    if value == "":
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise BadRequest("{field} is not a valid date (YYYY-MM-DD).", field="due") from None


def _assignees(project_id: str, ids: list[str]) -> list[str]:
    wanted = list(dict.fromkeys(ids))
    if len(wanted) > ASSIGNEES_MAX:
        raise BadRequest("A card has at most {limit} assignees.", field="assignees", limit=ASSIGNEES_MAX)
    members = membership.active_member_ids(project_id)
    strangers = [i for i in wanted if i not in members]
    if strangers:
        raise BadRequest("Only members can be assigned: {ids}.", field="assignees", ids=", ".join(strangers))
    return wanted


def _checklist(project_id: str, items: list[dict[str, object]]) -> tuple[ChecklistItem, ...]:
    if len(items) > CHECKLIST_MAX:
        raise BadRequest("A checklist has at most {limit} items.", field="checklist", limit=CHECKLIST_MAX)
    members = membership.active_member_ids(project_id)
    out: list[ChecklistItem] = []
    for raw in items:
        text = " ".join(str(raw.get("text") or "").split())
        if not text or len(text) > 300:
            raise BadRequest("Each checklist item needs a text of at most 300 characters.", field="checklist")
        assignee = str(raw.get("assignee") or "") or None
        if assignee is not None and assignee not in members:
            raise BadRequest("Only members can be assigned: {ids}.", field="checklist", ids=assignee)
        out.append(ChecklistItem(str(raw.get("id") or new_id("chk")), text, bool(raw.get("done")), assignee))
    return tuple(out)


def _attachments(p: Principal, current: tuple[str, ...], ids: list[str]) -> list[str]:
    """Newly linked files must be readable by the editor; ones already linked stay even when this
    editor cannot read them (they were linked by someone who could, and remain hidden from them)."""
    from chalicelib.files import access

    wanted = list(dict.fromkeys(ids))
    if len(wanted) > ATTACHMENTS_MAX:
        raise BadRequest("A card has at most {limit} attachments.", field="attachments", limit=ATTACHMENTS_MAX)
    for file_id in wanted:
        if file_id not in current:
            access.readable(p, file_id)  # NotFound when this editor may not read it
    return wanted


def _labels(found: access.Standing, ids: list[str]) -> list[str]:
    known = {x.label_id for x in found.project.labels}
    wanted = list(dict.fromkeys(ids))
    if len(wanted) > LABELS_MAX or any(i not in known for i in wanted):
        raise BadRequest("{field} is not a valid value.", field="labels")
    return wanted


def _items_by_person(card: ItemRecord) -> dict[str, list[MyItem]]:
    """The card's checklist items by the person each is assigned to."""
    out: dict[str, list[MyItem]] = {}
    for raw in json.loads(card.checklist_json or "[]"):
        if raw.get("assignee"):
            out.setdefault(str(raw["assignee"]), []).append(MyItem(raw["id"], raw["text"], bool(raw.get("done"))))
    return out


def _people(card: ItemRecord) -> list[str]:
    """Everyone with a row for the card as stored: its assignees and who has an item on it."""
    return list(dict.fromkeys([*(str(a) for a in card.assignees or []), *_items_by_person(card)]))


def _sync_assignments(
    tx: object, found: access.Standing, card: ItemRecord, *, before: list[str], after: list[str], archived: bool
) -> None:
    """The rows for 自分のタスク: one for every assignee (`after`) and everyone with a checklist
    item on the card (its checklist as `card` holds it now), removed for the rest of `before`."""
    items = _items_by_person(card)
    people = list(dict.fromkeys([*after, *items]))
    for staff_id in people:
        tx.save(  # type: ignore[attr-defined]
            AssignmentRecord(
                staff_id,
                card_key(card.board_id, card.item_id),
                project_id=found.project.project_id,
                project_name=found.project.name,
                board_id=card.board_id,
                card_id=card.item_id,
                title=card.title,
                due=card.due,
                archived=archived,
                assigned=staff_id in after,
                items_json=items_json(items.get(staff_id, [])),
            )
        )
    for staff_id in set(before) - set(people):
        tx.delete(AssignmentRecord(staff_id, card_key(card.board_id, card.item_id)))  # type: ignore[attr-defined]


def get(p: Principal, project_id: str, board_id: str, card_id: str) -> tuple[access.Standing, Card]:
    found = access.standing(p, project_id)
    boards.board_ref(found, board_id)
    return found, card_of(boards.item(board_id, card_id, "card"))


def create(p: Principal, project_id: str, board_id: str, list_id: str, title: str, *, after: Neighbour | None) -> Card:
    """A card at the end of a list (after `after`, the last card as its creator saw it)."""
    found = access.as_member(p, project_id)
    boards.board_ref(found, board_id)
    card_list = boards.item(board_id, list_id, "list")
    if card_list.archived:
        raise BadRequest("This list is archived.", field="list_id")
    name = boards.title_of(title)
    try:
        from chalicelib.projects import ranks

        rank = ranks.pick_between(after.rank if after else None, None)
    except ValueError:
        raise BadRequest("{field} is not a valid value.", field="after") from None
    at = now()
    record = ItemRecord(
        board_id,
        new_id("C"),
        project_id=project_id,
        kind="card",
        list_id=list_id,
        rank=rank,
        title=name,
        watchers=[p.staff_id],
        created_by=p.staff_id,
        created_at=at,
        updated_at=at,
    )
    storage.bind()
    with transaction() as tx:
        tx.save(record, condition=ItemRecord.item_id.does_not_exist())
        tx.save(entry(p, project_id, Action.CARD_CREATED, board_id=board_id, card_id=record.item_id, summary=name))
    events.publish([CardChanged(project_id=project_id, board_id=board_id, card_id=record.item_id, change="created")])
    return card_of(record)


@dataclass
class _Plan:
    actions: list[object] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    def add(self, name: str, action: object) -> None:
        self.actions.append(action)
        self.changed.append(name)


def _plan_content(found: access.Standing, record: ItemRecord, changes: CardChanges, plan: _Plan) -> None:
    if changes.title is not None:
        record.title = boards.title_of(changes.title)
        plan.add("title", ItemRecord.title.set(record.title))
    if changes.description is not None:
        if len(changes.description) > DESCRIPTION_MAX:
            raise BadRequest(
                "{field} is too long (at most {limit} characters).", field="description", limit=DESCRIPTION_MAX
            )
        plan.add("description", ItemRecord.description.set(changes.description))
    if changes.due is not None:
        before = record.due
        record.due = _due(changes.due)
        plan.add("due", ItemRecord.due.set(record.due) if record.due else ItemRecord.due.remove())
        if record.due != before:  # a new date is reminded of anew (reminders.py)
            plan.actions.append(ItemRecord.reminded.remove())
    if changes.labels is not None:
        plan.add("labels", ItemRecord.labels.set(_labels(found, changes.labels)))  # type: ignore[arg-type]


def _plan_people(p: Principal, record: ItemRecord, changes: CardChanges, plan: _Plan) -> list[str]:
    """The people side of a change; returns the assignees after it."""
    assignees = [str(a) for a in record.assignees or []]
    if changes.assignees is not None:
        assignees = _assignees(record.project_id, changes.assignees)
        plan.add("assignees", ItemRecord.assignees.set(assignees))  # type: ignore[arg-type]
    if changes.checklist is not None:
        record.checklist_json = checklist_json(_checklist(record.project_id, changes.checklist))
        plan.add("checklist", ItemRecord.checklist_json.set(record.checklist_json))
    if changes.attachments is not None:
        current = tuple(str(a) for a in record.attachments or [])
        linked = _attachments(p, current, changes.attachments)
        plan.add("attachments", ItemRecord.attachments.set(linked))  # type: ignore[arg-type]
    if changes.watchers is not None:
        plan.add("watchers", ItemRecord.watchers.set(_watchers(p, record, changes.watchers)))  # type: ignore[arg-type]
    return assignees


def update(p: Principal, project_id: str, board_id: str, card_id: str, *, changes: CardChanges, version: int) -> Card:
    found = access.as_member(p, project_id)
    boards.board_ref(found, board_id)
    record = boards.item(board_id, card_id, "card")
    before_assignees = [str(a) for a in record.assignees or []]
    before_people = _people(record)
    plan = _Plan()
    _plan_content(found, record, changes, plan)
    after_assignees = _plan_people(p, record, changes, plan)
    if not plan.actions:
        raise BadRequest("Nothing to change.", field="title")
    activity = entry(
        p, project_id, Action.CARD_CHANGED, board_id=board_id, card_id=card_id, summary=",".join(plan.changed)
    )
    _write(found, record, version, plan.actions, activity, assigned=(before_people, after_assignees))
    announce_change(p, found, record, [a for a in after_assignees if a not in before_assignees and a != p.staff_id])
    return card_of(boards.item(board_id, card_id, "card"))


def announce_change(p: Principal, found: access.Standing, record: ItemRecord, new: list[str]) -> None:
    """A changed card: its search document is refreshed, and the newly assigned (`new`) are told."""
    project_id, board_id, card_id = found.project.project_id, record.board_id, record.item_id
    told: list[Detail] = [CardChanged(project_id=project_id, board_id=board_id, card_id=card_id, change="changed")]
    if new:
        told.append(
            CardAssigned(
                project_id=project_id,
                project_name=found.project.name,
                board_id=board_id,
                card_id=card_id,
                title=record.title,
                assignee_ids=new,
                assigned_by=p.staff_id,
                assigned_by_name=p.display_name,
            )
        )
    events.publish(told)


def _watchers(p: Principal, record: ItemRecord, wanted: list[str]) -> list[str]:
    """A person watches or stops watching for themselves; others' choices are kept as they are."""
    current = [str(w) for w in record.watchers or []]
    others = [w for w in current if w != p.staff_id]
    return [*others, p.staff_id] if p.staff_id in wanted else others


def _write(
    found: access.Standing,
    record: ItemRecord,
    version: int,
    actions: list[object],
    activity: object,
    *,
    assigned: tuple[list[str], list[str]],
    archived: bool | None = None,
) -> None:
    before, after = assigned
    storage.bind()
    try:
        with transaction() as tx:
            tx.update(
                record,
                actions=[*actions, ItemRecord.version.add(1), ItemRecord.updated_at.set(now())],
                condition=(ItemRecord.version == version) & (ItemRecord.kind == "card"),
            )
            stays_archived = bool(record.archived) if archived is None else archived
            _sync_assignments(tx, found, record, before=before, after=after, archived=stays_archived)
            tx.save(activity)
    except Exception as exc:
        if is_cancelled_transaction(exc):
            raise Conflict("Someone else changed this card meanwhile: it was reloaded, try again.") from None
        raise


def archive(p: Principal, project_id: str, board_id: str, card_id: str, *, archived: bool, version: int) -> Card:
    found = access.as_member(p, project_id)
    boards.board_ref(found, board_id)
    record = boards.item(board_id, card_id, "card")
    action = Action.CARD_ARCHIVED if archived else Action.CARD_RESTORED
    activity = entry(p, project_id, action, board_id=board_id, card_id=card_id, summary=record.title)
    assigned = [str(a) for a in record.assignees or []]
    _write(
        found,
        record,
        version,
        [ItemRecord.archived.set(archived)],
        activity,
        assigned=(_people(record), assigned),
        archived=archived,
    )
    change = "archived" if archived else "restored"
    events.publish([CardChanged(project_id=project_id, board_id=board_id, card_id=card_id, change=change)])
    return card_of(boards.item(board_id, card_id, "card"))


def visible_attachments(p: Principal, card: Card) -> list[tuple[str, str]]:
    """(file id, name) of the card's attachments this viewer may read; the rest stay hidden."""
    from chalicelib.core.errors import KumoError
    from chalicelib.files import access

    shown: list[tuple[str, str]] = []
    for file_id in card.attachments:
        try:
            shown.append((file_id, access.readable(p, file_id).name))
        except KumoError:
            continue
    return shown


def my_tasks(staff_id: str, *, include_archived: bool = False) -> list[Task]:
    """What a person has to do across projects, by due date (自分のタスク, calendar, iCal feed):
    the cards assigned to them and the cards with an unticked checklist item of theirs."""
    storage.bind()
    belongs = {m.project_id for m in membership.memberships_of(staff_id)}  # one who left sees none of it
    found = [task_of(r) for r in AssignmentRecord.query(staff_id) if r.project_id in belongs]
    kept = [t for t in found if t.to_do and (include_archived or not t.archived)]
    return sorted(kept, key=lambda t: (t.due or "9999-12-31", t.project_name, t.title))
