"""One answer value at a time: reading what a person typed into the stored shape (form.py).

`answers.py` walks a form and calls these. Each reader either returns the normalised value
(None when the answer is empty) or raises `Invalid` with an English msgid: the type errors a
draft reports too. The checks that only a submitted answer must pass (ranges, decimals,
「その他」 text) are the `*_problem` functions. Pure: no AWS, no I/O.

Japanese input is the norm: full-width digits (１２００), thousands commas (1,200), ▲/△ for a
negative amount as 予算 sheets write it, and dates in 和暦 (令和8年12月1日, R8.12.1).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from chalicelib.core.i18n_markers import N_
from chalicelib.core.wareki import parse_date
from chalicelib.surveys.form import OTHER, Column, ColumnType, Question

MAX_DIGITS = 30  # more than any amount in yen a prefecture writes; bounds Decimal's work
MAX_FILES = 20
MAX_FILE_NAME = 255
MAX_OTHER_TEXT = 2000
MAX_CELL_TEXT = 2000
YES = ("yes", "はい", "true", "有", "あり")
NO = ("no", "いいえ", "false", "無", "なし")

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_MINUS_SIGNS = ("\u2212", "▲", "△")  # − (minus sign), and the accounting marks for a negative
_LINE_BREAKS = re.compile(r"\r\n?|\n")


class Invalid(ValueError):
    """A value that is not of its question's type: reported on drafts and submissions alike."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


# --- numbers ---------------------------------------------------------------------------------


def canonical_number(raw: Any) -> str | None:
    """ "1200", "3.5", "-40": the shortest decimal text of a number typed in any common way."""
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal | str):
        raise Invalid(N_("Enter a number."))
    if isinstance(raw, str):
        text = _number_text(raw)
        if not text:
            return None
    else:  # from the JSON API: 1.5 arrives as a float, written out without an exponent
        text = format(Decimal(str(raw)), "f")
    if not _NUMBER.match(text):
        raise Invalid(N_("Enter a number."))
    if sum(ch.isdigit() for ch in text) > MAX_DIGITS:
        raise Invalid(N_("A number can have at most {max} digits."), max=MAX_DIGITS)
    return decimal_text(Decimal(text))


def decimal_text(value: Decimal) -> str:
    """A Decimal as plain text without trailing zeros: 1200, 3.5, 0 (never 1.2E+3 or -0)."""
    if value == 0:
        return "0"
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _number_text(raw: str) -> str:
    text = "".join(unicodedata.normalize("NFKC", raw).split())
    for sign in _MINUS_SIGNS:
        if text.startswith(sign):
            text = "-" + text[len(sign) :]
    if _GROUPED.match(text):
        text = text.replace(",", "")
    return text


def number_problem(
    value: str, minimum: str | None, maximum: str | None, decimals: int | None = None
) -> tuple[str, dict[str, Any]] | None:
    """Why a submitted number is out of its question's bounds, or None."""
    number = Decimal(value)
    low = _bound(minimum)
    high = _bound(maximum)
    if low is not None and high is not None and not low <= number <= high:
        return N_("Enter a number between {minimum} and {maximum}."), {"minimum": minimum, "maximum": maximum}
    if low is not None and number < low:
        return N_("Enter a number of at least {minimum}."), {"minimum": minimum}
    if high is not None and number > high:
        return N_("Enter a number of at most {maximum}."), {"maximum": maximum}
    places = len(value.partition(".")[2])
    if decimals == 0 and places:
        return N_("Enter a whole number."), {}
    if decimals is not None and places > decimals:
        return N_("Use at most {decimals} digits after the decimal point."), {"decimals": decimals}
    return None


def _bound(text: str | None) -> Decimal | None:
    # design.check_form refuses a form whose bounds are not numbers; one that slipped through
    # is ignored here rather than failing every answer to it.
    try:
        return Decimal(text) if text is not None else None
    except InvalidOperation:
        return None


# --- text and dates --------------------------------------------------------------------------


def clean_text(raw: Any, limit: int, *, multiline: bool) -> str | None:
    """Trimmed text, line breaks as \\n (a one-line answer gets spaces instead)."""
    if raw is None:
        return None
    if isinstance(raw, int | Decimal) and not isinstance(raw, bool):
        raw = str(raw)
    if not isinstance(raw, str):
        raise Invalid(N_("Enter text."))
    text = _LINE_BREAKS.sub("\n" if multiline else " ", raw).strip()
    if len(text) > limit:
        raise Invalid(N_("This answer can have at most {max} characters."), max=limit)
    return text or None


