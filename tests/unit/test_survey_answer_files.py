"""Files uploaded to a survey answer (surveys/answer_files.py, answer_uploads.py) against moto: the
upload lands in the answer's own folder in the 所属's space, is scanned, never becomes a version
of another file; a draft names only files it may; submission waits for the scan; the 照会元
downloads once the answer reached them, and nobody else does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import pytest

from chalicelib.core.errors import BadRequest, Conflict, NotFound
from chalicelib.scanning.engine import EICAR
from chalicelib.surveys.form import form_from
from chalicelib.surveys.schemas import NewAnswerUpload

FORM = {
    "questions": [
        {"question_id": "q1", "type": "short_text", "label": "担当者名"},
        {"question_id": "q2", "type": "file", "label": "研修の実施計画書", "required": True},
    ]
}


def _who(staff_id: str) -> Any:
    from chalicelib.directory import service as directory

    person = directory.find_staff(staff_id)
    assert person is not None
    return person.principal()


def _s3() -> Any:
    from chalicelib.core import aws

    return aws.client("s3")


def _bucket() -> str:
    from chalicelib.core.config import settings

    return settings().files_bucket


@pytest.fixture
def world(aws_mock: None, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    from chalicelib.core import events
    from chalicelib.local import demo
    from chalicelib.surveys import issuing

    demo.seed()
    published: list[Any] = []
    original = events.publish

    def record(batch: Any, **kw: Any) -> None:
        published.extend(batch)
        original(batch, **kw)

    monkeypatch.setattr(events, "publish", record)
    issuer = _who("kondo.m")  # 人事課
    survey = issuing.create(
        issuer,
        issuing.SurveyDraft(
            title="職員研修の実施状況について（照会）",
            deadline=datetime.now(UTC) + timedelta(days=5),
            targets=("somuka", "seisaku"),
            form=form_from(FORM),
        ),
    )
    issuing.issue(issuer, survey.survey_id)
    return {
        "sid": survey.survey_id,
        "issuer": issuer,
        "member": _who("yamada.k"),  # 総務課 取りまとめ担当
        "head": _who("ohashi.t"),  # 総務課 所属長
        "other_unit": _who("aoki.h"),  # 政策課: answers the same survey for its own 所属
        "stranger": _who("ueda.s"),  # 産業振興課: nothing to do with it
        "published": published,
    }


def _upload(world: dict[str, Any], who: Any, name: str, data: bytes, *, part_id: str | None = None) -> Any:
    from chalicelib.files import upload_complete
    from chalicelib.surveys import answer_uploads

    body = NewAnswerUpload(name=name, size=len(data), content_type="application/pdf")
    if part_id:
        ticket = answer_uploads.start_for_part(who, world["sid"], "somuka", part_id, body)
    else:
        ticket = answer_uploads.start(who, world["sid"], "somuka", body)
    _s3().put_object(Bucket=_bucket(), Key=ticket.key, Body=data)
    return upload_complete.complete(who, ticket.upload_id)


def _scan(world: dict[str, Any], file_id: str) -> str:
    """Hand the upload's FileUploaded event to the local scanner, as the scan queue would."""
    from chalicelib.core.event_catalogue import FileUploaded
    from chalicelib.scanning import service
    from chalicelib.scanning.local import LocalScanner

    found = [e for e in world["published"] if isinstance(e, FileUploaded) and e.file_id == file_id]
    assert found and found[-1].scan_required, "a staff upload to an answer asks for a scan"
    return service.handle(found[-1].event().as_delivered(), LocalScanner(max_bytes=10 * 1024**2))


def _save(world: dict[str, Any], who: Any, files: list[Any], unit: str = "somuka") -> Any:
    from chalicelib.surveys import answering

    current = answering.view(who, world["sid"], unit).answer
    raw = {"q1": "山田", "q2": [{"file_id": f.file_id, "name": f.name} for f in files]}
    return answering.save(who, world["sid"], unit, raw, current.revision)


