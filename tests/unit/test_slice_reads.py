"""What one slice reads of another through its services: files for search, names from directory."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.core.auth import Principal, Role

OWNER = Principal("yamada.k", "山田 健一", "yamada.k@pref.example.lg.jp", "somu", Role.MEMBER)


@pytest.fixture
def world(aws_mock: None) -> None:
    from chalicelib.directory import service as directory
    from chalicelib.directory.service import Staff
    from chalicelib.local import demo

    for department in demo.DEPARTMENTS:
        directory.save_department(department)
    directory.save_staff(Staff(OWNER.staff_id, OWNER.display_name, OWNER.email, "somu", Role.MEMBER))


def _stored_file(folder_id: str, name: str, data: bytes) -> str:
    from chalicelib.core import aws
    from chalicelib.core.config import settings
    from chalicelib.files import upload_complete, upload_start

    ticket = upload_start.start(OWNER, folder_id, name, len(data), "text/plain")
    aws.client("s3").put_object(Bucket=settings().files_bucket, Key=ticket.key, Body=data)
    return upload_complete.complete(OWNER, ticket.upload_id).file_id


def test_search_sees_a_file_only_while_every_folder_above_it_is_active(world: None) -> None:
    from chalicelib.files import folders, search_feed, trash, versions

    outer = folders.create_folder(OWNER, "dept:somu", "外")
    inner = folders.create_folder(OWNER, outer.file_id, "内")
    file_id = _stored_file(inner.file_id, "報告.txt", b"x")
    entry = search_feed.current_entry(file_id)
    assert entry is not None and entry.version == 1
    above = search_feed.active_folders_above(entry)
    assert [f.name for f in above or []] == ["外", "内"]
    assert versions.stored_object_key(file_id, 1) and versions.stored_object_key(file_id, 2) is None
    assert list(search_feed.descendant_file_ids(outer.file_id)) == [file_id]

    trash.trash(OWNER, outer.file_id)
    assert search_feed.active_folders_above(entry) is None, "under a trashed folder: not findable"
    assert search_feed.current_entry("fi_missing") is None


def test_a_search_note_is_kept_only_for_the_version_that_was_read(world: None) -> None:
    from chalicelib.files import entries, search_feed

    file_id = _stored_file("dept:somu", "暗号.txt", b"x")
    assert search_feed.record_search_note(file_id, 1, "encrypted")
    assert entries.get_entry(file_id).search_note == "encrypted"
    assert not search_feed.record_search_note(file_id, 2, "corrupt"), "version 2 was never read"
    assert entries.get_entry(file_id).search_note == "encrypted"
    assert search_feed.record_search_note(file_id, 1, None)
    assert entries.get_entry(file_id).search_note is None


def test_the_files_below_a_very_deep_folder_are_found_without_recursion(world: None) -> None:
    from chalicelib.files import policy
    from chalicelib.files.storage import FileRecord, bind
    from chalicelib.search import indexer

    bind()
    when = datetime.now(UTC)
    depth = policy.WALK_LIMIT - 1  # as deep as any walk goes (a tree made before the depth limit)
    with FileRecord.batch_write() as batch:
        parent = "dept:somu"
        for n in range(depth):
            folder = f"fo_{n:04d}"
            batch.save(
                FileRecord(
                    folder,
                    kind="folder",
                    name=folder,
                    name_key=folder,
                    parent_id=parent,
                    space_id="dept:somu",
                    owner_id=OWNER.staff_id,
                    visibility="department",
                    created_at=when,
                    updated_at=when,
                )
            )
            parent = folder
        batch.save(
            FileRecord(
                "fi_deep",
                kind="file",
                name="底.txt",
                name_key="底.txt",
                parent_id=parent,
                space_id="dept:somu",
                owner_id=OWNER.staff_id,
                visibility="department",
                created_at=when,
                updated_at=when,
            )
        )
    assert list(indexer.descendant_files("fo_0000")) == ["fi_deep"]


def test_display_and_department_names_come_from_the_directory(world: None) -> None:
    from chalicelib.directory import service as directory

    assert directory.display_names(["yamada.k", "gone.x", "yamada.k"]) == {"yamada.k": "山田 健一", "gone.x": "gone.x"}
    assert directory.department_name("somu", "ja") == "総務部"
    assert directory.department_name("no-such-department", "ja") == "no-such-department"


def test_an_error_page_belongs_to_its_path_and_below_not_to_every_path_that_starts_alike() -> None:
    from chalicelib.core import error_pages
    from chalicelib.sharing import pages
    from chalicelib.shell import pages as shell

    assert error_pages.renderer_for("/s") is pages.error_page
    assert error_pages.renderer_for("/s/view") is pages.error_page
    assert error_pages.renderer_for("/search") is shell.error_page
    assert error_pages.renderer_for("/shares/l_1") is shell.error_page
