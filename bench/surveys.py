"""Survey benchmarks, in sections; each prints figures measured side by side in one run.

    .venv/bin/python bench/surveys.py                         # every section
    .venv/bin/python bench/surveys.py export                  # just the answer exports
    .venv/bin/python bench/surveys.py export --units 50 --rounds 5

export -- chalicelib.surveys.export beside the libraries writing the same cells on their own, for
a big survey: --units 所属 (200) each answering a few scalar questions and a --rows-row table (50),
10,000 table rows in all:

- the cells to write are those of Kumo's own export, read back from it once (untimed) and
  replayed with each library alone: values, number formats, frozen panes, auto filter, widths;
  the replay is the floor the library sets, Kumo's figure adds turning stored answers into typed
  cells and laying them out. "x lib" is Kumo's time over the library's, the goal ≤ 1.5;
- 集計 only (per_unit_sheets=False): XlsxWriter, openpyxl write-only mode and openpyxl's normal
  mode alone; Kumo writes this part with XlsxWriter, the fastest of them;
- with a sheet per 所属: plain sheets (XlsxWriter), and copies of a 様式's sheet (openpyxl, whose
  normal mode is the only one that can copy a sheet), each beside its library alone;
- CSV (UTF-8 with BOM and cp932) beside the csv module writing the same rows;
- times are CPU time of the process (time.process_time): every case is single-threaded and
  in memory, and on a machine shared by several people the wall clock measures the neighbours
  (load averages of 6-7 on 2 cores moved wall-clock ratios by ±0.5 between runs);
- rounds interleaved (each case once per round, the order rotated), the best round counts;
- memory: each case once more in a fresh process, after its input is loaded and both libraries
  imported; the figure is the rise of the peak RSS (ru_maxrss) over that starting point.

Sections still to come (the status board's p95) add a ``<name>_figures(args)`` function and an
entry in SECTIONS.
"""

from __future__ import annotations

import argparse
import io
import json
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import surveys_alone as alone  # noqa: E402 - bench/ is on the path when run as a script

from chalicelib.surveys.export import ExportAnswer, ExportSurvey, answers_csv, answers_xlsx  # noqa: E402
from chalicelib.surveys.form import Column, ColumnType, Form, Question, QuestionType  # noqa: E402
from chalicelib.surveys.layout import SheetLayout, TableLayout  # noqa: E402

# --- the survey and its answers -----------------------------------------------------------------

FORM = Form(
    (
        Question("contact", QuestionType.SHORT_TEXT, "担当者"),
        Question("staff", QuestionType.NUMBER, "職員数", unit="人"),
        Question("held_on", QuestionType.DATE, "実施日"),
        Question("done", QuestionType.YES_NO, "研修の実施"),
        Question("topics", QuestionType.MULTI_CHOICE, "テーマ", choices=("防災", "情報", "人権")),
        Question("note", QuestionType.LONG_TEXT, "備考"),
        Question(
            "projects",
            QuestionType.TABLE,
            "事業一覧",
            columns=(
                Column("name", "事業名"),
                Column("budget", "予算額", ColumnType.NUMBER, unit="千円", total=True),
                Column("spent", "執行額", ColumnType.NUMBER, unit="千円", total=True),
                Column("start", "開始日", ColumnType.DATE),
                Column("kind", "区分", ColumnType.CHOICE, choices=("新規", "継続")),
                Column("memo", "備考"),
            ),
            max_rows=1000,
        ),
    )
)


def _answers(units: int, rows: int) -> list[ExportAnswer]:
    first = date(2026, 4, 1)
    out = []
    for u in range(units):
        table = [
            {
                "name": f"第{r + 1}号 地域連携推進事業（{u}）",
                "budget": str(1000 + r * 37 + u),
                "spent": f"{(900 + r * 31 + u) / 10:.1f}",
                "start": (first + timedelta(days=r)).isoformat(),
                "kind": "新規" if r % 3 else "継続",
                "memo": "前年度から継続して実施" if r % 5 else "",
                "_part": f"第{r % 3 + 1}係",
            }
            for r in range(rows)
        ]
        values = {
            "contact": f"県庁 太郎{u}",
            "staff": str(10 + u % 40),
            "held_on": (first + timedelta(days=u % 30)).isoformat(),
            "done": "yes" if u % 2 else "no",
            "topics": {"choices": ["防災", "情報"] if u % 2 else ["人権"], "other": ""},
            "note": "特になし" if u % 4 else "研修は年度後半に実施予定。\n詳細は別紙のとおり。",
            "projects": table,
        }
        submitted = datetime(2026, 4, 20, 1, 0, tzinfo=UTC) + timedelta(minutes=u)
        out.append(
            ExportAnswer(f"u{u}", f"所属{u:03d}課", f"部局{u // 20:02d}部", "回答済", submitted, u % 7 == 0, values)
        )
    return out


