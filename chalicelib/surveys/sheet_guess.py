"""What a 様式's words say: labels cleaned, and the answer type a label or cell format implies.

Japanese 様式 carry their meaning in a handful of conventions: a label ending in 数・額・率 or a
unit in brackets (千円) asks for a number, one ending in 日・年月日・期日 for a date, 有無 or
「はい・いいえ」 for yes/no, 合計 marks a totals row, No. numbers the rows, ※ starts a note.
These rules are kept here, apart from the layout reading (`sheet_tables.py`,
`form_import.py`), so each is one line to adjust when a real 様式 is misread.
"""

from __future__ import annotations

import re
from dataclasses import replace

from chalicelib.surveys.design import MAX_CHOICE_TEXT, MAX_LABEL
from chalicelib.surveys.form import MAX_CHOICES, Question, QuestionType
from chalicelib.surveys.sheet_grid import Box, Validation, normal

UNITS = (
    "百万円", "千円", "円", "人", "名", "件", "回", "時間", "分", "日", "か月", "ヶ月", "箇所", "か所",
    "台", "棟", "戸", "室", "施設", "団体", "㎡", "m2", "m²", "km", "%", "％", "歳", "冊", "部",
    "kWh", "千kWh", "MWh", "kW", "t", "トン", "kg", "L", "ℓ", "㎥", "m3", "ha", "本", "枚", "世帯", "床",
)  # fmt: skip
_UNITS = frozenset(normal(u) for u in UNITS)
NUMBER_ENDINGS = ("数", "額", "率", "%", "％", "円", "費", "面積", "割合", "年齢", "金額", "人数", "件数")
DATE_ENDINGS = ("年月日", "日", "日付", "期日", "期限")
NOT_DATE_ENDINGS = ("曜日", "平日", "休日", "祝日", "毎日", "土日", "日数")
TOTAL_WORDS = ("合計", "計", "総計", "小計", "総合計", "合計額", "合計欄")
ROW_NUMBER_WORDS = ("no", "no.", "№", "#", "番号", "連番", "項番", "通番", "整理番号")
TITLE_WORDS = ("調査", "照会", "票", "報告", "届", "申請", "回答", "計画", "一覧", "名簿", "アンケート", "様式")
YES_NO_PAIRS = ({"はい", "いいえ"}, {"有", "無"}, {"あり", "なし"}, {"有り", "無し"}, {"する", "しない"})

_ENUMERATION = re.compile(
    r"^(?:[(（][0-9０-９]{1,2}[)）]|[0-9０-９]{1,2}[.．、)）]|[①-⑳]|問\s*[0-9０-９]+[.．:：]?|"
    r"[Qq][0-9０-９]+[.．:：]?|[ア-ン][.．、)）]|[(（][ア-ン][)）]|[0-9０-９]{1,2}(?=[\s\u3000]))[\s\u3000]*"
)
_REQUIRED = re.compile(r"[（(【\[]\s*必須\s*[）)】\]]|※\s*必須|[*＊]$")
_BRACKETED = re.compile(r"[（(]([^（）()]*)[）)]")
_LAST_BRACKET = re.compile(r"[（(]([^（）()]*)[）)]\s*$")
_YES_NO_TEXT = re.compile(r"^[0-9.()]*(はい|有り?|あり|する)[・/,、.()0-9]*(いいえ|無し?|なし|しない)$")
_FORM_NUMBER = re.compile(r"^[(（【\[]?\s*(様式|別紙|別記|別添|参考|第\s*[0-9０-９]+\s*号)")
_DATE_BLANK = re.compile(r"^(令和|平成|R)?[\s\u3000]+年[\s\u3000]+月[\s\u3000]+日$")
_NOTE_STARTS = ("※", "＊", "*", "注", "（注", "(注", "記入上の", "記入要領", "【記入", "〔記入")


def clean_label(text: str) -> tuple[str, bool]:
    """(label, required): numbering (1. （1） ① 問1) and 「（必須）」 taken off, the colon too."""
    required = bool(_REQUIRED.search(text))
    label = _REQUIRED.sub("", text).strip()
    label = _ENUMERATION.sub("", label, count=1).strip()
    return (label.rstrip("：:").strip() or text.strip())[:MAX_LABEL], required


def unit_of(label: str) -> str:
    """The unit a label gives in brackets at its end, as written: 予算額（千円） → 千円,
    割合（単位：％） → ％."""
    m = _LAST_BRACKET.search(label)
    if not m:
        return ""
    inner = re.sub(r"^単位\s*[:：]?\s*", "", m[1].strip())
    return inner if is_unit(inner) else ""


def is_unit(text: str) -> bool:
    """A short cell after an input box that only names its unit (円, 人, 千円)."""
    return normal(text).strip("()") in _UNITS


def _parts(label: str) -> list[str]:
    """The label without brackets, then each bracket's words: a composed header
    (耐震化済（棟数）) says what it asks in its brackets."""
    return [normal(_BRACKETED.sub("", label)), *(normal(m) for m in _BRACKETED.findall(label))]


def says_number(label: str) -> bool:
    return bool(unit_of(label)) or any(part.endswith(NUMBER_ENDINGS) for part in _parts(label))


def says_date(label: str) -> bool:
    return any(part.endswith(DATE_ENDINGS) and not part.endswith(NOT_DATE_ENDINGS) for part in _parts(label))