def clean_date(raw: Any) -> str | None:
    """An ISO date from 2026-12-01, 2026/12/1, 令和8年12月1日, R8.12.1 and the like."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if not isinstance(raw, str):
        raise Invalid(N_("Enter a date such as 2026-12-01 or R8.12.1."))
    try:
        return parse_date(raw).isoformat()
    except ValueError:
        raise Invalid(N_("Enter a date such as 2026-12-01 or R8.12.1.")) from None


# --- choices ---------------------------------------------------------------------------------


def clean_single_choice(q: Question, raw: Any) -> dict[str, str] | None:
    """{"choice": c, "other": text}; raw may also be the bare choice, as a form post sends it."""
    if isinstance(raw, str):
        raw = {"choice": raw}
    if raw is None:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("choice", ""), str):
        raise Invalid(N_("Choose one of the listed answers."))
    choice = raw.get("choice", "").strip()
    if not choice:
        return None
    if choice == OTHER and q.allow_other:
        return {"choice": OTHER, "other": _other_text(raw.get("other"))}
    if choice not in q.choices:
        raise Invalid(N_("Choose one of the listed answers."))
    return {"choice": choice, "other": ""}


def clean_multi_choice(q: Question, raw: Any) -> dict[str, Any] | None:
    """{"choices": [...], "other": text} in the form's order; raw may be the bare list."""
    if isinstance(raw, list):
        raw = {"choices": raw}
    if raw is None:
        return None
    picked = raw.get("choices") if isinstance(raw, dict) else None
    if not isinstance(picked, list) or not all(isinstance(c, str) for c in picked):
        raise Invalid(N_("Choose from the listed answers."))
    allowed = q.choices + ((OTHER,) if q.allow_other else ())
    if any(c not in allowed for c in picked):
        raise Invalid(N_("Choose from the listed answers."))
    choices = [c for c in allowed if c in picked]
    if not choices:
        return None
    return {"choices": choices, "other": _other_text(raw.get("other")) if OTHER in choices else ""}


def _other_text(raw: Any) -> str:
    return clean_text(raw, MAX_OTHER_TEXT, multiline=False) or ""


def other_problem(value: dict[str, Any]) -> str | None:
    """A submitted 「その他」 must say what it is."""
    picked = value.get("choices") or [value.get("choice")]
    if OTHER in picked and not value.get("other"):
        return N_("Write what “Other” is.")
    return None


def clean_yes_no(raw: Any) -> str | None:
    if raw is None or raw == "":
        return None
    text = str(raw).strip().lower()
    if text in YES:
        return "yes"
    if text in NO:
        return "no"
    raise Invalid(N_("Answer yes or no."))


# --- files -----------------------------------------------------------------------------------


def clean_files(raw: Any) -> list[dict[str, str]] | None:
    """[{"file_id", "name"}]: the service checks the ids are files the answerer may attach."""
    if raw is None:
        return None
    if not isinstance(raw, list):
        raise Invalid(N_("The attached files are not valid."))
    files: list[dict[str, str]] = []
    for item in raw:
        file_id = item.get("file_id") if isinstance(item, dict) else None
        name = item.get("name", "") if isinstance(item, dict) else None
        if not isinstance(file_id, str) or not file_id or len(file_id) > 100 or not isinstance(name, str):
            raise Invalid(N_("The attached files are not valid."))
        if all(f["file_id"] != file_id for f in files):
            files.append({"file_id": file_id, "name": name.strip()[:MAX_FILE_NAME]})
    if len(files) > MAX_FILES:
        raise Invalid(N_("At most {max} files can be attached."), max=MAX_FILES)
    return files or None


# --- table cells -----------------------------------------------------------------------------


def clean_cell(c: Column, raw: Any) -> str | None:
    """A table cell, as text typed by its column."""
    if c.type is ColumnType.NUMBER:
        return canonical_number(raw)
    if c.type is ColumnType.DATE:
        return clean_date(raw)
    if c.type is ColumnType.CHOICE:
        choice = clean_text(raw, MAX_CELL_TEXT, multiline=False)
        if choice is not None and choice not in c.choices:
            raise Invalid(N_("Choose one of the listed answers."))
        return choice
    return clean_text(raw, MAX_CELL_TEXT, multiline=True)