def _template(rows: int) -> tuple[bytes, SheetLayout]:
    """A 様式 as 課 draw them: merged title and answer cells, borders, a table with a SUM row."""
    import openpyxl
    from openpyxl.styles import Border, Font, Side

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "様式1"
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    sheet.merge_cells("A1:H1")
    sheet["A1"] = "研修実施状況調査票"
    sheet["A1"].font = Font(bold=True, size=14)
    labels = ["担当者", "職員数", "実施日", "研修の実施", "テーマ", "備考"]
    for i, label in enumerate(labels, start=3):
        sheet.cell(i, 1, label).border = box
        sheet.merge_cells(start_row=i, start_column=2, end_row=i, end_column=8)
    header = ["No.", "事業名", "予算額", "執行額", "開始日", "区分", "備考"]
    for column, label in enumerate(header, start=1):
        sheet.cell(10, column, label).border = box
    for r in range(rows):
        for column in range(1, 8):
            sheet.cell(11 + r, column).border = box
        sheet.cell(11 + r, 1, r + 1)
    sheet.cell(11 + rows, 2, "合計")
    sheet.cell(11 + rows, 3, f"=SUM(C11:C{10 + rows})")
    sheet.cell(11 + rows, 4, f"=SUM(D11:D{10 + rows})")
    out = io.BytesIO()
    book.save(out)
    questions = ["contact", "staff", "held_on", "done", "topics", "note"]
    cells = {q: f"B{i}" for i, q in enumerate(questions, start=3)}
    columns = dict(zip(["name", "budget", "spent", "start", "kind", "memo"], "BCDEFG", strict=True))
    return out.getvalue(), SheetLayout("様式1", cells, {"projects": TableLayout(11, columns, rows)})


# --- measuring ----------------------------------------------------------------------------------

Case = Callable[[], bytes]


def _inputs(units: int, rows: int) -> dict[str, Any]:
    """Everything the cases read, built once (untimed), and picklable for the memory runs."""
    answers = _answers(units, rows)
    template, layout = _template(rows)
    plain = ExportSurvey("総務第12号", "研修実施状況調査", FORM)
    shaped = ExportSurvey(plain.number, plain.title, FORM, layout=layout, template=template)
    summary = answers_xlsx(plain, answers, per_unit_sheets=False)
    csv_text = answers_csv(plain, answers, "utf-8-sig").decode("utf-8-sig")
    import csv

    return {
        "answers": answers,
        "plain": plain,
        "shaped": shaped,
        "summary_cells": alone.read_cells(summary),
        "unit_cells": alone.read_cells(answers_xlsx(plain, answers)),
        "csv_rows": list(csv.reader(io.StringIO(csv_text, newline=""))),
    }


def _groups(i: dict[str, Any]) -> dict[str, dict[str, Case]]:
    """Each group: Kumo first, then the library it uses alone (the ratio's base), then others."""
    answers, plain, shaped = i["answers"], i["plain"], i["shaped"]
    layout, template = shaped.layout, shaped.template
    return {
        "集計 only": {
            "Kumo answers_xlsx": lambda: answers_xlsx(plain, answers, per_unit_sheets=False),
            "XlsxWriter alone": lambda: alone.xlsxwriter_alone(i["summary_cells"]),
            "openpyxl write-only alone": lambda: alone.openpyxl_write_only_alone(i["summary_cells"]),
            "openpyxl normal alone": lambda: alone.openpyxl_alone(i["summary_cells"]),
        },
        "+ a plain sheet per 所属": {
            "Kumo answers_xlsx": lambda: answers_xlsx(plain, answers),
            "XlsxWriter alone": lambda: alone.xlsxwriter_alone(i["unit_cells"]),
        },
        "+ a 様式 copy per 所属": {
            "Kumo answers_xlsx": lambda: answers_xlsx(shaped, answers),
            "openpyxl alone": lambda: alone.openpyxl_template_alone(template, layout, i["summary_cells"], answers),
        },
        "CSV utf-8-sig": {
            "Kumo answers_csv": lambda: answers_csv(plain, answers, "utf-8-sig"),
            "csv module alone": lambda: alone.csv_alone(i["csv_rows"], "utf-8-sig"),
        },
        "CSV cp932": {
            "Kumo answers_csv": lambda: answers_csv(plain, answers, "cp932"),
            "csv module alone": lambda: alone.csv_alone(i["csv_rows"], "cp932"),
        },
    }


