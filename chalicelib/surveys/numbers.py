"""照会番号: 「総務第123号」, counted per issuer prefix and fiscal year (年度, April to March, JST).

The counter is one DynamoDB item per prefix and year raised with an atomic ADD, so two surveys
issued at the same moment never share a number and no number is skipped by a lost race.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from chalicelib.surveys import storage
from chalicelib.surveys.storage import NumberRecord

JST = timezone(timedelta(hours=9), "JST")


def fiscal_year(at: datetime) -> int:
    local = at.astimezone(JST)
    return local.year if local.month >= 4 else local.year - 1


def next_number(prefix: str, at: datetime) -> str:
    storage.bind()
    record = NumberRecord(f"{prefix}#{fiscal_year(at)}")
    record.update(actions=[NumberRecord.last.add(1)])
    return f"{prefix}第{int(record.last)}号"
