"""The 照会元's results: every 所属's answer as a download (XLSX, CSV UTF-8 or Shift_JIS).

The file is written to the files bucket beside the ZIP archives (expired after a day) and the
browser is sent to a presigned URL, as for every download: a 200-所属 workbook is megabytes,
past what a Lambda response may carry (6 MB) and needless through API Gateway.

Only answers that reached the 照会元 (提出済, 該当なし) carry values; a 所属 still at work shows
its state and nothing of its draft, which is the 所属's own until it is submitted. Rows follow
the order of the survey's targets (the organisation's order the issuer picked them in).
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.core.auth import Principal
from chalicelib.core.errors import BadRequest
from chalicelib.core.i18n import gettext_for
from chalicelib.files import s3
from chalicelib.files.archive import ARCHIVE_PREFIX
from chalicelib.surveys import board, export, templates
from chalicelib.surveys.layout import SheetLayout
from chalicelib.surveys.states import ANSWERED, BOARD_LABELS

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Download:
    filename: str
    content_type: str
    body: bytes


def material(p: Principal, survey_id: str, language: str) -> tuple[export.ExportSurvey, list[export.ExportAnswer]]:
    found = board.board(p, survey_id, language=language)
    survey = found.survey
    translate = gettext_for(language)
    layout = SheetLayout.from_json(_json(survey.layout_json)) if survey.layout_json else None
    template = templates.load(survey.template_file_id) if survey.template_file_id and layout else None
    answers = [
        export.ExportAnswer(
            unit_id=row.unit_id,
            unit_name=row.unit_name,
            department_name=row.department_name,
            state_label=translate(BOARD_LABELS[row.state]),
            submitted_at=row.answer.approved_at if row.answer.state in ANSWERED else None,
            late=row.answer.late,
            values=row.answer.values if row.answer.state in ANSWERED else {},
        )
        for row in found.rows
    ]
    return export.ExportSurvey(survey.number or "", survey.title, survey.form, layout, template), answers


def _json(text: str) -> dict[str, object]:
    import json

    value = json.loads(text)
    return value if isinstance(value, dict) else {}


def _filename(survey: export.ExportSurvey, extension: str) -> str:
    stem = f"{survey.number}_{survey.title}".strip("_")[:80] or "survey"
    return f"{stem}.{extension}"


def download(p: Principal, survey_id: str, *, fmt: str, encoding: str = "utf-8", language: str = "ja") -> Download:
    made, answers = material(p, survey_id, language)
    if fmt == "xlsx":
        return Download(_filename(made, "xlsx"), XLSX_TYPE, export.answers_xlsx(made, answers))
    if fmt != "csv":
        raise BadRequest("Choose xlsx or csv.", field="format")
    if encoding not in ("utf-8", "cp932"):
        raise BadRequest("Choose utf-8 or cp932 (Shift_JIS).", field="encoding")
    if encoding == "cp932":
        problems = export.cp932_problems(made, answers)
        if problems:
            first = problems[0]
            raise BadRequest(
                "{count} character(s) cannot be written in Shift_JIS, the first {char} ({codepoint}) "
                "in {unit}: {where}. Download UTF-8 instead, or ask the unit to change it.",
                field="encoding",
                count=len(problems),
                char=first.char,
                codepoint=first.codepoint,
                unit=first.unit_name,
                where=first.where,
                problems=[
                    {"unit": x.unit_name, "where": x.where, "char": x.char, "codepoint": x.codepoint}
                    for x in problems[:200]
                ],
            )
        body = export.answers_csv(made, answers, "cp932")
        return Download(_filename(made, "csv"), "text/csv; charset=shift_jis", body)
    body = export.answers_csv(made, answers, "utf-8-sig")
    return Download(_filename(made, "csv"), "text/csv; charset=utf-8", body)


def cp932_report(p: Principal, survey_id: str, language: str = "ja") -> list[export.Cp932Problem]:
    """What a Shift_JIS download would lose, listed before it is asked for."""
    made, answers = material(p, survey_id, language)
    return export.cp932_problems(made, answers)


def download_url(p: Principal, survey_id: str, *, fmt: str, encoding: str = "utf-8", language: str = "ja") -> str:
    """Build the download, keep it for a day, and give a short-lived URL to it."""
    import secrets

    found = download(p, survey_id, fmt=fmt, encoding=encoding, language=language)
    key = f"{ARCHIVE_PREFIX}{secrets.token_hex(16)}/{'answers.xlsx' if fmt == 'xlsx' else 'answers.csv'}"
    s3.put_object(key, found.body, found.content_type)
    return s3.presigned_download(key, found.filename, found.content_type)


def cp932_problems_of(survey: export.ExportSurvey, answers: list[export.ExportAnswer]) -> list[export.Cp932Problem]:
    return export.cp932_problems(survey, answers)
