"""pynamodb models of surveys (照会・調査): the survey, one answer per target 所属, the parts a
所属 forwards to its 係 or staff, a history of who did what, and the 照会番号 counters.

Access patterns (what each key is for):
- a survey by id; the surveys a 所属 issued, newest first (`surveys.by_issuer`);
- the status board of a survey: every answer of it in one query (`survey_answers`, partition
  survey_id); the surveys a 所属 must answer, by deadline (`survey_answers.by_unit`);
- the parts of one answer (`survey_parts`, partition answer_key = survey_id/unit_id) and the
  parts waiting for a 係 or a person (`survey_parts.by_assignee`);
- an answer's history, oldest first (`survey_history`, partition answer_key); a reminder step
  is recorded there with a fixed key, so taking it is a conditional put that succeeds once;
- the next 照会番号 of an issuer's prefix in a year (`survey_numbers`, an atomic ADD).
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.core.storage import Binder


class SurveysByIssuer(GlobalSecondaryIndex["SurveyRecord"]):
    class Meta:
        index_name = "by_issuer"
        projection = AllProjection()

    issuer_unit_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class SurveyRecord(Model):
    class Meta:
        table_name = "surveys"

    survey_id = UnicodeAttribute(hash_key=True)
    number = UnicodeAttribute(null=True)  # 照会番号, given when issued
    title = UnicodeAttribute()
    issuer_unit_id = UnicodeAttribute()
    issuer_department_id = UnicodeAttribute()
    contact_staff_id = UnicodeAttribute()
    contact_name = UnicodeAttribute()
    contact_details = UnicodeAttribute(default="")
    instructions = UnicodeAttribute(default="")
    deadline = UTCDateTimeAttribute()
    form_json = UnicodeAttribute()
    targets = ListAttribute(of=UnicodeAttribute, default=list)  # unit ids (所属)
    # Organisations outside the prefecture it also goes to: [{org_id, name, email}] (outside.py)
    external_json = UnicodeAttribute(null=True)
    # Files sent with the survey, copied into its own area: [{attachment_id, name, ...}]
    # (attachments.py). Items written before copies existed hold an `attachments` list of file
    # ids that nothing served; it is not read.
    attachments_json = UnicodeAttribute(null=True)
    state = UnicodeAttribute()  # draft / scheduled / open / closed
    issue_at = UTCDateTimeAttribute(null=True)  # scheduled issue time
    remind_days_before = NumberAttribute(default=2)
    copied_from = UnicodeAttribute(null=True)
    template_file_id = UnicodeAttribute(null=True)  # the Excel 様式 it was made from (a Kumo file)
    layout_json = UnicodeAttribute(null=True)  # where answers go in that 様式 (surveys/layout.py)
    created_by = UnicodeAttribute()
    created_at = UnicodeAttribute()  # ISO, the by_issuer sort key
    updated_at = UTCDateTimeAttribute()
    issued_at = UTCDateTimeAttribute(null=True)
    closed_at = UTCDateTimeAttribute(null=True)
    revision = NumberAttribute(default=0)  # optimistic concurrency for edits of a draft

    by_issuer = SurveysByIssuer()


class AnswersByUnit(GlobalSecondaryIndex["AnswerRecord"]):
    class Meta:
        index_name = "by_unit"
        projection = AllProjection()

    unit_id = UnicodeAttribute(hash_key=True)
    survey_id = UnicodeAttribute(range_key=True)


class AnswerRecord(Model):
    class Meta:
        table_name = "survey_answers"

    survey_id = UnicodeAttribute(hash_key=True)
    unit_id = UnicodeAttribute(range_key=True)  # a 所属, or "ext:<org id>" for an outside organisation
    department_id = UnicodeAttribute(default="")  # the answering 所属's 部局, for the board's filter
    respondent_name = UnicodeAttribute(null=True)  # an outside organisation's name: the directory does not know it
    state = UnicodeAttribute()  # see answers_flow.AnswerState
    values_json = UnicodeAttribute(default="{}")
    previous_json = UnicodeAttribute(null=True)  # a copied survey's previous answer, for marking changes
    changed = ListAttribute(of=UnicodeAttribute, default=list)  # cells that differ from previous_json
    revision = NumberAttribute(default=0)
    updated_by = UnicodeAttribute(null=True)
    updated_by_name = UnicodeAttribute(null=True)
    updated_at = UTCDateTimeAttribute(null=True)
    submitted_at = UTCDateTimeAttribute(null=True)
    submitted_by = UnicodeAttribute(null=True)
    approver_id = UnicodeAttribute(null=True)
    approved_at = UTCDateTimeAttribute(null=True)
    approved_by_name = UnicodeAttribute(null=True)
    late = BooleanAttribute(default=False)
    return_comment = UnicodeAttribute(null=True)
    reopen_allowed = BooleanAttribute(default=False)
    deadline = UTCDateTimeAttribute()  # copied from the survey: the 所属's list sorts by it
    files_folder_id = UnicodeAttribute(null=True)  # the answer's own folder of uploads (answer_files.py)

    by_unit = AnswersByUnit()


class PartsByAssignee(GlobalSecondaryIndex["PartRecord"]):
    class Meta:
        index_name = "by_assignee"
        projection = AllProjection()

    assignee_key = UnicodeAttribute(hash_key=True)  # "unit:<係 id>" or "staff:<staff id>"
    answer_key = UnicodeAttribute(range_key=True)


class PartRecord(Model):
    class Meta:
        table_name = "survey_parts"

    answer_key = UnicodeAttribute(hash_key=True)  # "<survey_id>/<unit_id>"
    part_id = UnicodeAttribute(range_key=True)  # the assignee_key
    assignee_key = UnicodeAttribute()
    assignee_name = UnicodeAttribute()
    survey_id = UnicodeAttribute()
    unit_id = UnicodeAttribute()
    question_ids = ListAttribute(of=UnicodeAttribute, default=list)  # empty: the whole form
    note = UnicodeAttribute(default="")
    state = UnicodeAttribute()  # requested / draft / returned (sent back to the 取りまとめ担当) / merged
    values_json = UnicodeAttribute(default="{}")
    revision = NumberAttribute(default=0)
    requested_by = UnicodeAttribute()
    requested_at = UTCDateTimeAttribute()
    updated_by = UnicodeAttribute(null=True)
    updated_by_name = UnicodeAttribute(null=True)
    updated_at = UTCDateTimeAttribute(null=True)

    by_assignee = PartsByAssignee()


class HistoryRecord(Model):
    class Meta:
        table_name = "survey_history"

    answer_key = UnicodeAttribute(hash_key=True)  # "<survey_id>/<unit_id>", or "<survey_id>/" for the survey
    event_key = UnicodeAttribute(range_key=True)  # ISO time + random; "reminder#<step>" for a reminder
    action = UnicodeAttribute()
    actor_id = UnicodeAttribute(default="")
    actor_name = UnicodeAttribute(default="")
    fields = ListAttribute(of=UnicodeAttribute, default=list)  # which questions/cells changed
    comment = UnicodeAttribute(default="")
    at = UTCDateTimeAttribute()


class NumberRecord(Model):
    class Meta:
        table_name = "survey_numbers"

    counter_key = UnicodeAttribute(hash_key=True)  # "<prefix>#<fiscal year>"
    last = NumberAttribute(default=0)


bind = Binder(
    (SurveyRecord, "surveys"),
    (AnswerRecord, "survey_answers"),
    (PartRecord, "survey_parts"),
    (HistoryRecord, "survey_history"),
    (NumberRecord, "survey_numbers"),
)
