"""Search rules without a server: who may find what, query building, synonyms, safe snippets."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest

from chalicelib.core.auth import Assignment, Post, Principal, Role
from chalicelib.core.errors import BadRequest
from chalicelib.core.event_catalogue import FileChanged, FileCleared, FileUploaded, ShareLinkCreated
from chalicelib.core.events import MalformedEvent
from chalicelib.files import policy
from chalicelib.search import documents, indexer, query, synonyms
from chalicelib.search.documents import MARK_END, MARK_START

# Places in the tree: 総務部 itself, its 財政課 (and 予算係 in it), 人事課 as a 兼務 from 健康福祉部.
PLACES = {
    "somu": (Assignment(("somu",)),),
    "kenko": (Assignment(("kenko",)),),
    "zaisei": (Assignment(("somu", "zaisei", "yosan"), Post.HEAD),),
    "kenmu": (Assignment(("kenko", "hoken")), Assignment(("somu", "jinji"), Post.COORDINATOR)),
}
PEOPLE = [
    Principal(f"{place}-{role.value}", "x", "x@example.jp", assignments[0].path[0], role, assignments)
    for (place, assignments), role in itertools.product(PLACES.items(), Role)
]
ITEMS = [
    policy.Item(space, owner, visibility)
    for space, owner, visibility in itertools.product(
        ("dept:somu", "dept:kenko", "dept:zaisei", "dept:yosan", "dept:jinji", "dept:hoken")
        + ("user:somu-member", "user:kenko-member"),
        ("somu-member", "kenko-member", "somu-dept_admin", "somu-system_admin"),
        policy.VISIBILITIES,
    )
]


@pytest.mark.parametrize("person", PEOPLE, ids=lambda p: p.staff_id)
def test_principals_match_can_read_for_every_role_space_and_visibility(person: Principal) -> None:
    held = set(documents.principals_of(person))
    for item in ITEMS:
        findable = bool(held & set(documents.principals_for(item)))
        assert findable == policy.can_read(person, item), (person, item)


def test_a_unit_member_finds_what_is_shared_with_their_units_and_those_above_not_beside() -> None:
    held = set(documents.principals_of(next(p for p in PEOPLE if p.staff_id == "zaisei-member")))
    assert {"dept:somu", "dept:zaisei", "dept:yosan"} <= held
    assert not held & {"dept:jinji", "dept:kenko", "deptadmin:somu"}
    kenmu = set(documents.principals_of(next(p for p in PEOPLE if p.staff_id == "kenmu-dept_admin")))
    assert {"dept:jinji", "dept:somu", "deptadmin:jinji", "deptadmin:hoken"} <= kenmu


def _all_filters(body: dict[str, Any]) -> list[dict[str, Any]]:
    return list(body["query"]["bool"]["filter"])


def test_every_query_carries_the_principals_filter_whatever_the_parameters() -> None:
    me = PEOPLE[0]
    for params in (
        {"q": "決裁"},
        {"q": ""},
        {"q": "x", "department": "kenko", "owner": "someone", "type": "pdf"},
        {"q": "x", "folder": "dept:kenko", "from": "2026-01-01", "to": "2026-12-31", "sort": "date"},
        {"q": "x", "principals": "all", "sysadmin": "1"},
    ):
        req = query.parse(params)
        body = query.build(req, documents.principals_of(me), ["承認"]).body
        filters = _all_filters(body)
        assert filters[-1] == {"terms": {"principals": documents.principals_of(me)}}
        assert "sysadmin" not in json.dumps(filters), "an unknown parameter adds nothing"
        assert body["_source"]["excludes"] == ["content", "principals"]
    with pytest.raises(ValueError):
        query.build(query.parse({"q": "x"}), [])
    with pytest.raises(ValueError):
        query.suggest_body("x", [])


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"page": "0"}, "page"),
        ({"page": "abc"}, "page"),
        ({"per_page": "51"}, "per_page"),
        ({"per_page": "50", "page": "201"}, "page"),
        ({"type": "exe"}, "exe"),
        ({"from": "2026/01/01"}, "from"),
        ({"from": "2026-02-01", "to": "2026-01-01"}, "start date"),
        ({"sort": "name"}, "relevance"),
        ({"q": "あ" * 201}, "too long"),
        ({"owner": "a b"}, "owner"),
        ({"folder": "../x"}, "folder"),
    ],
)
def test_bad_parameters_are_refused_with_a_message(params: dict[str, str], needle: str) -> None:
    with pytest.raises(BadRequest) as caught:
        query.parse(params)
    assert needle in caught.value.text()


def test_date_filters_cover_whole_days_in_japan_time() -> None:
    req = query.parse({"q": "x", "from": "2026-04-01", "to": "2026-04-30"})
    span = next(f["range"]["updated_at"] for f in _all_filters(query.build(req, ["all"]).body) if "range" in f)
    assert span == {"gte": "2026-04-01T00:00:00+09:00", "lt": "2026-05-01T00:00:00+09:00"}


def test_the_bigram_field_needs_most_of_the_query_and_weighs_little() -> None:
    should = query.build(query.parse({"q": "電子決裁"}), ["all"]).body["query"]["bool"]["should"]
    matches = [c["multi_match"] for c in should if "multi_match" in c]
    bigram = next(m for m in matches if "content.bigram" in m["fields"])
    words = next(m for m in matches if "content" in m["fields"])
    assert bigram["minimum_should_match"] == "75%" and bigram["boost"] < words["boost"]
    assert any("name^4" in f for f in words["fields"]), "file names weigh more than content"


def test_synonym_lists_parse_and_expand_the_query() -> None:
    groups = synonyms.parse("パソコン, PC\n# comment\n決裁、承認\n\n照会，問い合わせ")
    assert groups == (("パソコン", "PC"), ("決裁", "承認"), ("照会", "問い合わせ"))
    assert synonyms.expansions("ＰＣの更新", groups) == ["パソコンの更新"]
    assert synonyms.expansions("電子決裁の手順", groups) == ["電子承認の手順"]
    assert synonyms.expansions("会議", groups) == []
    for bad in ("パソコン", "a," + ",".join(str(i) for i in range(25)), "a, " + "b" * 51):
        with pytest.raises(BadRequest):
            synonyms.parse(bad)


def test_snippets_escape_the_document_and_mark_only_the_matches() -> None:
    from chalicelib.search.service import marked

    fragment = f'<script>alert(1)</script> {MARK_START}決裁{MARK_END} <img src=x onerror="y">'
    html = str(marked(fragment))
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "<mark>決裁</mark>" in html
    assert documents.clean_text(f"a{MARK_START}b{MARK_END}\x00c") == "abc", "a document cannot forge markers"


def test_the_indexer_reads_file_ids_from_every_event_shape() -> None:
    s3_event = {
        "Records": [
            {"eventName": "ObjectRemoved:Delete", "s3": {"object": {"key": "spaces/dept%3Asomu/fi_1/v00000002"}}},
            {"eventName": "ObjectCreated:Copy", "s3": {"object": {"key": "spaces/dept%3Asomu/fi_5/v00000001"}}},
            {"eventName": "ObjectCreated:Post", "s3": {"object": {"key": "uploads/up_1"}}},
            {
                "eventName": "ObjectRemoved:Delete",
                "s3": {"object": {"key": "quarantine/spaces/dept:somu/fi_9/v00000001"}},
            },
        ]
    }
    assert indexer.file_ids_in(s3_event) == (["fi_1"], [])
    folder = FileChanged(file_id="fo_1", kind="folder", space_id="dept:somu", change="moved")
    assert indexer.file_ids_in(folder.event().as_delivered()) == ([], ["fo_1"])
    cleared = FileCleared(
        file_id="fi_2",
        version=1,
        name="a.txt",
        space_id="dept:somu",
        folder_id="fo_1",
        owner_id="u",
        current=True,
        scanner="local",
        s3_key="spaces/dept:somu/fi_2/v00000001",
    )
    assert indexer.file_ids_in(cleared.event().as_delivered()) == (["fi_2"], [])
    uploaded = FileUploaded(
        file_id="fi_4",
        name="b.txt",
        space_id="dept:somu",
        folder_id="fo_1",
        version=1,
        size=3,
        uploaded_by="u",
        by_partner=False,
    )
    assert indexer.file_ids_in(uploaded.event().as_delivered()) == (["fi_4"], [])
    assert indexer.file_ids_in({"Event": "s3:TestEvent"}) == ([], [])
    link = ShareLinkCreated(
        link_id="ln_1",
        kind="download",
        target_id="fi_3",
        owner_id="u",
        space_id="dept:somu",
        expires_at="2026-12-01T00:00:00+00:00",
    )
    assert indexer.file_ids_in(link.event().as_delivered()) == ([], [])
    # A file event without its file id is not silently ignored: it is retried, then rests in the DLQ.
    with pytest.raises(MalformedEvent, match="file_id"):
        indexer.file_ids_in({"source": "kumo.files", "detail-type": "FileUploaded", "detail": {"name": "b.txt"}})


def test_search_says_503_when_the_search_server_is_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.core import config
    from chalicelib.search import client, service

    monkeypatch.setenv("KUMO_SEARCH_URL", "http://127.0.0.1:9")  # nothing listens on the discard port
    config.settings.cache_clear()
    client.client.cache_clear()
    monkeypatch.setattr(synonyms, "groups", lambda: synonyms.DEFAULT_GROUPS)
    try:
        with pytest.raises(client.SearchUnavailable) as caught:
            service.search(PEOPLE[0], {"q": "決裁"})
        assert caught.value.status == 503 and "unavailable" in caught.value.text()
    finally:
        config.settings.cache_clear()
        client.client.cache_clear()


def test_the_api_role_gets_read_only_access_inside_opensearch() -> None:
    from chalicelib.search import index

    permissions = index.api_role_permissions()
    (grant,) = permissions["index_permissions"]
    assert grant["index_patterns"] == [f"{index.alias()}*"]
    assert all(a.startswith(("read", "indices:data/read")) for a in grant["allowed_actions"])
    assert permissions["cluster_permissions"] == ["cluster_composite_ops_ro"]
    assert index.ensure_api_access(None) is False  # nothing to map without the role (and locally)


def test_adjacent_matches_read_as_one_highlight() -> None:
    from chalicelib.search.service import marked

    html = str(marked(f"{MARK_START}クラ{MARK_END}{MARK_START}ウド{MARK_END}で共有"))
    assert html == "<mark>クラウド</mark>で共有"
