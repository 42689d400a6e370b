"""Every answer of a survey as one spreadsheet (XLSX) or one CSV, for the 照会元's 取りまとめ.

Pure: answers in, bytes out; the service reads the answers, resolves 所属 and 部局 names and
state labels, and gives them in the order the sheets should follow (the organisation's order).

The workbook, sheet by sheet:

- 集計: one row per 所属 (部局, 所属, 状態, 提出日時, 期限後 ○), then one column per question with
  one value, typed (numbers as numbers with the unit in the heading, dates as dates shown
  yyyy/mm/dd, はい/いいえ, several choices joined with 「、」), then, per table, the sum of each
  column the form totals. Headings frozen with 部局 and 所属, an auto filter, widths that fit,
  printed landscape one page wide with the headings on every page.
- 集計_<table>: one sheet per table question, one row per table row with its 部局, 所属, 係 and
  row number, and a 合計 row (SUBTOTAL, so it follows the filter) under the totalled columns.
- then one sheet per 所属: a copy of the 様式's sheet with the answer in its cells when the survey
  came from an Excel 様式 (export_template.py), else question → answer with tables as tables.

Why tables get sheets of their own instead of one flattened 集計 with the 所属's answers
repeated on each table row: what a 取りまとめ担当 pastes into a 決裁 is a 所属別一覧 (one line
per 所属) and, for a table, its 明細 with a total. Repeated answers break both: a sum or a count
over a repeated column counts a 所属 once per table row, a 所属 without table rows disappears or
needs an empty row, and two tables in one form have no sensible common row. The table sheets
keep 部局 and 所属 on every row, so they filter, sort and paste on their own. The CSV, which
cannot have sheets, is the flattened table (export_csv.py).

The 集計 sheets and plain 所属 sheets are written with XlsxWriter, the faster of the two writers
measured (bench/surveys.py); a 様式 copy needs openpyxl, which then writes the whole workbook.
"""

from __future__ import annotations

from collections.abc import Iterable

from chalicelib.surveys.export_csv import Cp932Problem, Unencodable, answers_csv, cp932_problems
from chalicelib.surveys.export_layout import sheet_name
from chalicelib.surveys.export_template import template_workbook
from chalicelib.surveys.export_values import ExportAnswer, ExportSurvey
from chalicelib.surveys.export_xlsx import xlsx_workbook

__all__ = [
    "Cp932Problem",
    "ExportAnswer",
    "ExportSurvey",
    "Unencodable",
    "answers_csv",
    "answers_xlsx",
    "cp932_problems",
    "sheet_name",
]


def answers_xlsx(survey: ExportSurvey, answers: Iterable[ExportAnswer], *, per_unit_sheets: bool = True) -> bytes:
    """The workbook described above. Without `per_unit_sheets` only the 集計 sheets (much
    faster for a survey with a 様式: no sheet copies, and XlsxWriter writes it)."""
    listed = list(answers)
    if per_unit_sheets and survey.template is not None and survey.layout is not None:
        return template_workbook(survey, listed)
    return xlsx_workbook(survey, listed, per_unit_sheets)
