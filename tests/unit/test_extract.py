"""Text extraction for search: every format's Japanese text, encodings, limits and bad files."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest

from chalicelib.search.extract import Extracted, Limits, NotExtractable, extract, is_supported
from chalicelib.search.extract._common import TextBuffer, normalise
from tests import corpus

GOOD = tuple(corpus.CORPUS)


@pytest.fixture(scope="session")
def corpus_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return corpus.build(tmp_path_factory.mktemp("corpus"))


def run(files: dict[str, Path], key: str, **kwargs: object) -> Extracted:
    path = files[key]
    return extract(path.read_bytes(), path.name, None, **kwargs)  # type: ignore[arg-type]


def reason(files: dict[str, Path], key: str, **kwargs: object) -> str:
    with pytest.raises(NotExtractable) as caught:
        run(files, key, **kwargs)
    return caught.value.reason


# --- every format ------------------------------------------------------------------------


@pytest.mark.parametrize("key", GOOD)
def test_each_format_yields_the_documents_japanese_and_english_words(corpus_files, key):
    doc = corpus.CORPUS[key]
    text = run(corpus_files, key).text
    for word in (*corpus.COMMON_WORDS, *doc.found_by, doc.verb_form, doc.english):
        assert word in text, f"{word!r} missing from {key}: {text[:300]!r}"


@pytest.mark.parametrize("key", GOOD)
def test_every_line_of_the_document_comes_out_whole(corpus_files, key):
    text = run(corpus_files, key).text
    flat = " ".join(text.split())
    doc = corpus.CORPUS[key]
    expected = [line.replace("\t", " ") for line in doc.lines]  # cells come out space-separated
    if key == "cloud_docx":  # its last line went into a two-cell table, split at the colon
        expected[-1:] = [part.strip() for part in doc.lines[-1].split(":")]
    for line in expected:
        assert " ".join(line.split()) in flat, f"{line!r} not in {key}"


def test_corpus_words_find_one_document_each():
    for key, doc in corpus.CORPUS.items():
        for word in doc.found_by:
            holders = [other for other, d in corpus.CORPUS.items() if word in d.text]
            assert holders == [key], word


def test_pdf_counts_pages_and_has_no_spaces_between_japanese_characters(corpus_files):
    result = run(corpus_files, "kessai_pdf")
    assert result.pages == 2 and not result.truncated
    assert "電子決裁システムの本格運用について" in result.text  # the Gothic page
    assert "操作マニュアルは庁内ポータルに掲載しました。" in result.text  # the Mincho page
    assert "\r" not in result.text


def test_pdf_with_only_an_owner_password_is_still_read(corpus_files):
    result = run(corpus_files, "owner_locked_pdf")
    assert result.pages == 2
    assert "電子決裁を原則とします" in result.text


def test_docx_joins_runs_and_reads_tables_and_headers(corpus_files):
    text = run(corpus_files, "cloud_docx").text
    assert "追記: 電子決裁の手順書は別途配布します。" in text  # one word over two runs
    assert "Storage quota" in text and "部署ごとに 500 GB。" in text
    assert "庁内限り" in text
    lines = text.splitlines()
    assert all(line in lines for line in corpus.CORPUS["cloud_docx"].lines[:-1])  # one paragraph a line


def test_xlsx_reads_every_sheet_with_its_name_and_values(corpus_files):
    result = run(corpus_files, "survey_xlsx")
    assert result.pages == 2
    lines = result.text.splitlines()
    assert lines[0] == corpus.XLSX_SHEET_NAMES[0]
    assert corpus.XLSX_SHEET_NAMES[1] in lines
    second = result.text.split("\n" + corpus.XLSX_SHEET_NAMES[1] + "\n", 1)[1]
    assert "督促メール" in second and "42" in second
    assert "回答率 0.75" in result.text
    assert "税務課 佐藤 未回答" in result.text


def test_pptx_reads_slides_in_order_with_tables_and_speaker_notes(corpus_files):
    result = run(corpus_files, "meeting_pptx")
    assert result.pages == 3
    text = result.text
    notes = corpus.CORPUS["meeting_pptx"].lines[-1]
    assert notes in text
    assert text.index("定例会議 資料") < text.index("本日の議題") < text.index(notes) < text.index("確認事項")
    assert "前回の議事録を確認して、宿題事項を報告してください。" in text  # a table cell
    assert {"議題1: 電子決裁の利用状況", "議題2: 照会・調査の集約方法", notes} <= set(text.splitlines())


# --- encodings ---------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["trip_sjis", "maintenance_eucjp", "utf16_txt"])
def test_japanese_encodings_are_detected(corpus_files, key):
    source = "trip_sjis" if key == "utf16_txt" else key
    assert run(corpus_files, key).text == corpus.CORPUS[source].text


def test_a_short_shift_jis_sentence_is_not_misread(corpus_files):
    assert run(corpus_files, "short_sjis_txt").text == corpus.SHORT_SJIS_TEXT


@pytest.mark.parametrize("encoding", ["cp932", "euc_jp", "utf-8", "utf-8-sig"])
def test_short_sentences_in_each_encoding(encoding):
    for sentence in ("照会への回答を提出しました。", "ｶﾀｶﾅの混じる文も確認してください。", "会議は十時から"):
        data = sentence.encode(encoding)
        assert extract(data, "memo.txt", "text/plain").text == sentence


def test_csv_keeps_the_bom_out(corpus_files):
    text = run(corpus_files, "answers_csv").text
    assert text.startswith("照会番号,所属,回答,備考\n")


def test_html_drops_tags_scripts_and_styles_and_decodes_entities(corpus_files):
    text = run(corpus_files, "notice_html").text
    assert corpus.HTML_SCRIPT_WORD not in text and corpus.HTML_STYLE_WORD not in text
    assert "<" not in text and "&amp;" not in text
    assert "済ませてください & 当日" in text
    assert "© 2026 県民広報課 電子" in text  # inline tags join, &nbsp; and &#...; decoded
    assert text.startswith(corpus.CORPUS["notice_html"].title)  # <title> is kept


def test_html_with_a_declared_shift_jis_charset_and_an_unclosed_head():
    page = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">'
    page += "<title>出張</title><body><p>旅費を<br>精算しました</p><script>x = 1</script></body>"
    text = extract(page.encode("cp932"), "page.htm", None).text
    assert text == "出張\n旅費を\n精算しました"


def test_normalise_collapses_whitespace_and_drops_controls_but_keeps_widths():
    assert normalise("ＡＢＣ　ｶﾀｶﾅ\t\t全角\x00\x07\r\n\r\n\n次の行 ") == "ＡＢＣ ｶﾀｶﾅ 全角\n次の行 "
    assert normalise("電\u2f26決裁") == "電子決裁"  # a Kangxi radical some PDFs emit for 子


def test_text_written_in_pieces_is_normalised_as_one():
    buffer = TextBuffer(Limits(), None)
    buffer._FLUSH_AT = 3
    for piece in ("  電子", "決裁 ", "\n\n", "  照会\t", "\tです\r", "\n"):
        buffer.write(piece)
    assert buffer.text() == "電子決裁\n照会 です"


# --- choosing the format -----------------------------------------------------------------


def test_format_is_chosen_by_extension_then_content_type():
    assert is_supported("報告.PDF", None)
    assert is_supported("download", "application/pdf")
    assert is_supported("notes", "text/plain; charset=utf-8")
    assert is_supported("table.xlsx", "application/octet-stream")
    for name, content_type in (
        ("scan.png", "image/png"),
        ("archive.zip", None),
        ("setup.exe", None),
        ("old.doc", "application/msword"),
        ("noext", None),
    ):
        assert not is_supported(name, content_type), name
    # The extension wins: a PDF uploaded as octet-stream is still read as a PDF.
    assert extract(b"hello", "x.txt", "application/pdf").text == "hello"


def test_unsupported_formats_are_refused(corpus_files):
    assert reason(corpus_files, "image_png") == "unsupported"
    with pytest.raises(NotExtractable) as caught:
        extract(b"MZ\x90\x00", "setup.exe", "application/octet-stream")
    assert caught.value.reason == "unsupported" and caught.value.detail


def test_a_legacy_binary_office_file_under_a_new_name_is_unsupported_not_encrypted():
    data = bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 1024 + "WordDocument".encode("utf-16-le")
    with pytest.raises(NotExtractable) as caught:
        extract(data, "old.docx", None)
    assert caught.value.reason == "unsupported"


# --- bad files ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("encrypted_pdf", "encrypted"),
        ("encrypted_docx", "encrypted"),
        ("corrupt_pdf", "corrupt"),
        ("fake_xlsx", "corrupt"),
    ],
)
def test_bad_files_give_a_reason(corpus_files, key, expected):
    assert reason(corpus_files, key) == expected


def test_a_truncated_pdf_is_corrupt_or_partly_read_never_a_library_error(corpus_files):
    try:
        result = run(corpus_files, "truncated_pdf")
    except NotExtractable as error:
        assert error.reason == "corrupt"
    else:
        assert isinstance(result.text, str)


@pytest.mark.parametrize("key", ["cloud_docx", "survey_xlsx", "meeting_pptx"])
def test_office_files_cut_short_are_corrupt(corpus_files, key):
    data = corpus_files[key].read_bytes()
    for size in (len(data) // 2, len(data) - 30, 100):
        with pytest.raises(NotExtractable) as caught:
            extract(data[:size], corpus_files[key].name, None)
        assert caught.value.reason == "corrupt"


def test_a_dtd_in_an_office_part_is_refused():
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "電子決裁電子決裁">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><w:document xmlns:w="urn:w"><w:t>&b;</w:t></w:document>'
    )
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as package:
        package.writestr("word/document.xml", laughs)
    with pytest.raises(NotExtractable) as caught:
        extract(archive.getvalue(), "laughs.docx", None)
    assert caught.value.reason == "corrupt"


def test_a_zip_bomb_is_refused_before_it_is_inflated(corpus_files):
    small = Limits(max_unpacked_bytes=corpus.ZIP_BOMB_BYTES // 2)
    assert reason(corpus_files, "zip_bomb_xlsx", limits=small) == "too_large"


def test_a_package_of_too_many_parts_is_refused(corpus_files):
    assert reason(corpus_files, "cloud_docx", limits=Limits(max_zip_entries=3)) == "too_large"


# --- limits ------------------------------------------------------------------------------


def test_input_over_the_size_limit_is_too_large(corpus_files):
    assert reason(corpus_files, "kessai_pdf", limits=Limits(max_bytes=1000)) == "too_large"


@pytest.mark.parametrize("key", [*GOOD, "owner_locked_pdf"])
def test_a_deadline_already_passed_is_a_timeout(corpus_files, key):
    assert reason(corpus_files, key, deadline=time.monotonic() - 1) == "timeout"


def test_a_deadline_passing_during_a_long_pdf_is_a_timeout(tmp_path):
    path = tmp_path / "long.pdf"
    corpus.write_pdf_pages(path, 400, lines_per_page=40)
    started = time.monotonic()
    with pytest.raises(NotExtractable) as caught:
        extract(path.read_bytes(), path.name, None, deadline=started + 0.01)
    assert caught.value.reason == "timeout"


def test_text_over_the_character_limit_is_cut_and_flagged(corpus_files):
    result = run(corpus_files, "trip_sjis", limits=Limits(max_chars=20))
    assert result.truncated and len(result.text) == 20
    assert result.text == corpus.CORPUS["trip_sjis"].text[:20]
    whole = run(corpus_files, "trip_sjis")
    assert not whole.truncated


@pytest.mark.parametrize("key", ["kessai_pdf", "survey_xlsx", "meeting_pptx"])
def test_pages_over_the_limit_are_left_out_and_flagged(corpus_files, key):
    whole = run(corpus_files, key)
    first = run(corpus_files, key, limits=Limits(max_pages=1))
    assert first.truncated and not whole.truncated
    assert first.pages == whole.pages > 1  # the file's own count, not what was read
    assert len(first.text) < len(whole.text) and whole.text.startswith(first.text.split("\n")[0])


def test_long_spreadsheets_stop_at_the_character_limit(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in range(5000):
        sheet.append([f"照会{row}", "クラウド"])
    path = tmp_path / "long.xlsx"
    workbook.save(path)
    result = extract(path.read_bytes(), path.name, None, limits=Limits(max_chars=50_000))
    assert result.truncated and len(result.text) == 50_000
    assert result.text.startswith("Sheet\n照会0 クラウド\n照会1 クラウド")
