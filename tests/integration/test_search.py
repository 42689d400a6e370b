"""Search through the real path: presigned upload -> S3 event -> index queue -> indexer -> /api/search.

Each test works in a folder of its own and filters on it (or on words only it uses), so tests
share the stack without seeing each other's files.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests

from chalicelib.search import synonyms
from tests.conftest import eventually
from tests.integration.test_files import _api, _folder, upload
from tests.support.stack import RunningStack

pytestmark = pytest.mark.integration
Signed = Callable[[str], requests.Session]


def search(session: requests.Session, stack: RunningStack, **params: Any) -> dict[str, Any]:
    response = session.get(f"{stack.base_url}/api/search", params=params, timeout=30)
    assert response.status_code == 200, response.text
    return dict(response.json())


def ids(result: dict[str, Any]) -> list[str]:
    return [item["id"] for item in result["items"]]


def found(session: requests.Session, stack: RunningStack, file_id: str, **params: Any) -> dict[str, Any]:
    """Wait until the file is in the results (indexing is asynchronous), and return its hit."""

    def check() -> dict[str, Any] | None:
        return next((i for i in search(session, stack, **params)["items"] if i["id"] == file_id), None)

    return dict(eventually(check, timeout_s=30))


def gone(session: requests.Session, stack: RunningStack, file_id: str, **params: Any) -> None:
    eventually(lambda: file_id not in ids(search(session, stack, **params)), timeout_s=30)


def text_file(
    session: requests.Session, stack: RunningStack, folder: str, name: str, text: str, content_type: str = "text/plain"
) -> str:
    done = upload(session, stack, folder, name, text.encode(), content_type=content_type)
    assert done.status_code == 201, done.text
    return str(done.json()["id"])


def test_japanese_words_verb_forms_and_english_find_the_file_with_a_highlight(
    stack: RunningStack, signed_in: Signed
) -> None:
    me = signed_in("yamada.k")
    folder = _folder(me, stack, "dept:somu")
    file_id = text_file(
        me,
        stack,
        folder,
        "決裁運用メモ.txt",
        "今年度から電子決裁を全庁で導入します。起案文書は期限までに提出しました。\n"
        "The deadline for the migration is the end of March.\n",
    )
    other = text_file(me, stack, folder, "出張報告.txt", "出張の旅費精算について報告する。")

    hit = found(me, stack, file_id, q="電子決裁", folder=folder)
    assert "<mark>" in hit["snippet_html"] and "決裁" in hit["snippet_html"]
    assert hit["path"].endswith(hit["path"].split("/")[-1]) and hit["department_id"] == "somu"
    assert ids(search(me, stack, q="電子決裁", folder=folder)) == [file_id], "the trip report does not mention it"
    # 「提出する」 finds 「提出しました」: the dictionary form of a conjugated verb.
    assert ids(search(me, stack, q="提出する", folder=folder)) == [file_id]
    assert "<mark>deadline</mark>" in found(me, stack, file_id, q="Deadline", folder=folder)["snippet_html"].lower()
    # File names are searchable too, and a name match carries its own highlight.
    named = found(me, stack, other, q="出張報告", folder=folder)
    assert "<mark>" in named["name_html"]


def test_a_whole_word_ranks_above_a_shared_two_character_fragment(stack: RunningStack, signed_in: Signed) -> None:
    me = signed_in("yamada.k")
    folder = _folder(me, stack, "dept:somu")
    fragment = text_file(me, stack, folder, "a.txt", "東京都の会議室を予約した。東京都の担当者と調整する。")
    word = text_file(me, stack, folder, "b.txt", "京都の会議室を予約した。")
    found(me, stack, fragment, q="会議室", folder=folder)
    found(me, stack, word, q="会議室", folder=folder)
    ranked = ids(search(me, stack, q="京都", folder=folder))
    assert ranked and ranked[0] == word, f"「京都」 as a word must come first: {ranked}"


def test_no_query_shape_returns_a_file_the_person_may_not_open(stack: RunningStack, signed_in: Signed) -> None:
    owner = signed_in("yamada.k")
    word = f"極秘案件{uuid.uuid4().hex[:6]}"
    folder = _folder(owner, stack, "dept:somu", visibility="private")
    private = text_file(owner, stack, folder, f"{word}.txt", f"{word} の人事資料。電子決裁で回付する。")
    found(owner, stack, private, q=word)
    assert found(signed_in("tanaka.h"), stack, private, q=word), "the department's admin sees its space"
    assert found(signed_in("admin"), stack, private, q=word), "system admins see everything"
    for outsider in ("kondo.m", "kimura.t", "inoue.a"):  # same department, other department, other dept's admin
        session = signed_in(outsider)
        for params in (
            {"q": word},
            {"q": word, "department": "somu"},
            {"q": word, "owner": "yamada.k"},
            {"q": word, "folder": folder},
            {"q": word, "principals": "all"},
            {"q": f'{word}" OR principals:*'},
            {"q": "", "owner": "yamada.k", "sort": "date"},
            {"q": word, "per_page": "50", "page": "2"},
        ):
            result = search(session, stack, **params)
            assert private not in ids(result), f"{outsider} found a private file with {params}"
        suggestions = session.get(f"{stack.base_url}/api/search/suggest", params={"q": word[:4]}, timeout=30).json()
        assert private not in [s["file_id"] for s in suggestions["items"]]
    # Widening the folder widens the file only once it is set: then the department finds it.
    response = _api(owner, stack, "PATCH", f"/api/files/{private}", json={"visibility": "department"})
    assert response.status_code == 200, response.text
    assert response.json()["visibility"] == "private", "the private folder still clamps the file"
    _api(owner, stack, "PATCH", f"/api/files/{folder}", json={"visibility": "department"})
    _api(owner, stack, "PATCH", f"/api/files/{private}", json={"visibility": "department"})
    found(signed_in("kondo.m"), stack, private, q=word)
    assert private not in ids(search(signed_in("kimura.t"), stack, q=word))


def test_bad_search_parameters_are_refused_clearly(stack: RunningStack, signed_in: Signed) -> None:
    me = signed_in("yamada.k")
    for params, needle in (
        ({"q": "x", "page": "0"}, "page"),
        ({"q": "x", "per_page": "500"}, "per_page"),
        ({"q": "x", "type": "exe"}, "exe"),
        ({"q": "x", "from": "yesterday"}, "from"),
        ({"q": "x", "sort": "name"}, "relevance"),
        ({"q": "x" * 201}, "200"),
        ({"q": "x", "department": 'somu" OR *'}, "department"),
    ):
        response = me.get(f"{stack.base_url}/api/search", params=params, timeout=30)
        assert response.status_code == 400 and needle in response.text, (params, response.text)
    anonymous = requests.get(f"{stack.base_url}/api/search", params={"q": "決裁"}, timeout=30)
    assert anonymous.status_code == 401


def test_trash_removes_a_file_from_results_and_restore_brings_it_back(stack: RunningStack, signed_in: Signed) -> None:
    me = signed_in("yamada.k")
    word = f"廃棄予定{uuid.uuid4().hex[:6]}"
    folder = _folder(me, stack, "dept:somu")
    file_id = text_file(me, stack, folder, "古い資料.txt", f"{word} クラウドへ移行済みの文書。")
    found(me, stack, file_id, q=word)
    assert _api(me, stack, "DELETE", f"/api/files/{file_id}").status_code in (200, 204)
    gone(me, stack, file_id, q=word)
    assert _api(me, stack, "POST", f"/api/files/{file_id}/restore").status_code == 200
    found(me, stack, file_id, q=word)
    # A folder moved to the trash takes its files out of search with it.
    assert _api(me, stack, "DELETE", f"/api/files/{folder}").status_code in (200, 204)
    gone(me, stack, file_id, q=word)


def test_rename_and_new_version_are_reflected(stack: RunningStack, signed_in: Signed) -> None:
    me = signed_in("yamada.k")
    folder = _folder(me, stack, "dept:somu")
    first, second = f"初版語{uuid.uuid4().hex[:5]}", f"改訂語{uuid.uuid4().hex[:5]}"
    file_id = text_file(me, stack, folder, "要領.txt", f"{first} の説明。")
    found(me, stack, file_id, q=first)
    again = text_file(me, stack, folder, "要領.txt", f"{second} の説明。")
    assert again == file_id, "the same name makes a new version of the same file"
    found(me, stack, file_id, q=second)
    gone(me, stack, file_id, q=first)
    renamed = _api(me, stack, "PATCH", f"/api/files/{file_id}", json={"name": "事務処理要領_改訂.txt"})
    assert renamed.status_code == 200, renamed.text
    found(me, stack, file_id, q="事務処理要領", folder=folder)


def test_synonyms_edited_by_an_admin_apply_at_search_time(stack: RunningStack, signed_in: Signed) -> None:
    admin, member = signed_in("admin"), signed_in("yamada.k")
    a, b = f"ほげ端末{uuid.uuid4().hex[:4]}", f"ふが機器{uuid.uuid4().hex[:4]}"
    folder = _folder(member, stack, "dept:somu")
    file_id = text_file(member, stack, folder, "機器台帳.txt", f"{b} の貸出台帳。")
    found(member, stack, file_id, q=b)
    assert file_id not in ids(search(member, stack, q=a))
    refused = member.put(f"{stack.base_url}/api/search/synonyms", json={"groups": [[a, b]]}, timeout=30)
    assert refused.status_code == 403
    groups = admin.get(f"{stack.base_url}/api/search/synonyms", timeout=30).json()["groups"]
    assert ["パソコン", "PC", "パーソナルコンピュータ"] in groups or any("パソコン" in g for g in groups)
    saved = admin.put(f"{stack.base_url}/api/search/synonyms", json={"groups": [*groups, [a, b]]}, timeout=30)
    assert saved.status_code == 200, saved.text

    # Each web worker (each Lambda container in AWS) keeps the groups for CACHE_SECONDS: the
    # member's requests may reach one that read them before the edit.
    def expanded() -> dict[str, Any] | None:
        result = search(member, stack, q=a)
        return result if file_id in ids(result) else None

    assert eventually(expanded, timeout_s=synonyms.CACHE_SECONDS + 15, interval_s=1)["expanded_with"]


def test_file_names_are_suggested_as_you_type(stack: RunningStack, signed_in: Signed) -> None:
    me = signed_in("yamada.k")
    stem = f"予算要求資料{uuid.uuid4().hex[:4]}"
    folder = _folder(me, stack, "dept:somu")
    file_id = text_file(me, stack, folder, f"{stem}.txt", "令和九年度の予算。")
    found(me, stack, file_id, q=stem)

    def suggested() -> bool:
        got = me.get(f"{stack.base_url}/api/search/suggest", params={"q": stem[:4]}, timeout=30).json()
        return file_id in [s["file_id"] for s in got["items"]]

    eventually(suggested, timeout_s=10)


def test_reindex_rebuilds_the_index_and_switches_without_losing_results(stack: RunningStack, signed_in: Signed) -> None:
    me = signed_in("yamada.k")
    word = f"再索引{uuid.uuid4().hex[:6]}"
    folder = _folder(me, stack, "dept:somu")
    file_id = text_file(
        me, stack, folder, "索引テスト.md", f"# 見出し\n\n{word} は Markdown の本文。", content_type="text/markdown"
    )
    found(me, stack, file_id, q=word)
    done = stack.kumo("reindex", check=True)
    assert "documents in" in done.stdout, done.stdout
    found(me, stack, file_id, q=word)


def test_an_unreadable_file_is_found_by_name_and_says_why_its_text_is_not(
    stack: RunningStack, signed_in: Signed
) -> None:
    me = signed_in("yamada.k")
    stem = f"壊れた報告書{uuid.uuid4().hex[:5]}"
    folder = _folder(me, stack, "dept:somu")
    done = upload(
        me,
        stack,
        folder,
        f"{stem}.pdf",
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage",
        content_type="application/pdf",
    )
    assert done.status_code == 201, done.text
    file_id = done.json()["id"]
    hit = found(me, stack, file_id, q=stem)
    assert hit["content_status"] == "not_searchable"
    note = eventually(lambda: _api(me, stack, "GET", f"/api/files/{file_id}").json().get("search_note"))
    assert note == "corrupt"
    page = me.get(f"{stack.base_url}/files/{file_id}", timeout=30)
    assert 'data-testid="search-note"' in page.text, "the owner sees why the text is not searchable"


def test_a_late_or_repeated_event_never_brings_back_a_trashed_file(stack: RunningStack, signed_in: Signed) -> None:
    me = signed_in("yamada.k")
    word = f"亡霊{uuid.uuid4().hex[:6]}"
    folder = _folder(me, stack, "dept:somu")
    file_id = text_file(me, stack, folder, "旧版.txt", f"{word} の記録。")
    found(me, stack, file_id, q=word)
    assert _api(me, stack, "DELETE", f"/api/files/{file_id}").status_code in (200, 204)
    gone(me, stack, file_id, q=word)
    # The upload's event delivered again, late, as SQS may: the indexer reads the file's state.
    bus = next(b["Name"] for b in stack.boto3("events").list_event_buses()["EventBuses"] if b["Name"] != "default")
    stack.boto3("events").put_events(
        Entries=[
            {
                "Source": "kumo.files",
                "DetailType": "FileUploaded",
                "EventBusName": bus,
                "Detail": json.dumps({"file_id": file_id, "event_id": str(uuid.uuid4()), "version": 1}),
            }
        ]
    )
    marker = text_file(me, stack, folder, "目印.txt", f"{word}目印 の記録。")
    found(me, stack, marker, q=f"{word}目印")  # the queue has moved past the replayed event
    assert file_id not in ids(search(me, stack, q=word))


CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".md": "text/markdown",
    ".html": "text/html",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def test_every_format_of_the_corpus_is_found_by_its_own_words(
    stack: RunningStack, signed_in: Signed, tmp_path: Any
) -> None:
    """PDF, Word, Excel, PowerPoint, Shift_JIS/EUC-JP text, CSV, Markdown and HTML, uploaded as a
    browser does and found through /api/search: 電子決裁, 照会, クラウド in all of them; each
    document's own words put it first, highlighted; its verb form and English word find it."""
    from tests import corpus

    me = signed_in("ogata.r")
    folder = _folder(me, stack, "dept:digital")
    paths = corpus.build(tmp_path)
    file_ids: dict[str, str] = {}
    for key, doc in corpus.CORPUS.items():
        data = paths[key].read_bytes()
        done = upload(
            me,
            stack,
            folder,
            doc.filename,
            data,
            content_type=CONTENT_TYPES.get(paths[key].suffix, "application/octet-stream"),
        )
        assert done.status_code == 201, done.text
        file_ids[key] = done.json()["id"]
    for key, file_id in file_ids.items():
        found(me, stack, file_id, q=corpus.CORPUS[key].found_by[0], folder=folder)
    for word in corpus.COMMON_WORDS:
        result = search(me, stack, q=word, folder=folder, per_page=50)
        assert set(ids(result)) == set(file_ids.values()), f"{word} must find every format"
    for key, doc in corpus.CORPUS.items():
        for word in (*doc.found_by, doc.english):
            result = search(me, stack, q=word, folder=folder)
            assert file_ids[key] in ids(result), (key, word)
            if word in doc.found_by:  # its own word puts it first (a compound's parts may match others lower)
                assert ids(result)[0] == file_ids[key], (key, word, [i["name"] for i in result["items"]])
                hit = result["items"][0]
                assert "<mark>" in hit["snippet_html"] + hit["name_html"], (key, word)
        # The conjugated form is found by its dictionary form's stem as written in the text.
        assert file_ids[key] in ids(search(me, stack, q=doc.verb_form, folder=folder)), (key, doc.verb_form)


