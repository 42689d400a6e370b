"""The notifier keeps a 部局's people from batch to batch (directory/staff_cache.py), exactly: a
write to the staff, by this process or another, is seen by the next batch."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

from chalicelib.core.auth import Post, Role
from chalicelib.directory.service import Staff
from tests.unit.test_notifier import Context, _event, _handler, _inbox, directory  # noqa: F401 - fixture

TODAY = date(2026, 11, 26)


@pytest.fixture
def zaisei(directory: None, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    """財政課 of 総務部 with its 取りまとめ担当 coordinator.a; stamps trusted at once (moto's
    indexes are never behind) so that what a batch read is kept for the next."""
    from chalicelib.directory import org, service, staff_cache

    monkeypatch.setattr(staff_cache, "SETTLE_SECONDS", 0.0)
    _on(monkeypatch, TODAY)
    org.save_units(
        [
            org.OrgUnit("zaisei", "財政課", "Finance", org.UnitKind.SHOZOKU, "somu"),
            org.OrgUnit("jinji", "人事課", "Personnel", org.UnitKind.SHOZOKU, "somu"),
        ]
    )
    first = Staff("coordinator.a", "取纏 一郎", "a@pref.example.lg.jp", "somu", Role.MEMBER)
    service.save_staff(replace(first, unit_id="zaisei", post=Post.COORDINATOR))


def _on(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    """Today in JST, for the records' settling (staff.py) and the unit reads (unit_people.py)."""
    from chalicelib.directory import staff, unit_people

    monkeypatch.setattr(staff, "jst_today", lambda: day)
    monkeypatch.setattr(unit_people, "jst_today", lambda: day)


