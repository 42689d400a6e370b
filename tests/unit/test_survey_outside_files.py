"""File questions answered by an organisation outside the prefecture (respond.py through the partner
upload path), against moto: its session uploads into its answer's folder (kept privately in the
issuing 所属's space), only allowed types, recorded as the organisation, scanned; submission waits
for the scan; the 照会元 downloads once the answer reached them; another organisation reaches
nothing of it."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import pytest

from chalicelib.core.errors import BadRequest, Conflict, NotFound
from chalicelib.sharing import partner
from chalicelib.surveys import answer_uploads, respond
from chalicelib.surveys.schemas import NewAnswerUpload
from tests.unit.test_survey_respond import ABASHIRI, FORM, KITAMI, _issued, _through, issuer, published

__all__ = ["issuer", "published"]  # the fixtures, used by name
FILE_FORM = {"questions": [*FORM["questions"], {"question_id": "q3", "type": "file", "label": "避難所一覧"}]}


def _s3() -> Any:
    from chalicelib.core import aws

    return aws.client("s3")


def _bucket() -> str:
    from chalicelib.core.config import settings

    return settings().files_bucket


def _send(visit: Any, name: str, data: bytes) -> Any:
    from chalicelib.sharing import partner_uploads

    sid, unit = respond.own_answer(visit)
    ticket = respond.start_upload(visit, sid, unit, NewAnswerUpload(name=name, size=len(data)))
    _s3().put_object(Bucket=_bucket(), Key=ticket.key, Body=data)
    return partner_uploads.complete_upload(visit, ticket.upload_id)


def _scan(published: list[Any], file_id: str) -> str:
    from chalicelib.core.event_catalogue import PartnerUploaded
    from chalicelib.scanning import service
    from chalicelib.scanning.local import LocalScanner

    (event,) = [e for e in published if isinstance(e, PartnerUploaded) and e.file_id == file_id]
    return service.handle(event.event().as_delivered(), LocalScanner(max_bytes=1024**2))


def _save(visit: Any, files: list[Any]) -> Any:
    sid, unit = respond.own_answer(visit)
    revision = respond.view(visit, sid, unit).answer.revision
    raw = {"q1": "佐々木", "q2": "12", "q3": [{"file_id": f.file_id, "name": f.name} for f in files]}
    return respond.save(visit, sid, unit, raw, revision)


def test_an_outside_organisation_uploads_through_the_partner_path_and_the_issuer_gets_the_file(
    issuer: Any, published: list[Any]
) -> None:
    from chalicelib.files import entries as files
    from chalicelib.files import versions as file_versions

    survey = _issued(issuer, FILE_FORM)  # issuing no longer refuses file questions for outside organisations
    visit = partner.visit(_through(KITAMI))
    sid, unit = respond.own_answer(visit)
    sent = _send(visit, "避難所一覧.xlsx", b"xlsx bytes")
    assert sent.scan_status == "pending"
    folder = files.get_entry(sent.parent_id)
    assert folder.space_id == f"dept:{survey.issuer_unit_id}" and folder.visibility == "private"
    (version,) = file_versions.versions(issuer, sent.file_id)
    assert version.partner_name == "北見市 企画課", "the organisation is recorded as the uploader"

    saved = _save(visit, [sent])
    with pytest.raises(Conflict) as waiting:
        respond.submit(visit, sid, unit, saved.answer.revision)
    assert waiting.value.details["file"] == "避難所一覧.xlsx"
    with pytest.raises(NotFound):  # not the issuer's until it reaches them
        answer_uploads.download_url(issuer, sid, unit, sent.file_id)

    assert _scan(published, sent.file_id) == "cleared"
    assert respond.file_url(visit, sent.file_id)  # its own file, once clean
    respond.submit(visit, sid, unit, saved.answer.revision)
    assert "attachment;" in unquote(answer_uploads.download_url(issuer, sid, unit, sent.file_id))

    other = partner.visit(_through(ABASHIRI))
    with pytest.raises(NotFound):
        respond.file_url(other, sent.file_id)
    with pytest.raises(NotFound):
        respond.start_upload(other, sid, unit, NewAnswerUpload(name="x.pdf", size=3))


def test_only_allowed_types_and_only_the_answers_own_files(issuer: Any, published: list[Any]) -> None:
    from chalicelib.files import upload_complete, upload_start

    _issued(issuer, FILE_FORM)
    visit = partner.visit(_through(KITAMI))
    with pytest.raises(BadRequest) as refused:
        _send(visit, "script.zzz", b"zzz")
    assert refused.value.details["field"] == "name"

    # A staff file id typed into the answer is refused: an organisation outside reads nothing in Kumo.
    ticket = upload_start.start(issuer, f"dept:{issuer.unit_id}", "内部資料.pdf", 3, "application/pdf")
    _s3().put_object(Bucket=_bucket(), Key=ticket.key, Body=b"pdf")
    internal = upload_complete.complete(issuer, ticket.upload_id)
    with pytest.raises(BadRequest) as foreign:
        _save(visit, [internal])
    assert foreign.value.details["file"] == "内部資料.pdf"