def says_yes_no(label: str) -> bool:
    """研修受講の有無, 障害者雇用（はい／いいえ）."""
    return "有無" in normal(label) or any(is_yes_no_text(inner) for inner in _BRACKETED.findall(label))


def is_yes_no_text(text: str) -> bool:
    """A cell written for circling one answer: 「はい・いいえ」, 「有 ・ 無」, 「1.あり 2.なし」."""
    return bool(_YES_NO_TEXT.match(normal(text)))


def yes_no_choices(choices: tuple[str, ...]) -> bool:
    return {normal(c) for c in choices} in YES_NO_PAIRS


def is_total(text: str) -> bool:
    return normal(text) in TOTAL_WORDS


def is_row_number_header(text: str) -> bool:
    return normal(text).lower() in ROW_NUMBER_WORDS


def is_row_number(text: str, expected: int) -> bool:
    folded = normal(text).strip(".")
    circled = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
    return folded == str(expected) or (expected <= len(circled) and text.strip() == circled[expected - 1])


def is_example(text: str) -> bool:
    """A 記入例 row under a table's header: shows how to fill in, is not an answer."""
    return normal(text).lstrip("(（【[〔<＜").startswith(("記入例", "例)", "例）", "例:", "例：", "例]", "例】"))


def is_form_number(text: str) -> bool:
    """様式第1号, （別紙2）: the form's reference, not its title."""
    return len(text) <= 20 and bool(_FORM_NUMBER.match(text.strip()))


def looks_like_title(text: str) -> bool:
    return any(word in text for word in TITLE_WORDS) and len(text) <= 60


def is_date_blank(text: str) -> bool:
    """「令和　年　月　日」: a date written in by hand on the printed 様式."""
    return bool(_DATE_BLANK.match(text.strip()))


def is_instruction(text: str) -> bool:
    """Notes for the person filling in (※…, 記入上の注意, whole sentences), not labels."""
    stripped = text.strip()
    return stripped.startswith(_NOTE_STARTS) or len(stripped) > 40 or ("。" in stripped and len(stripped) > 15)


def compose_header(group: str, sub: str) -> str:
    """A two-row header's label, the unit kept last: 予算額 over 当初 → 予算額（当初）,
    予算額 over （千円） → 予算額（千円）, 予算額（千円） over 当初 → 予算額（当初）（千円）."""
    group_stem, group_unit = _split_unit(group)
    sub_stem, sub_unit = _split_unit(sub)
    label = f"{group_stem}（{sub_stem}）" if group_stem and sub_stem else group_stem or sub_stem
    unit = sub_unit or group_unit
    return f"{label}（{unit}）" if unit else label


def _split_unit(text: str) -> tuple[str, str]:
    m = _LAST_BRACKET.search(text)
    return (text[: m.start()].strip(), m[1]) if m and unit_of(text) else (text.strip(), "")


# --- a question's type -----------------------------------------------------------------------


def typed(q: Question, box: Box) -> Question:
    """`q` with the type its answer box and label suggest: the box's validation rule first,
    then how the box is written or formatted, then the label's words."""
    by_rule = _by_validation(q, box.validation) if box.validation is not None else None
    return by_rule or _by_look(q, box)


def _by_validation(q: Question, v: Validation) -> Question | None:
    if v.kind == "list" and v.choices and not v.unreadable:
        if yes_no_choices(v.choices):
            return replace(q, type=QuestionType.YES_NO)
        choices = tuple(dict.fromkeys(c[:MAX_CHOICE_TEXT] for c in v.choices))[:MAX_CHOICES]
        return replace(q, type=QuestionType.SINGLE_CHOICE, choices=choices)
    if v.kind in ("whole", "decimal"):
        decimals = 0 if v.kind == "whole" else None
        return replace(q, type=QuestionType.NUMBER, minimum=v.minimum, maximum=v.maximum, decimals=decimals)
    if v.kind == "date":
        return replace(q, type=QuestionType.DATE)
    if v.kind == "textLength" and v.maximum and v.maximum.isdigit():
        return replace(q, max_length=min(int(v.maximum), 2000))
    return None


def _by_look(q: Question, box: Box) -> Question:
    text = box.text if box.kind == "text" else ""
    rules = (
        (is_date_blank(text), QuestionType.DATE),
        (is_yes_no_text(text) or says_yes_no(q.label), QuestionType.YES_NO),
        (box.date_format or (says_date(q.label) and not box.number_formatted), QuestionType.DATE),
        (box.number_formatted or bool(q.unit) or says_number(q.label), QuestionType.NUMBER),
        (box.height > 1, QuestionType.LONG_TEXT),
    )
    kind = next((kind for hit, kind in rules if hit), q.type)
    if kind is QuestionType.NUMBER:
        return replace(q, type=kind, decimals=decimals_of(box.number_format))
    return replace(q, type=kind)


def decimals_of(number_format: str) -> int | None:
    """0 for #,##0; 1 for 0.0; None (any) when the format says nothing."""
    if number_format in ("General", "@") or not any(ch in number_format for ch in "0#"):
        return None
    section = number_format.split(";", maxsplit=1)[0]
    if "." not in section:
        return 0
    return sum(1 for ch in section.split(".", 1)[1] if ch in "0#")
