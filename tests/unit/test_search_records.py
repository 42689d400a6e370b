"""Records beside files in search, without a server: what a record's document may say, the kind
filter and facet, how a hit reads, and the page that shows it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.core.errors import BadRequest
from chalicelib.search import query, records, reindex, service
from chalicelib.search.records import Record

WHEN = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
SURVEY = Record(
    kind="survey",
    doc_id="survey:sv_1",
    version=3,
    title="公用車の利用状況調査",
    text="総第12号\n各課の公用車の台数を回答してください。",
    principals=("dept:somu-kikaku", "dept:kenko-hoken"),
    link="/surveys/sv_1",
    updated_at=WHEN,
    department_id="somu",
    unit_id="somu-kikaku",
    number="総第12号",
)


def test_a_record_document_carries_its_kind_link_and_who_may_find_it() -> None:
    doc = records.document(replace(SURVEY, principals=("dept:b", "dept:a", "dept:b")))
    assert doc["kind"] == "survey" and doc["link"] == "/surveys/sv_1"
    assert doc["principals"] == ["dept:a", "dept:b"], "sorted, each once"
    assert doc["name"] == "公用車の利用状況調査" and "台数" in doc["content"]
    assert doc["number"] == "総第12号" and doc["unit_id"] == "somu-kikaku"
    assert "owner_id" not in doc, "an empty facet is left out, not indexed as an empty value"


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"kind": "file"}, "kind"),
        ({"kind": "project"}, "kind"),
        ({"doc_id": "sv_1"}, "start with"),
        ({"doc_id": "answer:sv_1:somu"}, "start with"),
        ({"principals": ()}, "principals"),
        ({"link": "https://example.com/x"}, "link"),
        ({"link": "//example.com/x"}, "link"),
    ],
)
def test_a_record_that_could_be_misread_is_refused(change: dict[str, Any], needle: str) -> None:
    with pytest.raises(ValueError, match=needle):
        records.document(replace(SURVEY, **change))


def test_a_record_cannot_forge_highlight_markers() -> None:
    doc = records.document(replace(SURVEY, title="a\ue000b\ue001c", text="x\ue000y"))
    assert doc["name"] == "abc" and doc["content"] == "xy"


def test_removing_a_record_never_touches_a_files_document() -> None:
    with pytest.raises(ValueError):
        records.remove_record("fi_123")


def test_the_kind_filter_and_facet() -> None:
    def filters(params: dict[str, str]) -> list[dict[str, Any]]:
        return list(query.build(query.parse(params), ["all"]).body["query"]["bool"]["filter"])

    assert {"term": {"kind": "answer"}} in filters({"q": "x", "kind": "answer"})
    as_file = filters({"q": "x", "kind": "file"})[0]
    assert as_file == {"bool": {"must_not": [{"terms": {"kind": ["survey", "answer", "card"]}}]}}, (
        "files indexed before kinds existed count as files"
    )
    assert filters({"q": "x", "kind": "file"})[-1] == {"terms": {"principals": ["all"]}}
    assert query.parse({"kind": "survey"}).has_filters
    with pytest.raises(BadRequest):
        query.parse({"q": "x", "kind": "project"})
    body = query.build(query.parse({"q": "x"}), ["all"]).body
    assert body["aggs"]["kind"] == {"terms": {"field": "kind", "size": 4}}
    suggest_filters = query.suggest_body("公用", ["all"])["query"]["bool"]["filter"]
    assert as_file in suggest_filters, "suggestions complete file names only"


def test_hits_say_what_they_are_and_where_they_open() -> None:
    survey_hit = service._hit(
        {
            "_id": "survey:sv_1",
            "_source": {k: v for k, v in records.document(SURVEY).items() if k not in ("content", "principals")},
            "highlight": {"content": ["各課の\ue000公用車\ue001の台数"]},
        }
    )
    assert (survey_hit.kind, survey_hit.link, survey_hit.file_id) == ("survey", "/surveys/sv_1", "survey:sv_1")
    assert survey_hit.number == "総第12号" and not survey_hit.is_file
    assert "<mark>公用車</mark>" in str(survey_hit.snippet_html)
    old_file = service._hit({"_id": "fi_1", "_source": {"file_id": "fi_1", "name": "a.txt"}})
    assert (old_file.kind, old_file.link) == ("file", "/files/fi_1") and old_file.is_file


def test_the_reindex_report_leads_with_the_file_count() -> None:
    report = reindex.ReindexReport("idx", 12, 1, 0, [], 1.5, {"survey": 2, "answer": 5})
    text = report.describe()
    assert text.split()[0] == "12", "scripts read the first number as the files indexed"
    assert "2 survey records" in text and "5 answer records" in text


def _page(hit: service.Hit, language: str = "ja") -> str:
    from chalicelib.core import templating
    from chalicelib.search import pages

    result = service.SearchResult(
        request=query.parse({"q": "公用車"}),
        total=1,
        hits=[hit],
        facets={"kind": [service.Facet("survey", 1)], "department": [], "type": [], "owner": []},
        expansions=[],
        took_ms=1,
    )
    return templating.render(
        "search.html",
        language,
        params={"q": "公用車"},
        link=pages.link,
        file_types=query.FILE_TYPES,
        kinds=records.KINDS,
        human_size=lambda n: f"{n} B",
        sorts=query.SORTS,
        result=result,
        error=None,
        names={"department": {}, "owner": {}, "unit": {"somu-kikaku": "企画課"}},
        folder_name=None,
        areas=(),
        principal=None,
        csrf_token="t",
    )


def test_the_results_page_labels_a_survey_and_links_to_it() -> None:
    hit = service._hit({"_id": "survey:sv_1", "_source": records.document(SURVEY)})
    html = _page(hit)
    assert '<span class="kind-label" data-testid="kind-label">照会</span>' in html
    assert 'href="/surveys/sv_1"' in html and "照会元: 企画課" in html and "総第12号" in html
    assert 'href="/search?q=%E5%85%AC%E7%94%A8%E8%BB%8A&amp;kind=survey"' in html, "the kind facet narrows"
    answer = records.document(
        replace(SURVEY, kind="answer", doc_id="answer:sv_1:kenko-hoken", link="/surveys/sv_1/answers/kenko-hoken")
    )
    answer_hit = service._hit({"_id": "answer:sv_1:kenko-hoken", "_source": {**answer, "unit_id": "somu-kikaku"}})
    html = _page(answer_hit)
    assert ">回答</span>" in html and "企画課 の回答" in html
    assert 'href="/surveys/sv_1/answers/kenko-hoken"' in html and "/files/" not in html