def _submit(world: dict[str, Any], who: Any) -> Any:
    from chalicelib.surveys import answering

    current = answering.view(who, world["sid"], "somuka").answer
    return answering.submit(who, world["sid"], "somuka", current.revision)


def test_an_upload_goes_into_the_answers_own_folder_scanned_and_never_as_a_new_version(
    world: dict[str, Any],
) -> None:
    from chalicelib.files import entries as files
    from chalicelib.surveys import answer_files

    first = _upload(world, world["member"], "実施計画書.pdf", b"%PDF plan 1")
    assert first.scan_status == "pending"
    folder_id = answer_files.folder_of(world["sid"], "somuka")
    assert folder_id and first.parent_id == folder_id
    folder = files.get_entry(folder_id)
    assert folder.space_id == "dept:somuka" and folder.visibility == "department"
    assert folder.name.startswith("照会回答")

    # The same name again, by the file's own uploader: a new file, not its second version.
    second = _upload(world, world["member"], "実施計画書.pdf", b"%PDF plan 2")
    assert second.file_id != first.file_id and second.name == "実施計画書 (2).pdf"
    assert second.parent_id == folder_id, "the folder is made once and kept on the answer"
    assert files.get_entry(first.file_id).version == 1
    tags = _s3().get_object_tagging(Bucket=_bucket(), Key=f"spaces/dept:somuka/{second.file_id}/v00000001")
    assert {"Key": "kumo-scan", "Value": "required"} in tags["TagSet"]

    assert _scan(world, first.file_id) == "cleared"
    assert files.get_entry(first.file_id).scan_status == "clean"


@pytest.mark.parametrize("who", ["issuer", "other_unit", "stranger"])
def test_only_the_answering_unit_may_upload_to_its_answer(world: dict[str, Any], who: str) -> None:
    with pytest.raises(NotFound):
        _upload(world, world[who], "計画書.pdf", b"%PDF")


def test_no_upload_once_the_answer_is_submitted(world: dict[str, Any]) -> None:
    plan = _upload(world, world["head"], "計画書.pdf", b"%PDF")
    _scan(world, plan.file_id)
    _save(world, world["head"], [plan])
    _submit(world, world["head"])
    with pytest.raises(Conflict):
        _upload(world, world["member"], "追加.pdf", b"%PDF")


def test_a_draft_names_only_files_of_the_answer_or_files_the_person_can_read(world: dict[str, Any]) -> None:
    from chalicelib.files import upload_complete, upload_start

    uploaded = _upload(world, world["member"], "計画書.pdf", b"%PDF")
    assert _save(world, world["member"], [uploaded]).answer.values["q2"][0]["file_id"] == uploaded.file_id

    # A file of the member's own space, which they can read: may be attached.
    ticket = upload_start.start(world["member"], "user:yamada.k", "メモ.txt", 4, "text/plain")
    _s3().put_object(Bucket=_bucket(), Key=ticket.key, Body=b"memo")
    own = upload_complete.complete(world["member"], ticket.upload_id)
    assert len(_save(world, world["member"], [uploaded, own]).answer.values["q2"]) == 2

    # A private file of someone outside the 所属: refused, with the question and the file named.
    ticket = upload_start.start(world["stranger"], "user:ueda.s", "他課の資料.xlsx", 4, "application/octet-stream")
    _s3().put_object(Bucket=_bucket(), Key=ticket.key, Body=b"xlsx")
    foreign = upload_complete.complete(world["stranger"], ticket.upload_id)
    with pytest.raises(BadRequest) as refused:
        _save(world, world["member"], [uploaded, foreign])
    assert refused.value.details["question"] == "研修の実施計画書"
    assert refused.value.details["file"] == "他課の資料.xlsx"