def _best_times(cases: dict[str, Case], rounds: int) -> dict[str, float]:
    best = dict.fromkeys(cases, float("inf"))
    labels = list(cases)
    for number in range(rounds):
        shift = number % len(labels)
        for label in labels[shift:] + labels[:shift]:
            started = time.process_time()
            cases[label]()
            best[label] = min(best[label], time.process_time() - started)
    return best


def _pad(text: str, width: int) -> str:
    """Left-aligned in `width` terminal columns (a Japanese character takes two)."""
    return text + " " * max(width - len(text.encode("cp932", errors="replace")), 0)


def _memory(pickled: Path, group: str, case: str) -> float:
    """MB the case adds to the peak RSS of a fresh process that already holds its input."""
    child = subprocess.run(
        [sys.executable, __file__, "--memory-child", str(pickled), group, case],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(json.loads(child.stdout.strip().splitlines()[-1])["mb"])


def _memory_child(pickled: Path, group: str, case: str) -> None:
    import gc

    import openpyxl  # noqa: F401 - imported before the start mark: import cost is not the case's
    import xlsxwriter  # noqa: F401

    inputs = pickle.loads(pickled.read_bytes())  # noqa: S301 - our own file, written just before
    run = _groups(inputs)[group][case]
    gc.collect()
    clear_refs = Path("/proc/self/clear_refs")
    if clear_refs.exists():  # Linux: "5" resets the peak (VmHWM) to the RSS of now
        clear_refs.write_text("5")
        start = _status_kb("VmRSS:")
        run()
        peak = _status_kb("VmHWM:")
    else:  # the peak of the whole process: loading the input may already have set it
        start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        run()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"mb": (peak - start) / 1024}))


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1])
    raise KeyError(field)


def export_figures(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    inputs = _inputs(args.units, args.rows)
    total_rows = args.units * args.rows
    print(
        f"== export ({args.units} 所属 × {args.rows} table rows = {total_rows:,} rows, "
        f"{len(FORM.questions) - 1} scalar questions; best of {args.rounds} rounds; inputs in "
        f"{time.perf_counter() - started:.0f} s)"
    )
    print(f"{_pad('group', 24)} {_pad('case', 26)} {'CPU ms':>8} {'x lib':>6} {'size kB':>8} {'peak RSS +MB':>12}")
    with tempfile.TemporaryDirectory(prefix="kumo-bench-") as tmp:
        pickled = Path(tmp) / "inputs.pickle"
        pickled.write_bytes(pickle.dumps(inputs))
        for group, cases in _groups(inputs).items():
            times = _best_times(cases, args.rounds)
            base = times[list(cases)[1]]
            for label, seconds in times.items():
                size = len(cases[label]()) / 1024
                memory = _memory(pickled, group, label) if not args.no_memory else float("nan")
                print(
                    f"{_pad(group, 24)} {_pad(label, 26)} {seconds * 1000:>8.0f} {seconds / base:>6.2f} "
                    f"{size:>8.0f} {memory:>12.1f}"
                )


def board_figures(args: argparse.Namespace) -> None:
    from survey_board import board_figures as run

    run(args.units, args.rows, max(20, args.rounds * 10))


SECTIONS: dict[str, Callable[[argparse.Namespace], None]] = {
    "export": export_figures,
    "board": board_figures,
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--memory-child"]:
        _memory_child(Path(argv[1]), argv[2], argv[3])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "sections", nargs="*", metavar="SECTION", help=f"sections to run (default: all): {', '.join(SECTIONS)}"
    )
    parser.add_argument("--units", type=int, default=200, help="export: 所属 answering")
    parser.add_argument("--rows", type=int, default=50, help="export: table rows per 所属")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds per case (best counts)")
    parser.add_argument("--no-memory", action="store_true", help="export: skip the fresh-process memory runs")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.sections) - set(SECTIONS))
    if unknown:
        parser.error(f"no such section: {', '.join(unknown)} (choose from {', '.join(SECTIONS)})")
    for name in args.sections or list(SECTIONS):
        SECTIONS[name](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
