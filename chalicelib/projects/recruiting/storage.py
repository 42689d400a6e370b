"""pynamodb models of recruiting: 公募, 応募, each person's committed time shares (the ledger the
cap is reserved on), monthly 実績 and the few settings (caps, the lock on 実績, reminders taken).

Access patterns (what each key is for):
- a 公募 by id; the open ones, soonest deadline first (`recruitments.by_listing`: `listing` is
  "open" while it takes applications and removed when it closes, so the index holds only open
  ones and the list page is one query); a project's 公募, newest first (`recruitments.by_project`);
- an application by id, which is derived from (公募, applicant): putting it under a
  does-not-exist condition is what makes "one application per person per 公募" hold however many
  requests arrive at once; a 公募's applications (`recruitment_applications.by_recruitment`), a
  person's own (`…by_applicant`), and those waiting for a 所属's consent
  (`…by_consent_unit`: `consent_unit_id` is set while consent is pending and removed when it is
  decided, so a 所属長's queue is one query);
- a person's commitments in one item (`time_shares`, partition staff_id) with a version: a
  consent is a transaction that writes it under "version unchanged", so two consents at once
  cannot both push the person over the cap; the export scans it (one item per participant);
- a person's 実績 by month and project (`project_actuals`, partition staff_id, sort
  "YYYY-MM#project_id"), and every 実績 of a month for the export (`project_actuals.by_month`);
- settings by key (`recruiting_settings`): "cap#default", "cap#unit#<所属>", "lock" (実績 locked
  through a month), and "actuals_due#YYYY-MM", put once under a does-not-exist condition so the
  monthly reminder goes out once however often the scheduler runs.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import BooleanAttribute, ListAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import PutError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.core.storage import CONDITION_FAILED, Binder


class RecruitmentsByListing(GlobalSecondaryIndex["RecruitmentRecord"]):
    class Meta:
        index_name = "by_listing"
        projection = AllProjection()

    listing = UnicodeAttribute(hash_key=True)
    deadline = UnicodeAttribute(range_key=True)


class RecruitmentsByProject(GlobalSecondaryIndex["RecruitmentRecord"]):
    class Meta:
        index_name = "by_project"
        projection = AllProjection()

    project_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class RecruitmentRecord(Model):
    """A 公募: what a project needs, for how much of a person's time, until when."""

    class Meta:
        table_name = "recruitments"

    recruitment_id = UnicodeAttribute(hash_key=True)
    project_id = UnicodeAttribute()
    project_unit_id = UnicodeAttribute(default="")  # the project's owning 所属 when posted
    project_department_id = UnicodeAttribute(default="")  # its 部局: the list filters by it
    title = UnicodeAttribute()
    needs = UnicodeAttribute(default="")  # what the project needs of the people it takes
    tags = ListAttribute(of=UnicodeAttribute, default=list)  # skills and 資格
    share_percent = NumberAttribute()  # expected share of working time
    period_start = UnicodeAttribute()  # ISO date
    period_end = UnicodeAttribute()  # ISO date
    positions = NumberAttribute()  # how many people
    filled = NumberAttribute(default=0)  # people consented in (reserved with the consent)
    deadline = UnicodeAttribute()  # ISO date (JST): applications until the end of that day
    state = UnicodeAttribute()  # open / closed / withdrawn
    listing = UnicodeAttribute(null=True)  # "open" while open: the by_listing index is sparse
    created_by = UnicodeAttribute()
    created_by_name = UnicodeAttribute(default="")
    created_at = UnicodeAttribute()  # ISO, the by_project sort key
    updated_at = UTCDateTimeAttribute()
    closed_at = UTCDateTimeAttribute(null=True)

    by_listing = RecruitmentsByListing()
    by_project = RecruitmentsByProject()


class ApplicationsByRecruitment(GlobalSecondaryIndex["ApplicationRecord"]):
    class Meta:
        index_name = "by_recruitment"
        projection = AllProjection()

    recruitment_id = UnicodeAttribute(hash_key=True)
    applied_at = UnicodeAttribute(range_key=True)


class ApplicationsByApplicant(GlobalSecondaryIndex["ApplicationRecord"]):
    class Meta:
        index_name = "by_applicant"
        projection = AllProjection()

    applicant_id = UnicodeAttribute(hash_key=True)
    applied_at = UnicodeAttribute(range_key=True)


class ApplicationsByConsentUnit(GlobalSecondaryIndex["ApplicationRecord"]):
    class Meta:
        index_name = "by_consent_unit"
        projection = AllProjection()

    consent_unit_id = UnicodeAttribute(hash_key=True)
    requested_at = UnicodeAttribute(range_key=True)