def test_submit_waits_for_the_scan_and_refuses_a_quarantined_file(world: dict[str, Any]) -> None:
    from chalicelib.core.i18n import gettext_for
    from chalicelib.surveys import answering

    pending = _upload(world, world["head"], "計画書.pdf", b"%PDF clean")
    _save(world, world["head"], [pending])
    with pytest.raises(Conflict) as waiting:
        _submit(world, world["head"])
    text = waiting.value.text(gettext_for("ja"))
    assert "計画書.pdf" in text and "研修の実施計画書" in text and "ウイルス" in text
    assert answering.view(world["head"], world["sid"], "somuka").answer.state.value == "draft"

    infected = _upload(world, world["head"], "eicar.txt", EICAR)
    _save(world, world["head"], [pending, infected])
    assert _scan(world, pending.file_id) == "cleared"
    assert _scan(world, infected.file_id) == "quarantined"
    with pytest.raises(Conflict) as quarantined:
        _submit(world, world["head"])
    assert quarantined.value.details["file"] == "eicar.txt"
    assert "隔離" in quarantined.value.text(gettext_for("ja"))

    _save(world, world["head"], [pending])
    assert _submit(world, world["head"]).state.value == "submitted"


def _download(world: dict[str, Any], who: str, file_id: str, unit: str = "somuka") -> str:
    from chalicelib.surveys import answer_uploads

    return answer_uploads.download_url(world[who], world["sid"], unit, file_id)


def test_the_issuer_downloads_an_answers_file_only_once_it_reached_them(world: dict[str, Any]) -> None:
    plan = _upload(world, world["member"], "実施計画書.pdf", b"%PDF plan")
    _scan(world, plan.file_id)
    _save(world, world["member"], [plan])
    assert _download(world, "member", plan.file_id)  # the 所属's own file, at any time
    with pytest.raises(NotFound):  # a draft is the 所属's own work
        _download(world, "issuer", plan.file_id)

    _submit(world, world["member"])  # to the 所属長 for approval: not yet the 照会元's
    with pytest.raises(NotFound):
        _download(world, "issuer", plan.file_id)

    from chalicelib.surveys import answering

    answering.approve(world["head"], world["sid"], "somuka")
    url = _download(world, "issuer", plan.file_id)
    query = parse_qs(urlparse(url).query)
    disposition = unquote(query["response-content-disposition"][0])
    assert disposition.startswith("attachment;") and "実施計画書.pdf" in disposition
    assert query["response-content-type"] == ["application/octet-stream"], "never shown inline"

    for who in ("other_unit", "stranger"):
        with pytest.raises(NotFound):
            _download(world, who, plan.file_id)
    with pytest.raises(NotFound):  # the other 所属's answer is not where this file is
        _download(world, "issuer", plan.file_id, unit="seisaku")


def test_the_issuer_gets_only_files_the_answer_names(world: dict[str, Any]) -> None:
    named = _upload(world, world["head"], "計画書.pdf", b"%PDF")
    left_out = _upload(world, world["head"], "下書き.pdf", b"%PDF draft")
    for f in (named, left_out):
        _scan(world, f.file_id)
    _save(world, world["head"], [named])
    _submit(world, world["head"])
    assert _download(world, "issuer", named.file_id)
    with pytest.raises(NotFound):
        _download(world, "issuer", left_out.file_id)


def test_a_part_forwarded_to_a_person_uploads_into_the_answers_folder(world: dict[str, Any]) -> None:
    from chalicelib.surveys import answer_files, fanout

    parts = fanout.forward(
        world["member"], world["sid"], "somuka", assignees=["staff:ohashi.t"], note="", question_ids=["q2"]
    )
    part = parts[0]
    uploaded = _upload(world, world["head"], "係の資料.pdf", b"%PDF", part_id=part.part_id)
    assert uploaded.parent_id == answer_files.folder_of(world["sid"], "somuka")
    saved, _ = fanout.save_part(
        world["head"],
        world["sid"],
        "somuka",
        part.part_id,
        raw={"q2": [{"file_id": uploaded.file_id, "name": uploaded.name}]},
        revision=part.revision,
    )
    assert saved.values["q2"][0]["file_id"] == uploaded.file_id
    with pytest.raises(NotFound):  # only the assignee uploads for a part
        _upload(world, world["stranger"], "x.pdf", b"%PDF", part_id=part.part_id)


