"""The Excel 様式 a survey was made from, kept so the export can give each 所属's answer back
in the 様式's own layout.

Stored in the files bucket under `survey-templates/<id>.xlsx` with an unguessable id that only
the survey (and the draft being written from it) knows. It is never served: the export reads it
and writes copies of its sheet. The S3 calls are the files slice's adapter.
"""

from __future__ import annotations

import re
import secrets

from chalicelib.files import s3

PREFIX = "survey-templates/"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_ID = re.compile(r"tpl_[0-9a-f]{32}")


def keep(workbook: bytes) -> str:
    template_id = f"tpl_{secrets.token_hex(16)}"
    s3.put_object(f"{PREFIX}{template_id}.xlsx", workbook, XLSX_TYPE)
    return template_id


def valid_id(template_id: str) -> bool:
    return bool(_ID.fullmatch(template_id))


def load(template_id: str) -> bytes | None:
    if not valid_id(template_id):
        return None
    return s3.get_object(f"{PREFIX}{template_id}.xlsx")
