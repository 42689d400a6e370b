"""The folder tree on in-process moto: reachability through the trash, loops, depth, walks without recursion."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.core.auth import Principal, Role
from chalicelib.core.errors import BadRequest, Conflict, NotFound

OWNER = Principal("yamada.k", "山田 健一", "yamada.k@pref.example.lg.jp", "somu", Role.MEMBER)
SPACE = "dept:somu"


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


def _chain(levels: int, parent_id: str = SPACE, prefix: str = "l") -> list[str]:
    """A straight line of folders written directly (fast), as old data or the API would leave it."""
    from chalicelib.files import entries
    from chalicelib.files.storage import FileNameRecord, FileRecord, bind

    bind()
    ids: list[str] = []
    when = datetime.now(UTC)
    for n in range(1, levels + 1):
        folder_id = entries.new_id("fo")
        name = f"{prefix}{n}"
        FileRecord(
            folder_id,
            kind="folder",
            name=name,
            name_key=name,
            parent_id=parent_id,
            space_id=SPACE,
            owner_id=OWNER.staff_id,
            visibility="department",
            size=0,
            version=0,
            status="active",
            created_at=when,
            updated_at=when,
        ).save()
        FileNameRecord(parent_id, name, file_id=folder_id).save()
        ids.append(folder_id)
        parent_id = folder_id
    return ids


def _set_parent(file_id: str, parent_id: str) -> None:
    from chalicelib.files.storage import FileRecord

    FileRecord(file_id).update(actions=[FileRecord.parent_id.set(parent_id)])


def test_a_file_in_a_trashed_folder_is_out_of_reach_until_the_folder_is_restored(world: None) -> None:
    from chalicelib.files import access, changes, entries, folders, listing, trash, versions
    from chalicelib.files.storage import FileRecord
    from chalicelib.search import indexer

    top, inner = _chain(2)
    file_id = _stored_file(inner, "報告書.txt", b"report")
    assert [e.file_id for e in entries.lineage(entries.get_entry(file_id))] == [file_id, inner, top]
    trash.trash(OWNER, top)
    for reach in (
        lambda: access.readable(OWNER, file_id),
        lambda: access.readable(OWNER, inner),
        lambda: listing.list_folder(OWNER, inner),
        lambda: versions.versions(OWNER, file_id),
        lambda: changes.move(OWNER, file_id, SPACE),
        lambda: folders.create_folder(OWNER, inner, "新規"),
    ):
        with pytest.raises(NotFound):
            reach()
    assert entries.get_entry(file_id).status == "active", "it is in the trash with its folder, not on its own"
    assert indexer._facts(FileRecord.get(file_id)) is None, "and the index leaves it out"  # noqa: SLF001

    trash.restore(OWNER, top)
    assert access.readable(OWNER, file_id).name == "報告書.txt"
    assert indexer._facts(FileRecord.get(file_id)) is not None  # noqa: SLF001


def test_an_item_restored_from_a_trashed_folder_goes_to_the_spaces_root(world: None) -> None:
    from chalicelib.files import access, trash

    top, inner = _chain(2)
    file_id = _stored_file(inner, "単独.txt", b"x")
    trash.trash(OWNER, file_id)
    trash.trash(OWNER, top)  # its folder's folder went to the trash after it
    restored = trash.restore(OWNER, file_id)
    assert restored.parent_id == SPACE and access.readable(OWNER, file_id).status == "active"


def test_a_loop_in_the_tree_is_unreachable_and_no_walk_follows_it_forever(world: None) -> None:
    from chalicelib.files import access, changes, entries, trash
    from chalicelib.files.storage import FileRecord
    from chalicelib.search import indexer

    a, b = _chain(2)
    file_id = _stored_file(b, "輪.txt", b"loop")
    _set_parent(a, b)  # what two racing moves could leave behind: a -> b -> a

    with pytest.raises(NotFound):
        access.readable(OWNER, file_id)
    with pytest.raises(NotFound):
        entries.lineage(entries.get_entry(file_id))
    assert indexer._facts(FileRecord.get(file_id)) is None  # noqa: SLF001
    assert list(indexer.descendant_files(a)) == [file_id]
    assert sorted(r.file_id for r in entries.descendants(a)) == sorted([b, file_id])
    changes._narrow_descendants(a, "private")  # noqa: SLF001
    assert FileRecord.get(file_id).visibility == "private"
    assert trash._delete_for_good(FileRecord.get(a)) == 3  # noqa: SLF001
    for gone in (a, b, file_id):
        with pytest.raises(NotFound):
            entries.get_entry(gone)


def test_walks_go_all_the_way_down_a_deep_tree(world: None) -> None:
    from chalicelib.files import archive, entries, trash
    from chalicelib.files.storage import FileRecord
    from chalicelib.search import indexer

    chain = _chain(40)
    deepest = _stored_file(chain[-1], "底.txt", b"bottom")
    hidden = _chain(1, chain[5])[0]
    _stored_file(hidden, "捨てた.txt", b"trashed with its folder")
    trash.trash(OWNER, hidden)

    found = archive.members(OWNER, entries.get_entry(chain[0]))
    below = list(indexer.descendant_files(chain[0]))
    records = list(entries.descendants(chain[0]))
    assert [m.path for m in found] == ["/".join(f"l{n}" for n in range(2, 41)) + "/底.txt"]
    assert deepest in below and len(below) == 2, "the index follows trashed folders too"
    assert len(records) == 39 + 1 + 2 and FileRecord.get(deepest).kind == "file"


def test_folders_nest_at_most_the_limit_on_create_and_on_move(world: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.files import changes, folders, policy

    monkeypatch.setattr(policy, "MAX_FOLDER_DEPTH", 4)
    parent = SPACE
    levels = []
    for n in range(4):
        parent = folders.create_folder(OWNER, parent, f"段{n}").file_id
        levels.append(parent)
    with pytest.raises(BadRequest, match="at most {limit} levels") as refused:
        folders.create_folder(OWNER, parent, "深すぎ")
    assert refused.value.details == {"limit": 4}
    with pytest.raises(BadRequest):
        folders.folder_for_path(OWNER, levels[2], ["a", "b"])

    pair = folders.create_folder(OWNER, SPACE, "二段").file_id
    folders.create_folder(OWNER, pair, "下")
    with pytest.raises(BadRequest, match="at most"):
        changes.move(OWNER, pair, levels[2])  # 3 + 2 levels
    assert changes.move(OWNER, pair, levels[1]).parent_id == levels[1]  # 2 + 2 levels


def test_a_folder_cannot_be_moved_below_itself_however_deep(world: None) -> None:
    from chalicelib.files import changes, entries

    chain = _chain(70)
    for target in (chain[0], chain[1], chain[63], chain[64], chain[-1]):
        with pytest.raises(BadRequest, match="into itself or into a folder inside it"):
            changes.move(OWNER, chain[0], target)
    assert [e.file_id for e in entries.lineage(entries.get_entry(chain[-1]))] == chain[::-1]


def test_two_moves_at_the_same_moment_cannot_close_a_loop(world: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.files import changes, entries

    a, b = _chain(1, prefix="a")[0], _chain(1, prefix="b")[0]
    real_height = changes._height  # noqa: SLF001
    raced: list[bool] = []

    def height_while_b_moves_into_a(folder_id: str, allowed: int) -> int:
        if not raced:  # between the first move's loop check and its write, the other move lands
            raced.append(True)
            changes.move(OWNER, b, a)
        return real_height(folder_id, allowed)

    monkeypatch.setattr(changes, "_height", height_while_b_moves_into_a)
    with pytest.raises(Conflict, match="at the same moment"):
        changes.move(OWNER, a, b)
    assert entries.get_entry(b).parent_id == a and entries.get_entry(a).parent_id == SPACE
    assert [e.file_id for e in entries.lineage(entries.get_entry(b))] == [b, a]


def test_a_move_onto_a_taken_name_says_so(world: None) -> None:
    from chalicelib.files import changes, folders

    a, c = _chain(1, prefix="a")[0], _chain(1, prefix="c")[0]
    folders.create_folder(OWNER, a, "c1")
    with pytest.raises(Conflict, match="already something named") as taken:
        changes.move(OWNER, c, a)
    assert taken.value.details == {"name": "c1"}