def test_the_answer_keeps_each_files_name_in_kumo_whatever_the_browser_sent(world: dict[str, Any]) -> None:
    from chalicelib.surveys import answering

    plan = _upload(world, world["member"], "計画書.pdf", b"%PDF")
    current = answering.view(world["member"], world["sid"], "somuka").answer
    raw = {"q2": [{"file_id": plan.file_id, "name": '=HYPERLINK("http://evil")'}]}
    saved = answering.save(world["member"], world["sid"], "somuka", raw, current.revision)
    assert saved.answer.values["q2"] == [{"file_id": plan.file_id, "name": "計画書.pdf"}]


def test_file_names_that_look_like_formulas_stay_text_in_the_exports(world: dict[str, Any]) -> None:
    import csv
    import io

    import openpyxl

    from chalicelib.surveys import results

    tricky = _upload(world, world["head"], "=1+2 集計.csv", b"a,b")
    _scan(world, tricky.file_id)
    _save(world, world["head"], [tricky])
    _submit(world, world["head"])

    made = results.download(world["issuer"], world["sid"], fmt="csv")
    header, *rows = list(csv.reader(io.StringIO(made.body.decode("utf-8-sig"), newline="")))
    column = next(i for i, h in enumerate(header) if h.startswith("研修の実施計画書"))
    assert [r[column] for r in rows if r[column]] == ["'=1+2 集計.csv"], "neutralised for Excel"

    book = openpyxl.load_workbook(io.BytesIO(results.download(world["issuer"], world["sid"], fmt="xlsx").body))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value == "=1+2 集計.csv"]
    assert cells and all(c.data_type == "s" for c in cells), "stored as text, never a formula"


def test_the_local_scanner_takes_only_staff_uploads_that_asked_for_a_scan() -> None:
    from chalicelib.core.event_catalogue import FileUploaded
    from chalicelib.scanning.local import LocalScanner

    def uploaded(scan_required: bool) -> dict[str, Any]:
        detail = FileUploaded(
            file_id="fi_1",
            name="計画書.pdf",
            space_id="dept:somuka",
            folder_id="fo_1",
            version=1,
            size=4,
            uploaded_by="yamada.k",
            by_partner=False,
            s3_key="spaces/dept:somuka/fi_1/v00000001",
            scan_required=scan_required,
        )
        return detail.event().as_delivered()

    scanner = LocalScanner(max_bytes=1024)
    assert scanner.subject_of(uploaded(False)) is None, "an ordinary staff upload is never scanned"
    subject = scanner.subject_of(uploaded(True))
    assert subject is not None and (subject.file_id, subject.version) == ("fi_1", 1)


def test_a_trashed_answer_folder_is_replaced_by_a_new_one(world: dict[str, Any]) -> None:
    from chalicelib.files import entries as files
    from chalicelib.files import trash as file_trash
    from chalicelib.surveys import answer_files

    first = _upload(world, world["member"], "計画書.pdf", b"%PDF")
    old_folder = answer_files.folder_of(world["sid"], "somuka")
    assert old_folder
    file_trash.trash(world["member"], old_folder)  # its maker owns it in Files
    second = _upload(world, world["member"], "計画書.pdf", b"%PDF 2")
    new_folder = answer_files.folder_of(world["sid"], "somuka")
    assert new_folder and new_folder != old_folder and second.parent_id == new_folder
    assert files.get_entry(new_folder).status == "active" and first.file_id != second.file_id
