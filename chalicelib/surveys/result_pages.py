"""The 照会元's results page: every answer that reached them as tables, a summary with a chart per
choice question, and the downloads (XLSX, CSV UTF-8, CSV Shift_JIS with what it cannot hold).

Only the issuing 所属 sees it (anyone else: the site's 404). Values come from the same material
as the downloads (results.py), so the page and the files never disagree.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote, unquote

from chalice import Blueprint, Response

from chalicelib.core import web
from chalicelib.core.auth import require_signed_in
from chalicelib.core.i18n import gettext_for
from chalicelib.core.layout import page
from chalicelib.surveys import access, answer_files, results, summaries
from chalicelib.surveys.export_sheets import summary_grids

bp = Blueprint(__name__)


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y/%m/%d %H:%M")
    if isinstance(value, date):
        return value.strftime("%Y/%m/%d")
    if isinstance(value, Decimal):
        return f"{value:,}"
    return str(value)


def _charts(found: list[summaries.Summary], translate: Any) -> list[dict[str, Any]]:
    shown = []
    for summary in found:
        bars = [(translate(c.label) if c.translate else c.label, c.count) for c in summary.counts]
        described = "、".join(f"{label} {n}" for label, n in bars)
        shown.append(
            {
                "summary": summary,
                "bars": bars,
                "svg": summaries.bar_chart(summary.question.label, bars, described=described) if bars else "",
                "figures": {
                    k: _shown(v.quantize(Decimal("0.01")) if k == "mean" else v) for k, v in summary.figures.items()
                },
                "totals": [(label, _shown(total)) for label, total in summary.totals],
            }
        )
    return shown


def _file_path(survey_id: str, unit_id: str, file_id: str) -> str:
    """The download through the survey (answer_file_routes.py): checked and saved as an attachment."""
    return f"/surveys/{quote(survey_id)}/answers/{quote(unit_id)}/files/{quote(file_id)}"


@bp.route("/surveys/{survey_id}/results")
def results_page(survey_id: str) -> Response:
    me = require_signed_in(web.principal())
    survey_id = unquote(survey_id)
    language = web.state().language
    survey = access.as_issuer(me, survey_id)
    material, answers = results.material(me, survey_id, language)
    grids = [
        {"name": grid.name, "header": grid.header, "rows": [[_shown(v) for v in row] for row in grid.rows]}
        for grid in summary_grids(material.form, answers)
    ]
    answered = [a.values for a in answers if a.values]
    received = [
        {
            "unit_name": a.unit_name,
            "files": [
                {"name": f.name, "question": f.question_label, "href": _file_path(survey_id, a.unit_id, f.file_id)}
                for f in answer_files.attached(survey, a.values)
            ],
        }
        for a in answers
        if a.values
    ]
    translate = gettext_for(language)
    return page(
        "surveys/results.html",
        current_area="surveys",
        survey=survey,
        grids=grids,
        charts=_charts(summaries.summarise(material.form, answered), translate),
        answered=len(answered),
        received=[r for r in received if r["files"]],
        total=len(answers),
        cp932_problems=results.cp932_problems_of(material, answers),
    )