def test_a_partner_with_a_link_has_no_search(stack: RunningStack, signed_in: Signed) -> None:
    from tests.integration.test_sharing import Partner, _share

    owner = signed_in("tanaka.h")
    word = f"共有資料{uuid.uuid4().hex[:6]}"
    folder = _folder(owner, stack, "dept:somu")
    file_id = text_file(owner, stack, folder, "共有仕様.txt", f"{word} の仕様。")
    found(owner, stack, file_id, q=word)
    partner = Partner(stack, _share(owner, stack, folder)["url"])
    assert partner.open().status_code == 200
    assert partner.call("GET", "/folder").status_code == 200, "the partner is in"
    for path in ("/api/search", "/api/search/suggest"):
        response = partner.http.get(f"{stack.base_url}{path}", params={"q": word}, timeout=30)
        assert response.status_code == 401 and word not in response.text
    page = partner.http.get(f"{stack.base_url}/search", params={"q": word}, timeout=30, allow_redirects=False)
    assert page.status_code in (302, 303) and "/login" in page.headers["Location"]


def test_renaming_a_big_folder_updates_every_file_below_it(stack: RunningStack, signed_in: Signed) -> None:
    """More files than one message should carry (indexer.FAN_OUT_ABOVE): one message per file."""
    from chalicelib.search.indexer import FAN_OUT_ABOVE

    me = signed_in("yamada.k")
    word = f"大量{uuid.uuid4().hex[:6]}"
    folder = _folder(me, stack, "dept:somu")
    inner = _api(me, stack, "POST", f"/api/folders/{folder}/folders", json={"name": "内側"}).json()["id"]
    count = FAN_OUT_ABOVE + 5
    made = [
        text_file(me, stack, inner if i % 2 else folder, f"資料{i:02d}.txt", f"{word} 第{i}号。") for i in range(count)
    ]
    eventually(lambda: search(me, stack, q=word, folder=folder, per_page=50)["total"] == count, timeout_s=60)
    new_name = f"改名後{uuid.uuid4().hex[:4]}"
    assert _api(me, stack, "PATCH", f"/api/files/{folder}", json={"name": new_name}).status_code == 200

    def all_moved() -> bool:
        items = search(me, stack, q=word, folder=folder, per_page=50)["items"]
        return len(items) == count and all(i["path"].startswith(f"/{new_name}") for i in items)

    eventually(all_moved, timeout_s=60)
    assert {i["id"] for i in search(me, stack, q=word, folder=folder, per_page=50)["items"]} == set(made)
