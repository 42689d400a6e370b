"""Document search benchmarks, in sections; each prints figures measured side by side in one run.

    .venv/bin/python bench/search.py                  # every section
    .venv/bin/python bench/search.py extraction       # just the text extraction
    .venv/bin/python bench/search.py extraction --rounds 5 --scale 2

extraction -- chalicelib.search.extract.extract() beside the library calls it could have been,
on the same generated Japanese files (tests/corpus.py, built into a temporary folder):

- each format's files: PDF (reportlab, non-embedded CID fonts; and, when Chromium is there,
  a browser-printed PDF with embedded subset Noto CJK fonts, like Word's "save as PDF"), DOCX,
  XLSX, PPTX (written by python-docx / openpyxl / python-pptx), Shift_JIS / EUC-JP / UTF-8 text
  and HTML;
- every extractor runs once as a warm-up, then --rounds rounds, interleaved (ours, then each
  alternative, the order rotated each round); the best round counts;
- "x ours" is the alternative's time over ours (>1: ours is faster); for Kumo's own rows
  beside the one library it wraps (pypdfium2, bytes.decode) it is our overhead, inverted;
- correctness: how many of the corpus lines come out verbatim (whitespace collapsed) and how
  often 電子決裁 is found, both against our own count on the same file;
- encodings: short Shift_JIS and EUC-JP sentences, how many each detector decodes right;
- sizes of the candidate packages as installed in this venv (the layer is arm64: see
  layers/build.py for the real layer; the figures differ little).

Sections still to come (indexing, queries) add a ``bench_<name>()`` function and an entry in
SECTIONS.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import io
import logging
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

Extractor = Callable[[bytes], str]

# --- alternatives, each the plain library call ------------------------------------------------


def _pypdfium2(data: bytes) -> str:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    out = []
    for index in range(len(document)):
        page = document[index]
        textpage = page.get_textpage()
        out.append(textpage.get_text_range())
        textpage.close()
        page.close()
    document.close()
    return "\n".join(out)


def _pypdf(data: bytes) -> str:
    import pypdf

    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def _pdfminer(data: bytes) -> str:
    from pdfminer.high_level import extract_text

    return str(extract_text(io.BytesIO(data)))


def _python_docx(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    out = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        out += [cell.text for row in table.rows for cell in row.cells]
    for section in document.sections:
        out += [paragraph.text for paragraph in section.header.paragraphs]
    return "\n".join(out)


def _openpyxl(data: bytes) -> str:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    out = []
    for sheet in workbook.worksheets:
        out.append(sheet.title)
        for row in sheet.iter_rows(values_only=True):
            out.append("\t".join("" if value is None else str(value) for value in row))
    workbook.close()
    return "\n".join(out)


def _python_pptx(data: bytes) -> str:
    from pptx import Presentation

    out = []
    for slide in Presentation(io.BytesIO(data)).slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                out.append(shape.text_frame.text)
            if getattr(shape, "has_table", False):
                out += [cell.text for row in shape.table.rows for cell in row.cells]
        if slide.has_notes_slide:
            out.append(slide.notes_slide.notes_text_frame.text)
    return "\n".join(out)


def _charset_normalizer(data: bytes) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    return str(best) if best is not None else ""


def _decode_as(encoding: str) -> Extractor:
    def decode(data: bytes) -> str:
        return data.decode(encoding)

    decode.__name__ = f"bytes.decode({encoding})"
    return decode


def _html_parser(data: bytes) -> str:
    from html.parser import HTMLParser

    out: list[str] = []

    class Collect(HTMLParser):
        def handle_data(self, data: str) -> None:
            out.append(data)

    parser = Collect()
    parser.feed(data.decode("utf-8"))
    parser.close()
    return "".join(out)


def _ours(name: str) -> Extractor:
    from chalicelib.search.extract import extract

    def run(data: bytes) -> str:
        return extract(data, name, None).text

    return run


# --- measuring ---------------------------------------------------------------------------------


def _best_times(data: bytes, extractors: dict[str, Extractor], rounds: int) -> tuple[dict[str, float], dict[str, str]]:
    texts = {label: fn(data) for label, fn in extractors.items()}  # warm-up, and the text to judge
    best = dict.fromkeys(extractors, float("inf"))
    labels = list(extractors)
    for round_number in range(rounds):
        shift = round_number % len(labels)
        for label in labels[shift:] + labels[:shift]:
            started = time.perf_counter()
            extractors[label](data)
            best[label] = min(best[label], time.perf_counter() - started)
    return best, texts


def _lines_found(text: str, lines: list[str]) -> int:
    flat = re.sub(r"\s+", " ", text)
    return sum(1 for line in lines if re.sub(r"\s+", " ", line) in flat)


def _browser_pdf(path: Path, lines: list[str], pages: int) -> Path | None:
    """The same text printed to PDF by headless Chromium (embedded subset fonts), if it can."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    body = "".join(
        "<div style='page-break-after:always'>"
        + "".join(f"<p>{lines[(page * 30 + k) % len(lines)]}</p>" for k in range(30))
        + "</div>"
        for page in range(pages)
    )
    html = (
        "<html><head><meta charset='utf-8'><style>body{font-family:'Noto Serif CJK JP',serif;"
        f"font-size:10pt}}</style></head><body>{body}</body></html>"
    )
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page()
            page.set_content(html)
            page.pdf(path=str(path), format="A4")
            browser.close()
    except Exception as error:  # noqa: BLE001 - optional input: say why and go on
        print(f"  (no browser-printed PDF: {type(error).__name__}: {error})")
        return None
    return path