def _index_queries(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """DynamoDB Queries made from now on, by index."""
    from botocore.client import BaseClient

    seen: Counter[str] = Counter()
    real = BaseClient._make_api_call

    def counted(client: Any, operation: str, params: Any) -> Any:
        if operation == "Query":
            seen[params.get("IndexName", "")] += 1
        return real(client, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", counted)
    return seen


def _issued(n: int, unit_id: str = "zaisei") -> dict[str, Any]:
    """One SQS batch: survey n issued to this 所属 (its 取りまとめ担当 hear of it)."""
    from chalicelib.core.event_catalogue import SurveyIssued

    detail = SurveyIssued(
        survey_id=f"sv_{n}",
        number=f"財政第{n}号",
        title="予算要求の照会",
        issuer_unit_id="somu",
        target_unit_ids=[unit_id],
        deadline="2026-12-10T08:00:00+00:00",
    )
    wire = detail.event(event_id=f"e-issued-{n}", occurred_at="2026-11-26T02:00:00+00:00").wire_detail()
    return _event("kumo.surveys", "SurveyIssued", wire, message_id=f"m-{n}")


def _told(staff_id: str) -> list[str]:
    return sorted(n.params.get("number", "") for n in _inbox(staff_id) if n.kind == "survey_issued")


def _stamp() -> str | None:
    from chalicelib.directory import staff_cache

    record = staff_cache._stamp()
    return record.stamp if record is not None else None


def _batch(n: int, unit_id: str = "zaisei") -> None:
    assert _handler()(_issued(n, unit_id), Context()) == {"batchItemFailures": []}


def test_two_batches_read_a_departments_people_once(zaisei: None, monkeypatch: pytest.MonkeyPatch) -> None:
    queries = _index_queries(monkeypatch)
    _batch(1)
    _batch(2, "jinji")  # another 所属 of the same 部局: the 部局 was read whole
    _batch(3)
    assert queries == Counter({"by_department": 1, "by_elsewhere": 1}), queries
    assert _told("coordinator.a") == ["財政第1号", "財政第3号"]


def test_a_coordinator_saved_between_batches_hears_of_the_next(zaisei: None) -> None:
    from chalicelib.directory import service

    _batch(1)
    second = Staff("coordinator.b", "取纏 次郎", "b@pref.example.lg.jp", "somu", Role.MEMBER)
    service.save_staff(replace(second, unit_id="zaisei", post=Post.COORDINATOR))
    _batch(2)
    assert _told("coordinator.a") == ["財政第1号", "財政第2号"]
    assert _told("coordinator.b") == ["財政第2号"]


def test_a_warm_batch_checks_the_stamp_with_its_other_reads_not_before(
    zaisei: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once the process kept the 部局's people, a batch routes at once and reads the stamp in its
    one BatchGetItem (consistently): no GetItem, no Query."""
    from botocore.client import BaseClient

    _batch(1)
    calls: list[tuple[str, Any]] = []
    real = BaseClient._make_api_call

    def counted(client: Any, operation: str, params: Any) -> Any:
        calls.append((operation, params))
        return real(client, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", counted)
    _batch(2)
    operations = [operation for operation, _ in calls]
    assert "GetItem" not in operations and "Query" not in operations, operations
    (batch_get,) = [params for operation, params in calls if operation == "BatchGetItem"]
    stamp_table = next(t for t in batch_get["RequestItems"] if t.endswith("directory_stamp"))
    assert batch_get["RequestItems"][stamp_table]["ConsistentRead"] is True
    assert _told("coordinator.a") == ["財政第1号", "財政第2号"]


def test_a_stamp_moved_while_a_batch_was_routed_routes_it_again(zaisei: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """A coordinator saved (and stamped) after the batch routed on the kept reads but before its
    check: the check sees the new stamp, the batch is routed again on fresh reads, and the new
    coordinator hears of it; nothing was written twice."""
    from chalicelib.directory import service
    from chalicelib.notifications import routing

    _batch(1)
    real_routed = routing.routed
    saved: list[bool] = []

    def routed_then_someone_saves(event: dict[str, Any]) -> Any:
        found = real_routed(event)
        if not saved:
            saved.append(True)
            second = Staff("coordinator.b", "取纏 次郎", "b@pref.example.lg.jp", "somu", Role.MEMBER)
            service.save_staff(replace(second, unit_id="zaisei", post=Post.COORDINATOR))
        return found

    monkeypatch.setattr(routing, "routed", routed_then_someone_saves)
    _batch(2)
    assert _told("coordinator.b") == ["財政第2号"], "routed again with the new coordinator"
    assert _told("coordinator.a") == ["財政第1号", "財政第2号"], "and the first once"


def test_a_transfer_applied_between_batches_is_seen(zaisei: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """人事課's person becomes 財政課's 取りまとめ担当 tomorrow: not today's batch, tomorrow's
    (the records kept are settled on the day of their use); applying it stamps the directory."""
    from chalicelib.directory import placement, service

    tomorrow = TODAY + timedelta(days=1)
    mover = Staff("mover.c", "異動 三郎", "c@pref.example.lg.jp", "somu", Role.MEMBER, unit_id="jinji")
    move = placement.Transfer(tomorrow, placement.Placement("zaisei", post=Post.COORDINATOR))
    service.save_staff(replace(mover, transfers=(move,)))
    _batch(1)
    assert _told("mover.c") == []

    before = _stamp()
    _on(monkeypatch, tomorrow)
    assert service.apply_due_transfers(tomorrow) == 1
    assert _stamp() != before
    _batch(2)
    assert _told("mover.c") == ["財政第2号"]
    assert _told("coordinator.a") == ["財政第1号", "財政第2号"]


def test_a_transfer_counts_from_its_day_without_a_write(zaisei: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Who a 所属's 取りまとめ担当 are is worked out once per stamp and day: the next day's batch
    counts a transfer due that day before the sweep writes it (no stamp in between)."""
    from chalicelib.directory import placement, service

    tomorrow = TODAY + timedelta(days=1)
    mover = Staff("mover.d", "異動 四郎", "d@pref.example.lg.jp", "somu", Role.MEMBER, unit_id="jinji")
    service.save_staff(
        replace(mover, transfers=(placement.Transfer(tomorrow, placement.Placement("zaisei", post=Post.COORDINATOR)),))
    )
    _batch(1)
    _batch(2)
    assert _told("mover.d") == []
    stamp = _stamp()
    _on(monkeypatch, tomorrow)
    _batch(3)
    assert _stamp() == stamp
    assert _told("mover.d") == ["財政第3号"]


def test_a_stamp_written_by_another_process_drops_what_this_one_kept(zaisei: None) -> None:
    """Another process saved a 取りまとめ担当 and then stamped the directory: until the stamp
    changes this one keeps what it read, after it the new person hears."""
    import uuid

    from chalicelib.directory import staff, staff_cache
    from chalicelib.directory.storage import DirectoryStampRecord

    _batch(1)
    second = Staff("coordinator.b", "取纏 次郎", "b@pref.example.lg.jp", "somu", Role.MEMBER)
    staff._write(replace(second, unit_id="zaisei", post=Post.COORDINATOR))  # its stamp not yet written
    _batch(2)
    assert _told("coordinator.b") == [], "kept from the first batch"
    DirectoryStampRecord(staff_cache.STAMP_ID, stamp=uuid.uuid4().hex, written_at=staff_cache._now()).save()
    _batch(3)
    assert _told("coordinator.b") == ["財政第3号"]
    assert _told("coordinator.a") == ["財政第1号", "財政第2号", "財政第3号"]


def test_a_fresh_stamp_is_trusted_only_once_the_indexes_caught_up(
    zaisei: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """by_department and by_elsewhere are eventually consistent: just after a write, a batch
    shares its reads within itself only; once SETTLE_SECONDS passed, they are kept."""
    from chalicelib.directory import staff_cache

    monkeypatch.setattr(staff_cache, "SETTLE_SECONDS", 10.0)
    queries = _index_queries(monkeypatch)
    _batch(1)
    _batch(2)
    assert queries["by_department"] == 2, "the stamp is a moment old: read again"
    later = staff_cache._now() + timedelta(seconds=11)
    monkeypatch.setattr(staff_cache, "_now", lambda: later)
    _batch(3)
    _batch(4)
    assert queries["by_department"] == 3, "kept from the third batch on"
    assert _told("coordinator.a") == ["財政第1号", "財政第2号", "財政第3号", "財政第4号"]


def test_outside_a_block_every_read_goes_to_dynamodb(zaisei: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.directory import service

    queries = _index_queries(monkeypatch)
    for _ in range(2):
        assert [s.staff_id for s in service.coordinators_of("zaisei")] == ["coordinator.a"]
    assert queries == Counter({"by_department": 2, "by_elsewhere": 2})


def test_undoing_a_save_and_restoring_a_backup_stamp_the_directory(zaisei: None) -> None:
    """restore_staff deletes a person made a moment ago; a restore writes staff (and maybe an old
    stamp) behind the directory's back: both stamp it afresh."""
    from chalicelib.directory import service
    from chalicelib.ops import backup
    from tests.unit.test_org_tree import BACKUP_BEFORE_THE_TREE

    second = Staff("coordinator.b", "取纏 次郎", "b@pref.example.lg.jp", "somu", Role.MEMBER)
    service.save_staff(replace(second, unit_id="zaisei", post=Post.COORDINATOR))
    _batch(1)
    saved = _stamp()
    service.restore_staff("coordinator.b", None)
    assert _stamp() != saved
    _batch(2)
    assert _told("coordinator.b") == ["財政第1号"]

    undone = _stamp()
    backup.restore(BACKUP_BEFORE_THE_TREE)
    assert _stamp() not in (None, undone)


def test_what_routing_worked_out_is_kept_per_day_and_tree_contents(zaisei: None) -> None:
    """The process reads the same tree again every 30 s: an equal tree keeps what was worked
    out, a changed tree or a new day works it out again."""
    from chalicelib.directory import org, staff_cache

    worked: list[list[Any]] = []

    def work_out(keys: list[Any]) -> dict[Any, str]:
        worked.append(keys)
        return {k: f"people of {k}" for k in keys}

    tree = org.tree()
    same = org.Tree.of(list(tree.units.values()))
    moved = org.Tree.of(
        [*tree.units.values(), org.OrgUnit("kikaku", "企画課", "Planning", org.UnitKind.SHOZOKU, "somu")]
    )
    with staff_cache.reads_cached():
        assert staff_cache.derived_each(["zaisei"], work_out, TODAY, tree) == {"zaisei": "people of zaisei"}
        staff_cache.derived_each(["zaisei"], work_out, TODAY, same)
        staff_cache.derived_each(["zaisei", "jinji"], work_out, TODAY, same)
        assert worked == [["zaisei"], ["jinji"]], "an equal tree read again keeps what was worked out"
        staff_cache.derived_each(["zaisei"], work_out, TODAY, moved)
        staff_cache.derived_each(["zaisei"], work_out, TODAY + timedelta(days=1), moved)
    assert worked == [["zaisei"], ["jinji"], ["zaisei"], ["zaisei"]]
