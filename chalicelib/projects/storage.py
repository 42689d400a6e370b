"""pynamodb models of the project board: projects, their members, the lists and cards of their
boards, each person's assigned cards, and the activity of a project.

Access patterns (what each key is for):
- a project by id; the projects every staff member may see (庁内公開), newest first
  (`projects.by_visibility`, partition "staff");
- a project's members in one query (`project_members`, partition project_id); the projects a
  person belongs to (`project_members.by_staff`) — "my projects", 自分のタスク, time shares;
- a whole board in one query (`board_items`, partition board_id: its lists and cards, each with
  a fractional `rank`, so a move is one conditional write);
- the cards assigned to a person across every project, by due date (`card_assignments`,
  partition staff_id; a card where only a checklist item is theirs has a row too) — 自分のタスク,
  the calendar and the iCal feed read only this;
- the cards due on one day, across every board (`board_items.by_due`, partition `due`: the JST
  day as an ISO date; sparse, as lists and cards without a date have none) — the scheduler's
  due-date reminders read one partition for tomorrow and one for yesterday instead of every
  board. The index is kept by DynamoDB from the card's own `due`, so every write that sets or
  clears a due date (cards.py, in its one transaction) keeps it right with nothing more to do.
  Each reminder step is taken once by a conditional update of the card itself: `reminded`
  holds "<due>#<step>" for the steps taken, the update adds one only if it is absent and the
  card still has that due date; changing the due date clears it (re-arms the reminder);
- a project's activity, newest first (`project_activity`, partition project_id) and one card's
  (`project_activity.by_card`); comments are activity entries with a text.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.core.storage import Binder


class ProjectsByVisibility(GlobalSecondaryIndex["ProjectRecord"]):
    class Meta:
        index_name = "by_visibility"
        projection = AllProjection()

    visibility = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class ProjectRecord(Model):
    class Meta:
        table_name = "projects"

    project_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    owner_unit_id = UnicodeAttribute()  # the owning 所属: the project is its work, not a person's
    owner_department_id = UnicodeAttribute(default="")
    owner_id = UnicodeAttribute()  # the staff member who owns it (manages membership)
    owner_name = UnicodeAttribute(default="")
    visibility = UnicodeAttribute()  # "members" or "staff" (庁内公開)
    boards_json = UnicodeAttribute(default="[]")  # [{"id", "name"}], in order
    labels_json = UnicodeAttribute(default="[]")  # [{"id", "name", "color"}]
    archived = BooleanAttribute(default=False)
    created_at = UnicodeAttribute()  # ISO, the by_visibility sort key
    updated_at = UTCDateTimeAttribute()
    revision = NumberAttribute(default=0)

    by_visibility = ProjectsByVisibility()


class MembersByStaff(GlobalSecondaryIndex["MemberRecord"]):
    class Meta:
        index_name = "by_staff"
        projection = AllProjection()

    staff_id = UnicodeAttribute(hash_key=True)
    project_id = UnicodeAttribute(range_key=True)


class MemberRecord(Model):
    class Meta:
        table_name = "project_members"

    project_id = UnicodeAttribute(hash_key=True)
    staff_id = UnicodeAttribute(range_key=True)
    display_name = UnicodeAttribute(default="")
    unit_id = UnicodeAttribute(default="")  # their 所属 when they joined (for the 所属長's view)
    role = UnicodeAttribute()  # "owner" or "member"
    share_percent = NumberAttribute(default=0)  # committed share of working time (20%-rule), 0: none
    period_end = UnicodeAttribute(null=True)  # ISO date the commitment ends (from the 公募)
    via = UnicodeAttribute(null=True)  # the application that brought them in
    joined_at = UTCDateTimeAttribute()
    left_at = UTCDateTimeAttribute(null=True)  # a member who left stays, for history
    muted = BooleanAttribute(default=False)  # no notices from this project

    by_staff = MembersByStaff()


class CardsByDue(GlobalSecondaryIndex["ItemRecord"]):
    class Meta:
        index_name = "by_due"
        projection = AllProjection()

    due = UnicodeAttribute(hash_key=True)
    item_id = UnicodeAttribute(range_key=True)


class ItemRecord(Model):
    """A list (column) or a card of one board."""

    class Meta:
        table_name = "board_items"

    board_id = UnicodeAttribute(hash_key=True)
    item_id = UnicodeAttribute(range_key=True)  # "L_…" a list, "C_…" a card
    project_id = UnicodeAttribute()
    kind = UnicodeAttribute()  # "list" or "card"
    list_id = UnicodeAttribute(default="")  # a card's list
    rank = UnicodeAttribute()  # fractional rank (ranks.py): order within the board or the list
    title = UnicodeAttribute()
    description = UnicodeAttribute(default="")  # Markdown
    assignees = ListAttribute(of=UnicodeAttribute, default=list)  # staff ids
    due = UnicodeAttribute(null=True)  # ISO date (JST day)
    labels = ListAttribute(of=UnicodeAttribute, default=list)  # label ids of the project
    checklist_json = UnicodeAttribute(default="[]")  # [{"id", "text", "done", "assignee"}]
    attachments = ListAttribute(of=UnicodeAttribute, default=list)  # Kumo file ids
    watchers = ListAttribute(of=UnicodeAttribute, default=list)  # staff ids
    wip_limit = NumberAttribute(default=0)  # a list's WIP limit; 0: none
    comment_count = NumberAttribute(default=0)  # a card's comments (the board shows the count)
    archived = BooleanAttribute(default=False)
    created_by = UnicodeAttribute(default="")
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = NumberAttribute(default=0)  # every change adds one: a stale edit answers 409
    # "<due>#soon" / "<due>#overdue": due-date reminders already sent for the current due date
    # (reminders.py); cleared when the due date changes, so the new date is reminded of anew.
    reminded = UnicodeSetAttribute(null=True)

    by_due = CardsByDue()


class AssignmentRecord(Model):
    """A card assigned to a person, or with a checklist item assigned to them, copied from the
    card when it changes (自分のタスク, calendar, iCal feed): one row per card and person."""

    class Meta:
        table_name = "card_assignments"

    staff_id = UnicodeAttribute(hash_key=True)
    card_key = UnicodeAttribute(range_key=True)  # "<board_id>/<card_id>"
    project_id = UnicodeAttribute()
    project_name = UnicodeAttribute(default="")
    board_id = UnicodeAttribute()
    card_id = UnicodeAttribute()
    title = UnicodeAttribute()
    due = UnicodeAttribute(null=True)
    archived = BooleanAttribute(default=False)
    assigned = BooleanAttribute(default=True)  # the card is theirs; False: only checklist items are
    items_json = UnicodeAttribute(default="[]")  # their checklist items on it: [{"id", "text", "done"}]


class ActivityByCard(GlobalSecondaryIndex["ActivityRecord"]):
    class Meta:
        index_name = "by_card"
        projection = AllProjection()

    card_id = UnicodeAttribute(hash_key=True)
    event_key = UnicodeAttribute(range_key=True)


class ActivityRecord(Model):
    class Meta:
        table_name = "project_activity"

    project_id = UnicodeAttribute(hash_key=True)
    event_key = UnicodeAttribute(range_key=True)  # ISO time + random: sorts by time
    board_id = UnicodeAttribute(default="")
    card_id = UnicodeAttribute(null=True)  # absent for project-level entries (not in by_card)
    action = UnicodeAttribute()  # see activity.Action
    actor_id = UnicodeAttribute(default="")
    actor_name = UnicodeAttribute(default="")
    summary = UnicodeAttribute(default="")  # what changed, e.g. the card's title or list names
    text = UnicodeAttribute(default="")  # a comment's Markdown
    mentions = ListAttribute(of=UnicodeAttribute, default=list)  # staff ids @mentioned
    at = UTCDateTimeAttribute()

    by_card = ActivityByCard()


bind = Binder(
    (ProjectRecord, "projects"),
    (MemberRecord, "project_members"),
    (ItemRecord, "board_items"),
    (AssignmentRecord, "card_assignments"),
    (ActivityRecord, "project_activity"),
)
