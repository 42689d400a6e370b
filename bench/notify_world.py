"""The world bench/notify.py measures in: an AWS emulator of its own (chalicelib.local.emulator,
the moto server the local stack runs), an org tree, staff with mixed notification settings, and a
stream of domain events of the shapes the producers publish (core/event_catalogue.py,
core/project_events.py), each wrapped in the SQS record Lambda hands the notifier.

Seeded writes go in batches straight to the tables (as bench/board.py seeds its cards): the
world is not what is measured, and 5,000 people saved one by one would take minutes.
"""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SECTIONS_PER_UNIT = 3
UNITS_PER_DEPARTMENT = 10
STAFF_PER_DEPARTMENT = 500
CONCURRENT_EVERY = 97  # about 1 % of staff hold a 兼務 in another 部局


# --- the emulator ------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_emulator() -> tuple[subprocess.Popen[bytes], str]:
    """The local stack's moto server on a free port; the caller terminates it."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "chalicelib.local.emulator", "-H", "127.0.0.1", "-p", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the emulator exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/moto-api/", timeout=2):
                return proc, url
        except urllib.error.HTTPError:
            return proc, url
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError("the emulator did not answer within 60 s")


def environment(endpoint: str) -> dict[str, str]:
    """What the notifier sees in AWS, aimed at the emulator (quiet hours stay as configured)."""
    return {
        "AWS_ACCESS_KEY_ID": "kumo-local",
        "AWS_SECRET_ACCESS_KEY": "kumo-local",
        "AWS_DEFAULT_REGION": "ap-northeast-1",
        "KUMO_STAGE": "local",
        "KUMO_AWS_ENDPOINT": endpoint,
        "KUMO_BASE_URL": "http://127.0.0.1:8000",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }


# --- the organisation and its people -----------------------------------------------------


@dataclass
class World:
    departments: list[str] = field(default_factory=list)
    units: list[str] = field(default_factory=list)  # 所属
    sections: dict[str, list[str]] = field(default_factory=dict)  # 所属 -> its 係
    staff: list[str] = field(default_factory=list)
    members: dict[str, list[str]] = field(default_factory=dict)  # 所属 -> its staff (main place)
    heads: dict[str, str] = field(default_factory=dict)  # 所属 -> its 所属長
    preferences: dict[str, str] = field(default_factory=dict)  # how many people have each profile


PROFILES = ("defaults", "defaults", "inbox only", "mail", "digest", "off but surveys", "digest surveys", "no quiet")


def _profile(kinds: Any, name: str) -> tuple[dict[str, str], bool]:
    """(choices, quiet hours) of a preference profile; mandatory kinds are never stored."""
    free = [k for k in kinds.KINDS if not k.mandatory]
    if name == "inbox only":
        return {k.key: "inbox" for k in free}, True
    if name == "mail":
        return {k.key: "mail" for k in free}, True
    if name == "digest":
        return {k.key: "digest" for k in free}, True
    if name == "off but surveys":
        return {k.key: "off" for k in free if k.group != "surveys"}, True
    if name == "digest surveys":
        return {k.key: "digest" for k in free if k.group == "surveys"}, False
    return {}, name != "no quiet"


def build(staff_count: int, seed: int = 7) -> World:
    """The org tree, `staff_count` people spread over it and their settings, written in batches."""
    from chalicelib.core.auth import Post, Role
    from chalicelib.directory import org
    from chalicelib.directory import storage as directory_storage
    from chalicelib.directory.storage import StaffRecord
    from chalicelib.notifications import kinds, preferences
    from chalicelib.notifications.storage import PreferenceRecord, bind_prefs

    rng = random.Random(seed)
    world = World()
    department_count = max(2, -(-staff_count // STAFF_PER_DEPARTMENT))
    units: list[org.OrgUnit] = []
    for d in range(department_count):
        dept = f"bu{d:02d}"
        world.departments.append(dept)
        units.append(org.OrgUnit(dept, f"計測{d}部", f"Bench {d}", sort_order=d))
        for u in range(UNITS_PER_DEPARTMENT):
            unit = f"{dept}-ka{u:02d}"
            world.units.append(unit)
            units.append(
                org.OrgUnit(unit, f"計測{d}部第{u}課", f"Unit {d}-{u}", org.UnitKind.SHOZOKU, dept, sort_order=u)
            )
            world.sections[unit] = []
            for s in range(SECTIONS_PER_UNIT):
                section = f"{unit}-k{s}"
                world.sections[unit].append(section)
                units.append(org.OrgUnit(section, f"第{s}係", f"Section {s}", org.UnitKind.KAKARI, unit, sort_order=s))
    org.save_units(units)

    directory_storage.bind()
    bind_prefs()
    now = datetime.now(UTC)
    counts: dict[str, int] = {}
    with StaffRecord.batch_write() as people, PreferenceRecord.batch_write() as prefs:
        for i in range(staff_count):
            unit = world.units[i % len(world.units)]
            dept = unit.split("-")[0]
            staff_id = f"s{i:05d}"
            rank = len(world.members.setdefault(unit, []))
            post = Post.HEAD if rank == 0 else Post.COORDINATOR if rank == 1 else Post.GENERAL
            if post is Post.HEAD:
                world.heads[unit] = staff_id
            world.members[unit].append(staff_id)
            world.staff.append(staff_id)
            concurrent = None
            if i % CONCURRENT_EVERY == CONCURRENT_EVERY - 1:  # a 兼務 in a 所属 of another 部局
                other = world.units[(i + UNITS_PER_DEPARTMENT) % len(world.units)]
                concurrent = [directory_storage.placement_map(other, None, Post.GENERAL.value)]
            people.save(
                StaffRecord(
                    staff_id,
                    display_name=f"計測 職員{i}",
                    email=f"{staff_id}@pref.example.lg.jp",
                    department_id=dept,
                    role=Role.MEMBER.value,
                    created_at=now,
                    updated_at=now,
                    unit_id=unit,
                    section_id=world.sections[unit][rank % SECTIONS_PER_UNIT],
                    post=post.value,
                    concurrent=concurrent,
                    elsewhere="y" if concurrent and not other.startswith(dept) else None,
                )
            )
            name = PROFILES[i % len(PROFILES)]
            counts[name] = counts.get(name, 0) + 1
            choices, quiet_hours = _profile(kinds, name)
            if name != "defaults":
                digest_at = preferences.DIGEST_TIMES[rng.randrange(len(preferences.DIGEST_TIMES))]
                prefs.save(
                    PreferenceRecord(
                        staff_id,
                        choices=choices,
                        quiet_hours=quiet_hours,
                        digest_at=digest_at.strftime("%H:%M"),
                        updated_at=now,
                    )
                )
    world.preferences = counts
    return world


# --- the events --------------------------------------------------------------------------


def _sqs(event: dict[str, Any]) -> dict[str, Any]:
    """One record of the SQS batch Lambda hands the notifier (tests/events/notify_*.json)."""
    return {
        "Records": [
            {
                "messageId": str(uuid.uuid4()),
                "receiptHandle": "bench",
                "body": json.dumps(event, ensure_ascii=False),
                "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "0", "SenderId": "bench"},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:ap-northeast-1:123456789012:kumo-notify",
                "awsRegion": "ap-northeast-1",
            }
        ]
    }


class _Events:
    """Details of each kind, drawn from the world (people, 所属, 係 that exist)."""

    def __init__(self, world: World, rng: random.Random) -> None:
        self.w, self.rng = world, rng
        self.deadline = (datetime.now(UTC) + timedelta(days=7)).isoformat()

    def person(self) -> str:
        return self.rng.choice(self.w.staff)

    def unit(self) -> str:
        return self.rng.choice(self.w.units)

    def survey(self, n: int) -> dict[str, Any]:
        return {"survey_id": f"sv{n % 300:04d}", "number": f"計測第{n}号", "title": f"計測用の照会 {n}"}

    def files(self, n: int) -> Any:
        from chalicelib.core import event_catalogue as ec

        owner, link = self.person(), f"ln{n % 500:04d}"
        roll = self.rng.random()
        if roll < 0.45:
            return ec.PartnerUploaded(
                link_id=link, owner_id=owner, notify=True, file_id=f"fi{n}", version=1, s3_key=f"k/{n}",
                space_id="dept:bu00", folder_id="fo1", name=f"回答書{n}.xlsx", uploader_name="山田建設 鈴木",
                uploader_email="suzuki@example.co.jp",
            )  # fmt: skip
        if roll < 0.75:
            return ec.ShareLinkAccessed(link_id=link, owner_id=owner, target_id="fo1")
        if roll < 0.9:
            return ec.ShareLinkExpiringSoon(link_id=link, owner_id=owner, target_id="fo1", expires_at=self.deadline)
        return ec.FileQuarantined(
            file_id=f"fi{n}", version=1, name=f"添付{n}.zip", space_id="dept:bu00", folder_id="fo1", owner_id=owner,
            current=True, scanner="local", status="infected", reason="EICAR", quarantine_key=f"q/{n}",
        )  # fmt: skip

    def surveys(self, n: int) -> Any:
        from chalicelib.core import event_catalogue as ec

        s, unit, roll = self.survey(n), self.unit(), self.rng.random()
        if roll < 0.15:
            targets = self.rng.sample(self.w.units, min(len(self.w.units), self.rng.randint(1, 10)))
            return ec.SurveyIssued(**s, issuer_unit_id=unit, target_unit_ids=targets, deadline=self.deadline)
        if roll < 0.35:
            keys = [f"unit:{self.rng.choice(self.w.sections[unit])}", f"staff:{self.rng.choice(self.w.members[unit])}"]
            return ec.SurveyForwarded(
                **s, unit_id=unit, assignee_keys=keys, forwarded_by=self.w.heads[unit], forwarded_by_name="課長",
                note="",
            )  # fmt: skip
        if roll < 0.55:
            return ec.AnswerSubmitted(
                **s, unit_id=unit, approver_ids=[self.w.heads[unit]], submitted_by=self.person(),
                submitted_by_name="担当",
            )  # fmt: skip
        if roll < 0.75:
            return ec.AnswerApproved(
                **s, unit_id=unit, issuer_unit_id=self.unit(), contact_staff_id=self.person(), late=False,
                not_applicable=roll < 0.6, approved_by_name="課長",
            )  # fmt: skip
        if roll < 0.9:
            return ec.SurveyReminder(**s, unit_id=unit, step="before", deadline=self.deadline)
        if roll < 0.95:
            return ec.AnswerReturned(
                **s, unit_id=unit, comment="再確認を", returned_by=self.person(), returned_by_name="照会元",
                by_issuer=True,
            )  # fmt: skip
        targets = self.rng.sample(self.w.units, min(len(self.w.units), self.rng.randint(1, 10)))
        return ec.SurveyClosed(**s, issuer_unit_id=unit, target_unit_ids=targets)

    def projects(self, n: int) -> Any:
        from chalicelib.core import project_events as pe

        card = {
            "project_id": f"pj{n % 50:03d}",
            "project_name": "計測プロジェクト",
            "board_id": "b1",
            "card_id": f"c{n}",
        }
        people = self.rng.sample(self.w.staff, self.rng.randint(1, 3))
        roll = self.rng.random()
        if roll < 0.35:
            return pe.CardAssigned(
                **card, title="様式の見直し", assignee_ids=people, assigned_by=self.person(), assigned_by_name="主査"
            )
        if roll < 0.6:
            return pe.CardDue(**card, title="様式の見直し", due="2026-12-10", assignee_ids=people[:1],
                              overdue=roll < 0.45, watcher_ids=people[1:])  # fmt: skip
        if roll < 0.9:
            return pe.CommentMentioned(
                **card, title="様式の見直し", mentioned_ids=people, author_id=self.person(), author_name="主査",
                excerpt="確認をお願いします",
            )  # fmt: skip
        return pe.MemberJoined(
            project_id=card["project_id"], project_name="計測プロジェクト", staff_id=people[0],
            added_by=self.person(), added_by_name="主査",
        )  # fmt: skip

    def notice(self, n: int) -> Any:
        from chalicelib.core import event_catalogue as ec

        unit = self.unit()
        return ec.DepartmentNoticePosted(
            department_id=unit, notice_id=f"nt{n}", title="年末の庁舎閉庁について", author_id=self.w.heads[unit],
            author_name="課長",
        )  # fmt: skip


def events(world: World, count: int, seed: int = 11) -> list[tuple[str, dict[str, Any]]]:
    """`count` SQS batches of one event each, with the event's name: 35 % files and sharing,
    40 % surveys (照会), 24 % projects, 1 % a notice to a whole 所属."""
    rng = random.Random(seed)
    make = _Events(world, rng)
    start = datetime.now(UTC) - timedelta(minutes=5)
    out = []
    for n in range(count):
        roll = rng.random()
        group = (
            make.files
            if roll < 0.35
            else make.surveys
            if roll < 0.75
            else make.projects
            if roll < 0.99
            else make.notice
        )
        detail = group(n)
        occurred = (start + timedelta(milliseconds=n)).isoformat()
        out.append(
            (detail.EVENT.name, _sqs(detail.event(event_id=f"bench-{n:06d}", occurred_at=occurred).as_delivered()))
        )
    return out


def warm_up_event() -> dict[str, Any]:
    """A first sign-in of someone outside the world: loads the notifier's imports and clients."""
    from chalicelib.core import event_catalogue as ec

    detail = ec.StaffSignedInFirstTime(staff_id="warm-up", department_id="bu00", display_name="準備")
    return _sqs(detail.event(event_id="bench-warm-up").as_delivered())


def apply(env: dict[str, str]) -> None:
    os.environ.update(env)