def _alternatives() -> dict[str, dict[str, Extractor]]:
    pdf: dict[str, Extractor] = {"pypdfium2": _pypdfium2, "pypdf": _pypdf, "pdfminer.six": _pdfminer}
    return {
        "pdf": pdf,
        "pdf-browser": pdf,
        "docx": {"python-docx": _python_docx},
        "xlsx": {"openpyxl": _openpyxl},
        "pptx": {"python-pptx": _python_pptx},
        "txt_sjis": {"bytes.decode(cp932)": _decode_as("cp932"), "charset-normalizer": _charset_normalizer},
        "txt_eucjp": {"bytes.decode(euc_jp)": _decode_as("euc_jp"), "charset-normalizer": _charset_normalizer},
        "txt_utf8": {"bytes.decode(utf-8)": _decode_as("utf-8"), "charset-normalizer": _charset_normalizer},
        "html": {"html.parser (all data)": _html_parser},
    }


def _units(kind: str, path: Path, data: bytes) -> tuple[float, str]:
    from chalicelib.search.extract import extract

    if kind.startswith("txt") or kind == "html":
        return len(data) / 1024 / 1024, "MB"
    return extract(data, path.name, None).pages, {"xlsx": "sheets", "pptx": "slides"}.get(kind, "pages")


def _available(extractors: dict[str, Extractor]) -> dict[str, Extractor]:
    usable = {}
    for label, fn in extractors.items():
        try:
            fn(b"")
        except ImportError:
            print(f"  ({label} is not installed: left out)")
            continue
        except Exception:  # noqa: BLE001, S112 - empty input is expected to fail; only imports matter
            pass
        usable[label] = fn
    return usable


def _format_rows(files: dict[str, Path], lines: list[str], rounds: int) -> None:
    print(
        f"{'file':<12} {'size':>8} {'extractor':<24} {'ms':>8} {'units/s':>12} {'x ours':>7} "
        f"{'lines':>7} {'電子決裁':>6}"
    )
    alternatives = _alternatives()
    for kind, path in files.items():
        data = path.read_bytes()
        extractors = {"kumo extract()": _ours(path.name), **_available(alternatives[kind])}
        times, texts = _best_times(data, extractors, rounds)
        units, unit = _units(kind, path, data)
        ours = times["kumo extract()"]
        for label, seconds in times.items():
            text = texts[label]
            print(
                f"{kind:<12} {len(data) / 1024:>6.0f}kB {label:<24} {seconds * 1000:>8.1f} "
                f"{units / seconds:>8.1f} {unit:<3} {seconds / ours:>7.2f} "
                f"{_lines_found(text, lines):>3}/{len(lines):<3} {text.count('電子決裁'):>6}"
            )


