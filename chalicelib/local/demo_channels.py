"""Demo chat channels (`kumo dev`): 財政課 posts to a Teams channel and a signed webhook, the
窓口手続デジタル化 project to Slack, all pointing at the local receiver (receiver.py), so the
demo survey's events arrive there and the whole path can be tried offline. Connected through
the same use case the page calls, as 財政課's 取りまとめ担当 and the project's owner."""

from __future__ import annotations

from chalicelib.core.config import settings
from chalicelib.directory import service as directory
from chalicelib.notifications.channels import model, service

UNIT = "zaisei"
UNIT_COORDINATOR = "harada.y"


def _principal(staff_id: str):  # type: ignore[no-untyped-def]
    person = directory.find_staff(staff_id)
    assert person is not None, f"demo staff {staff_id} is missing"
    return person.principal()


def seed_unit() -> int:
    """Before the demo survey is issued, so its events reach these channels."""
    from chalicelib.local import receiver

    base = settings().dev_receiver_url
    if not base:
        return 0
    p = _principal(UNIT_COORDINATOR)
    scope = model.unit(UNIT)
    service.connect(p, scope, service.ChannelIn("teams", "財政課 Teams", f"{base}/hooks/zaisei-teams", scope.kinds))
    hook = service.connect(
        p,
        scope,
        service.ChannelIn("webhook", "財政課 文書管理システム連携", f"{base}/hooks/zaisei-webhook", scope.kinds),
    )
    running = receiver.running()
    if running is not None and hook.secret:
        running.register_secret("/hooks/zaisei-webhook", hook.secret)
    return 2


def seed_project(project_id: str, owner_id: str) -> int:
    base = settings().dev_receiver_url
    if not base:
        return 0
    scope = model.project(project_id)
    service.connect(
        _principal(owner_id),
        scope,
        service.ChannelIn("slack", "プロジェクト Slack", f"{base}/hooks/madoguchi-slack", scope.kinds),
    )
    return 1
