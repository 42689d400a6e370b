"""A small Japanese test corpus, written out as real files of every format Kumo extracts.

Nine short administrative documents (electronic approval, inquiries and surveys, cloud storage,
meetings, business trips...), each rendered into one fixture format. Every document mentions the
shared words in ``COMMON_WORDS`` (so each format can be checked for the same Japanese) and has
words of its own (``Document.found_by``) that appear in no other document, for search tests
that must find exactly one file.

    from tests import corpus
    paths = corpus.build(tmp_dir)            # {"kessai_pdf": Path(".../kessai.pdf"), ...}
    corpus.CORPUS["kessai_pdf"].found_by      # words that find that file and no other

Fixture builders need the dev requirements (reportlab, python-docx, python-pptx, openpyxl):
the documents are written by the libraries that real office software is tested against, and
read back by Kumo's own extractor, so neither side checks itself. Broken fixtures (an encrypted
PDF, a corrupt one, a password-protected Office file, a zip bomb) come from ``build`` too.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# Words every document contains, in every format (a conjugated verb form too).
COMMON_WORDS = ("電子決裁", "照会", "クラウド")


@dataclass(frozen=True)
class Document:
    key: str  # fixture name, also the key in build()'s result
    filename: str
    title: str
    lines: tuple[str, ...]  # the body, one paragraph / row / bullet per line
    found_by: tuple[str, ...]  # words in this document and in no other
    verb_form: str  # a conjugated verb form found in the text
    english: str  # an English word in the text

    @property
    def text(self) -> str:
        return "\n".join((self.title, *self.lines))


CORPUS: dict[str, Document] = {
    doc.key: doc
    for doc in (
        Document(
            key="kessai_pdf",
            filename="kessai.pdf",
            title="電子決裁システムの本格運用について",
            lines=(
                "令和八年四月から、全所属で電子決裁を原則とします。",
                "紙の起案文書は押印を廃止し、決裁ルートは画面で設定してください。",
                "照会への回答文書も電子決裁で処理します。",
                "添付資料はクラウドに保存したファイルへのリンクで共有できます。",
                "操作マニュアルは庁内ポータルに掲載しました。",
                "問い合わせは情報政策課 (deadline: 3月31日) まで。",
            ),
            found_by=("押印", "起案", "本格運用"),
            verb_form="掲載しました",
            english="deadline",
        ),
        Document(
            key="survey_xlsx",
            filename="survey.xlsx",
            title="照会・調査 回答状況一覧",
            lines=(
                "所属\t担当者\t回答状況",
                "総務課\t山田\t提出済み",
                "税務課\t佐藤\t未回答",
                "福祉課\t鈴木\t確認しています",
                # second sheet from here (see _write_xlsx)
                "集計メモ",
                "電子決裁で回答を受け付け、クラウド上の様式に集約します。",
                "未回答の所属には督促メールを送付済みです。",
                "集計結果は Excel で公開します。",
            ),
            found_by=("督促", "税務課", "集計メモ"),
            verb_form="確認しています",
            english="Excel",
        ),
        Document(
            key="cloud_docx",
            filename="cloud-guideline.docx",
            title="クラウドストレージ利用ガイドライン",
            lines=(
                "目的: 電子メールへのファイル添付をやめ、クラウドストレージで共有します。",
                "外部の関係者には有効期限とパスワードを付けた共有リンクを発行してください。",
                "個人情報を含むファイルは暗号化し、アクセス権を確認してから共有すること。",
                "照会の回答ファイルもこの方法で受け取れます。電子決裁との連携も予定しています。",
                "共有リンクの期限切れはシステムが自動で無効化します。",
                "Storage quota: 部署ごとに 500 GB。",
            ),
            found_by=("ガイドライン", "暗号化", "個人情報"),
            verb_form="確認してから",
            english="quota",
        ),
        Document(
            key="meeting_pptx",
            filename="meeting.pptx",
            title="定例会議 資料",
            lines=(
                "議題1: 電子決裁の利用状況",
                "議題2: 照会・調査の集約方法",
                "議題3: クラウド移行のスケジュール",
                "前回の議事録を確認して、宿題事項を報告してください。",
                "Agenda は前日までに共有します。",
                "発言者メモ: 出席者は十二名、次回は来月開催します。",
            ),
            found_by=("議事録", "宿題事項", "出席者"),
            verb_form="開催します",
            english="Agenda",
        ),
        Document(
            key="trip_sjis",
            filename="trip-report-sjis.txt",
            title="出張復命書",
            lines=(
                "用務: 他県のクラウド導入事例の視察",
                "行程: 新幹線で移動し、県庁の担当課を訪問しました。",
                "所感: 電子決裁と照会の電子化により、紙の回覧が大幅に減っていた。",
                "旅費の精算書は経理担当に提出しました。",
                "参考: 先方は OpenSearch で文書検索を運用している。",
            ),
            found_by=("新幹線", "旅費", "視察"),
            verb_form="提出しました",
            english="OpenSearch",
        ),
        Document(
            key="maintenance_eucjp",
            filename="maintenance-eucjp.txt",
            title="システム保守作業のお知らせ",
            lines=(
                "下記の日程でサーバーの保守作業を行います。",
                "作業中は電子決裁、照会、クラウドストレージが利用できません。",
                "作業が終わり次第、ポータルでお知らせします。",
                "停止時間: 土曜日 午前九時から正午まで (maintenance window)。",
            ),
            found_by=("保守作業", "サーバー", "停止時間"),
            verb_form="行います",
            english="maintenance",
        ),
        Document(
            key="answers_csv",
            filename="answers.csv",
            title="照会番号,所属,回答,備考",
            lines=(
                "R8-001,企画課,クラウド移行に賛成,電子決裁と同時に進めたい",
                "R8-002,観光課,条件付きで賛成,研修を受講してから判断したい",
                "R8-003,土木課,回答保留,現場のタブレット端末で確認中",
                "R8-004,教育委員会,賛成,Wi-Fi 環境を整備済み",
            ),
            found_by=("観光課", "タブレット", "教育委員会"),
            verb_form="受講してから",
            english="Wi-Fi",
        ),
        Document(
            key="faq_md",
            filename="faq.md",
            title="# よくある質問 (電子決裁・照会・クラウド)",
            lines=(
                "## 代理で決裁できますか",
                "はい。不在時は代決者を設定すれば、代わりに決裁されます。",
                "## 照会の締切を延長したい",
                "照会画面から締切日を変更すると、未回答の相手に通知されます。",
                "## クラウドのファイルを誤って削除した",
                "ごみ箱から三十日以内なら復元できます。詳しくは **Help** ページへ。",
            ),
            found_by=("代決者", "ごみ箱", "復元"),
            verb_form="設定すれば",
            english="Help",
        ),
        Document(
            key="notice_html",
            filename="notice.html",
            title="職員向けお知らせ: 研修会の開催",
            lines=(
                "電子決裁とクラウドストレージの操作研修を開催します。",
                "各課からの照会に応じて、会場とオンラインの両方で実施します。",
                "申込みは今週金曜日までに済ませてください & 当日は端末を持参。",
                "Online 参加の案内は申込み後に送ります。",
            ),
            found_by=("研修会", "申込み", "持参"),
            verb_form="済ませてください",
            english="Online",
        ),
    )
}

# Text of the second sheet of the survey workbook starts at this line of its `lines`.
_XLSX_SECOND_SHEET_AT = 4
XLSX_SHEET_NAMES = ("回答状況", "集計")
# Inside an HTML <script> and <style>: must never reach the index.
HTML_SCRIPT_WORD = "スクリプト内部の文字列"
HTML_STYLE_WORD = "font-family"


# --- good fixtures -----------------------------------------------------------------------


def _write_pdf(doc: Document, path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    for font in ("HeiseiKakuGo-W5", "HeiseiMin-W3"):
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    pdf = canvas.Canvas(str(path), pagesize=A4, invariant=True)
    half = len(doc.lines) // 2
    pages = ((doc.title, *doc.lines[:half]), doc.lines[half:])
    for number, lines in enumerate(pages):
        # The first page in a Gothic face, the second in a Mincho one: both CID fonts.
        font = "HeiseiKakuGo-W5" if number == 0 else "HeiseiMin-W3"
        y = 780.0
        for line in lines:
            pdf.setFont(font, 12)
            pdf.drawString(60, y, line)
            y -= 24
        pdf.showPage()
    pdf.save()


def write_pdf_pages(path: Path, pages: int, lines_per_page: int = 30, *, encrypt: str | None = None) -> None:
    """A long Japanese PDF (the corpus lines over and over), for benchmarks and limits."""
    from reportlab.lib import pdfencrypt
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiMin-W3"))
    source = [line for doc in CORPUS.values() for line in doc.lines]
    encryption = pdfencrypt.StandardEncryption(encrypt, "owner-secret") if encrypt else None
    pdf = canvas.Canvas(str(path), invariant=True, encrypt=encryption)
    for page in range(pages):
        y = 800.0
        pdf.setFont("HeiseiMin-W3", 10)
        pdf.drawString(40, y, f"第{page + 1}頁")
        for i in range(lines_per_page):
            y -= 25
            pdf.drawString(40, y, source[(page * lines_per_page + i) % len(source)])
        pdf.showPage()
    pdf.save()


def _write_docx(doc: Document, path: Path) -> None:
    import docx

    document = docx.Document()
    document.core_properties.title = doc.title
    document.add_heading(doc.title, level=1)
    section = document.sections[0]
    section.header.paragraphs[0].text = "庁内限り"
    for line in doc.lines[:-1]:
        document.add_paragraph(line)
    # One word split over runs of different formatting: Word does this all the time.
    paragraph = document.add_paragraph("追記: 電子")
    paragraph.add_run("決裁").bold = True
    paragraph.add_run("の手順書は別途配布します。")
    table = document.add_table(rows=1, cols=2)
    key, _, value = doc.lines[-1].partition(":")
    table.cell(0, 0).text = key
    table.cell(0, 1).text = value.strip()
    document.save(str(path))


def _write_xlsx(doc: Document, path: Path) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    first = workbook.active
    assert first is not None
    first.title = XLSX_SHEET_NAMES[0]
    first.append([doc.title])
    for line in doc.lines[:_XLSX_SECOND_SHEET_AT]:
        first.append(line.split("\t"))
    first.append(["回答率", 0.75])
    second = workbook.create_sheet(XLSX_SHEET_NAMES[1])
    for line in doc.lines[_XLSX_SECOND_SHEET_AT:]:
        second.append([line])
    second["C1"] = 42
    workbook.save(str(path))


def _write_pptx(doc: Document, path: Path) -> None:
    from pptx import Presentation
    from pptx.util import Inches

    presentation = Presentation()
    title_slide = presentation.slides.add_slide(presentation.slide_layouts[0])
    title_slide.shapes.title.text = doc.title
    title_slide.placeholders[1].text = "総務部 デジタル推進室"
    agenda = presentation.slides.add_slide(presentation.slide_layouts[1])
    agenda.shapes.title.text = "本日の議題"
    body = agenda.placeholders[1].text_frame
    body.text = doc.lines[0]
    for line in doc.lines[1:3]:
        body.add_paragraph().text = line
    agenda.notes_slide.notes_text_frame.text = doc.lines[-1]  # speaker notes
    table_slide = presentation.slides.add_slide(presentation.slide_layouts[5])
    table_slide.shapes.title.text = "確認事項"
    shape = table_slide.shapes.add_table(2, 2, Inches(1), Inches(2), Inches(8), Inches(2))
    cells = shape.table
    cells.cell(0, 0).text = "項目"
    cells.cell(0, 1).text = "内容"
    cells.cell(1, 0).text = doc.lines[3]
    cells.cell(1, 1).text = doc.lines[4]
    presentation.save(str(path))


def _write_text(encoding: str, *, bom: bytes = b"") -> Callable[[Document, Path], None]:
    def write(doc: Document, path: Path) -> None:
        path.write_bytes(bom + doc.text.replace("\n", "\r\n").encode(encoding))

    return write


def _write_csv(doc: Document, path: Path) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for line in (doc.title, *doc.lines):
        writer.writerow(line.split(","))
    # UTF-8 with BOM: what Excel expects (and writes) for Japanese CSV.
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))


def _write_markdown(doc: Document, path: Path) -> None:
    path.write_text(doc.title + "\n\n" + "\n\n".join(doc.lines) + "\n", encoding="utf-8")


def _write_html(doc: Document, path: Path) -> None:
    from html import escape

    body = "\n".join(f"  <p>{escape(line)}</p>" for line in doc.lines)
    path.write_text(
        '<!DOCTYPE html>\n<html lang="ja"><head><meta charset="utf-8">\n'
        f"<title>{escape(doc.title)}</title>\n"
        f"<style>body {{ {HTML_STYLE_WORD}: sans-serif; }}</style>\n"
        f"</head><body>\n  <h1>{escape(doc.title)}</h1>\n"
        f'<script>var message = "{HTML_SCRIPT_WORD}"; if (1 < 2) {{ }}</script>\n{body}\n'
        "  <p>&copy; 2026 <b>県民</b><i>広報課</i>&nbsp;&#x96FB;&#23376;</p>\n"
        "</body></html>\n",
        encoding="utf-8",
    )


WRITERS: dict[str, Callable[[Document, Path], None]] = {
    "kessai_pdf": _write_pdf,
    "survey_xlsx": _write_xlsx,
    "cloud_docx": _write_docx,
    "meeting_pptx": _write_pptx,
    "trip_sjis": _write_text("cp932"),
    "maintenance_eucjp": _write_text("euc_jp"),
    "answers_csv": _write_csv,
    "faq_md": _write_markdown,
    "notice_html": _write_html,
}


# --- broken and hostile fixtures ---------------------------------------------------------

BROKEN = (
    "encrypted_pdf",
    "owner_locked_pdf",
    "corrupt_pdf",
    "truncated_pdf",
    "encrypted_docx",
    "fake_xlsx",
    "zip_bomb_xlsx",
    "utf16_txt",
    "short_sjis_txt",
    "image_png",
)
SHORT_SJIS_TEXT = "明日の会議資料を共有フォルダに保存しました。確認をお願いします。"
# Uncompressed size of the zip bomb's one sheet (it deflates to about 1/1000 of that).
ZIP_BOMB_BYTES = 64 * 1024 * 1024


def _write_broken(directory: Path, good: dict[str, Path]) -> dict[str, Path]:
    out: dict[str, Path] = {}

    def put(key: str, filename: str, data: bytes) -> None:
        out[key] = directory / filename
        out[key].write_bytes(data)

    # Needs a password to open at all.
    write_pdf_pages(directory / "encrypted.pdf", 2, encrypt="user-secret")
    out["encrypted_pdf"] = directory / "encrypted.pdf"
    # Only an owner password (printing/copying "restricted"): opens without one, like many
    # public-sector PDFs; its text must still be extracted.
    write_pdf_pages(directory / "owner-locked.pdf", 2, encrypt="")
    out["owner_locked_pdf"] = directory / "owner-locked.pdf"
    put("corrupt_pdf", "corrupt.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 40)
    pdf = good["kessai_pdf"].read_bytes()
    put("truncated_pdf", "truncated.pdf", pdf[: len(pdf) // 3])
    # Password-protected Office files are OLE compound files (CFB), not zips.
    put(
        "encrypted_docx",
        "protected.docx",
        bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504 + "EncryptedPackage".encode("utf-16-le"),
    )
    put("fake_xlsx", "not-really.xlsx", b"PK\x03\x04 this is not a zip archive at all" * 10)
    out["zip_bomb_xlsx"] = directory / "bomb.xlsx"
    _write_zip_bomb(out["zip_bomb_xlsx"], ZIP_BOMB_BYTES)
    put("utf16_txt", "utf16.txt", "\ufeff".encode("utf-16-le") + CORPUS["trip_sjis"].text.encode("utf-16-le"))
    put("short_sjis_txt", "short.txt", SHORT_SJIS_TEXT.encode("cp932"))
    put("image_png", "scan.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    return out


def _write_zip_bomb(path: Path, size: int) -> None:
    """A workbook whose one sheet inflates to ``size`` bytes of nothing."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<?xml version="1.0"?><worksheet><sheetData>')
            chunk = b" " * (1024 * 1024)
            for _ in range(size // len(chunk)):
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")


def build(directory: Path) -> dict[str, Path]:
    """Write every fixture (good ones, then broken ones) under ``directory``; name -> path."""
    directory.mkdir(parents=True, exist_ok=True)
    good: dict[str, Path] = {}
    for key, doc in CORPUS.items():
        good[key] = directory / doc.filename
        WRITERS[key](doc, good[key])
    return {**good, **_write_broken(directory, good)}


# --- larger files, for benchmarks --------------------------------------------------------


def build_large(directory: Path, scale: int = 1) -> dict[str, Path]:
    """Bigger files of each format (``scale`` multiplies their size), for throughput figures."""
    import docx
    import openpyxl
    from pptx import Presentation

    directory.mkdir(parents=True, exist_ok=True)
    lines = [line for doc in CORPUS.values() for line in doc.lines]
    out = {
        "pdf": directory / "large.pdf",
        "docx": directory / "large.docx",
        "xlsx": directory / "large.xlsx",
        "pptx": directory / "large.pptx",
        "txt_sjis": directory / "large-sjis.txt",
        "txt_eucjp": directory / "large-eucjp.txt",
        "txt_utf8": directory / "large-utf8.txt",
        "html": directory / "large.html",
    }
    write_pdf_pages(out["pdf"], 100 * scale)

    document = docx.Document()
    for i in range(2000 * scale):
        document.add_paragraph(lines[i % len(lines)])
    document.save(str(out["docx"]))

    workbook = openpyxl.Workbook()
    for sheet_number in range(3):
        sheet = workbook.active if sheet_number == 0 else workbook.create_sheet()
        assert sheet is not None
        sheet.title = f"シート{sheet_number + 1}"
        for row in range(2000 * scale):
            sheet.append([row, lines[row % len(lines)], lines[(row + 7) % len(lines)], row * 1.5])
    workbook.save(str(out["xlsx"]))

    presentation = Presentation()
    for i in range(100 * scale):
        slide = presentation.slides.add_slide(presentation.slide_layouts[1])
        slide.shapes.title.text = f"第{i + 1}回 " + lines[i % len(lines)]
        slide.placeholders[1].text_frame.text = "\n".join(lines[(i + k) % len(lines)] for k in range(6))
        slide.notes_slide.notes_text_frame.text = lines[(i + 3) % len(lines)]
    presentation.save(str(out["pptx"]))

    text = "\n".join(lines[i % len(lines)] for i in range(20000 * scale))
    out["txt_sjis"].write_bytes(text.encode("cp932"))
    out["txt_eucjp"].write_bytes(text.encode("euc_jp"))
    out["txt_utf8"].write_bytes(text.encode("utf-8"))
    out["html"].write_text(
        "<html><body>"
        + "".join(f"<p>{line}</p><script>x()</script>\n" for line in text.splitlines())
        + "</body></html>",
        encoding="utf-8",
    )
    return out