class ApplicationRecord(Model):
    """An 応募, from the message to the owners' decision and the 所属長's consent."""

    class Meta:
        table_name = "recruitment_applications"

    application_id = UnicodeAttribute(hash_key=True)  # derived from (recruitment_id, applicant_id)
    recruitment_id = UnicodeAttribute()
    project_id = UnicodeAttribute()
    applicant_id = UnicodeAttribute()
    applicant_name = UnicodeAttribute(default="")
    applicant_unit_id = UnicodeAttribute(default="")  # their main 所属 when they applied
    message = UnicodeAttribute(default="")
    state = UnicodeAttribute()  # see model.ApplicationState
    applied_at = UnicodeAttribute()  # ISO
    updated_at = UTCDateTimeAttribute()
    share_percent = NumberAttribute()  # the 公募's, when applied
    decided_by = UnicodeAttribute(null=True)  # the owner who proceeded or declined
    decided_by_name = UnicodeAttribute(null=True)
    decided_at = UTCDateTimeAttribute(null=True)
    owner_comment = UnicodeAttribute(null=True)
    consent_unit_id = UnicodeAttribute(null=True)  # set only while consent is pending (sparse index)
    requested_at = UnicodeAttribute(null=True)  # ISO, when consent was asked for
    requested_unit_id = UnicodeAttribute(null=True)  # the 所属 asked (kept after the decision)
    head_ids = ListAttribute(of=UnicodeAttribute, default=list)  # the 所属長 asked
    over_cap = BooleanAttribute(default=False)  # over the cap when consent was asked for
    consent_by = UnicodeAttribute(null=True)
    consent_by_name = UnicodeAttribute(null=True)
    consent_at = UTCDateTimeAttribute(null=True)
    consent_comment = UnicodeAttribute(null=True)
    override_reason = UnicodeAttribute(null=True)  # why a 所属長 consented over the cap
    revision = NumberAttribute(default=0)

    by_recruitment = ApplicationsByRecruitment()
    by_applicant = ApplicationsByApplicant()
    by_consent_unit = ApplicationsByConsentUnit()


class TimeShareRecord(Model):
    """Every commitment a person's 所属長 consented to (history included), and a version."""

    class Meta:
        table_name = "time_shares"

    staff_id = UnicodeAttribute(hash_key=True)
    commitments_json = UnicodeAttribute(default="[]")  # see ledger.Commitment
    version = NumberAttribute(default=0)
    updated_at = UTCDateTimeAttribute()


class ActualsByMonth(GlobalSecondaryIndex["ActualRecord"]):
    class Meta:
        index_name = "by_month"
        projection = AllProjection()

    month = UnicodeAttribute(hash_key=True)
    staff_id = UnicodeAttribute(range_key=True)


class ActualRecord(Model):
    """What a member gave a project in one month (実績): a share, hours, or both."""

    class Meta:
        table_name = "project_actuals"

    staff_id = UnicodeAttribute(hash_key=True)
    entry_key = UnicodeAttribute(range_key=True)  # "YYYY-MM#<project_id>"
    month = UnicodeAttribute()  # YYYY-MM
    project_id = UnicodeAttribute()
    application_id = UnicodeAttribute(default="")
    actual_percent = NumberAttribute(null=True)
    actual_hours = NumberAttribute(null=True)
    recorded_at = UTCDateTimeAttribute()

    by_month = ActualsByMonth()


class SettingRecord(Model):
    class Meta:
        table_name = "recruiting_settings"

    setting_key = UnicodeAttribute(hash_key=True)
    cap_percent = NumberAttribute(null=True)
    unit_id = UnicodeAttribute(null=True)
    month = UnicodeAttribute(null=True)  # "lock": 実績 locked through this month
    updated_by = UnicodeAttribute(default="")
    updated_by_name = UnicodeAttribute(default="")
    updated_at = UTCDateTimeAttribute()


def save_if(record: Model, condition: Any) -> bool:
    """Write the item only when the condition holds; False (nothing written) when it did not."""
    try:
        record.save(condition=condition)
    except PutError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            return False
        raise
    return True


bind = Binder(
    (RecruitmentRecord, "recruitments"),
    (ApplicationRecord, "recruitment_applications"),
    (TimeShareRecord, "time_shares"),
    (ActualRecord, "project_actuals"),
    (SettingRecord, "recruiting_settings"),
)