def _encoding_rows() -> None:
    from chalicelib.search.extract.text import decode
    from tests import corpus

    sentences = [line for doc in corpus.CORPUS.values() for line in doc.lines if not line.isascii()]
    sentences = [s for s in sentences if 15 <= len(s) <= 45][:20] + [corpus.SHORT_SJIS_TEXT]
    detectors: dict[str, Callable[[bytes], str]] = {"kumo decode()": decode, "charset-normalizer": _charset_normalizer}
    print(f"\nshort sentences ({len(sentences)}, 15-45 characters): decoded right, and time for all")
    for encoding in ("cp932", "euc_jp"):
        samples = [s.encode(encoding) for s in sentences]
        for label, detect in detectors.items():
            started = time.perf_counter()
            right = sum(1 for sample, sentence in zip(samples, sentences, strict=True) if detect(sample) == sentence)
            elapsed = time.perf_counter() - started
            print(f"  {encoding:<7} {label:<20} {right:>3}/{len(samples)} right  {elapsed * 1000:8.1f} ms")


_PACKAGES = (
    "pypdfium2",
    "pypdf",
    "pdfminer.six",
    "python-docx",
    "openpyxl",
    "python-pptx",
    "lxml",
    "pillow",
    "xlsxwriter",
    "et-xmlfile",
    "charset-normalizer",
)


def _size_rows() -> None:
    print("\ninstalled size in this venv (the layer's arm64 wheels differ a little)")
    for name in _PACKAGES:
        try:
            files = importlib.metadata.distribution(name).files or []
        except importlib.metadata.PackageNotFoundError:
            print(f"  {name:<20} not installed")
            continue
        paths = [Path(str(f.locate())) for f in files]
        size = sum(path.stat().st_size for path in paths if path.is_file())
        print(f"  {name:<20} {size / 1024 / 1024:6.1f} MB")


def bench_extraction(args: argparse.Namespace) -> None:
    from tests import corpus

    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    lines = [line for doc in corpus.CORPUS.values() for line in doc.lines]
    with tempfile.TemporaryDirectory(prefix="kumo-bench-") as tmp:
        print(f"== extraction (scale {args.scale}, best of {args.rounds} rounds)")
        built = corpus.build_large(Path(tmp), scale=args.scale)
        files = {"pdf": built["pdf"]}
        browser = _browser_pdf(Path(tmp) / "browser.pdf", lines, 100 * args.scale)
        if browser:
            files["pdf-browser"] = browser
        files.update(
            {kind: built[kind] for kind in ("docx", "xlsx", "pptx", "txt_sjis", "txt_eucjp", "txt_utf8", "html")}
        )
        _format_rows(files, lines, args.rounds)
    _encoding_rows()
    _size_rows()


def bench_stack(args: argparse.Namespace) -> None:
    """indexing and queries: against one local stack (bench/search_stack.py)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import search_stack

    wanted = [s for s in ("indexing", "queries") if not args.sections or s in args.sections]
    search_stack.run(wanted, args.files, args.docs, args.query_rounds)


SECTIONS: dict[str, Callable[[argparse.Namespace], None]] = {
    "extraction": bench_extraction,
    "indexing": bench_stack,
    "queries": bench_stack,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "sections", nargs="*", metavar="SECTION", help=f"sections to run (default: all): {', '.join(SECTIONS)}"
    )
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds per extractor (best counts)")
    parser.add_argument("--scale", type=int, default=1, help="multiplies the size of the generated files")
    parser.add_argument("--files", type=int, default=1000, help="indexing: files uploaded through the real path")
    parser.add_argument("--docs", type=int, default=10000, help="queries: documents in the index")
    parser.add_argument("--query-rounds", type=int, default=5, help="queries: rounds of the query mix")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.sections) - set(SECTIONS))
    if unknown:
        parser.error(f"no such section: {', '.join(unknown)} (choose from {', '.join(SECTIONS)})")
    done: set[Callable[[argparse.Namespace], None]] = set()
    for name in args.sections or list(SECTIONS):
        if SECTIONS[name] not in done:  # indexing and queries share one stack
            done.add(SECTIONS[name])
            SECTIONS[name](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
