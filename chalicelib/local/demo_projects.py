"""Demo projects for the local stack, so the board pages have something on them from `make run`.

Three projects of different 所属 and 部局, each made from a template through the same service
calls a browser makes (so ranks, activity, assignments and notices are the real ones): a 庁内公開
DX project of デジタル推進課 with members from three 部局, cards assigned with due dates (one
overdue, one list over its WIP limit), labels, a checklist and a comment with an @mention; a
members-only project of 道路課; and an event of 政策課 open to all staff. The texts are our own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from chalicelib.core.auth import Principal
from chalicelib.directory import service as directory
from chalicelib.local import demo_channels
from chalicelib.projects import boards, cards, comments, membership, projects
from chalicelib.projects.boards import Neighbour
from chalicelib.projects.cards import CardChanges


def _principal(staff_id: str) -> Principal:
    person = directory.find_staff(staff_id)
    assert person is not None, staff_id
    return person.principal()


@dataclass(frozen=True)
class _Board:
    who: Principal
    project_id: str
    board_id: str

    def lists(self) -> list[str]:
        return [x.list_id for x in boards.load(self.who, self.project_id, self.board_id).lists]

    def card(self, list_id: str, title: str, changes: CardChanges | None = None) -> str:
        """A card at the bottom of the list, then changed as a person would change it."""
        board = boards.load(self.who, self.project_id, self.board_id)
        last = board.cards_in(list_id)[-1] if board.cards_in(list_id) else None
        after = Neighbour(last.card_id, last.rank) if last else None
        made = cards.create(self.who, self.project_id, self.board_id, list_id, title, after=after)
        if changes is not None:
            cards.update(self.who, self.project_id, self.board_id, made.card_id, changes=changes, version=made.version)
        return made.card_id


def _day(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


def _dx_project() -> None:
    owner = _principal("ogata.r")
    project = projects.create(
        owner,
        projects.ProjectDraft(
            "窓口手続デジタル化プロジェクト",
            "県民が窓口に来なくても済む手続を増やすため、所属を越えて申請手続を洗い出し、オンライン化の順番を決めます。"
            "20%ルールでの参加を歓迎します。",
            visibility="staff",
            template="improvement",
        ),
    )
    pid, board_id = project.project_id, project.boards[0].board_id
    demo_channels.seed_project(pid, "ogata.r")  # its members and cards reach the local receiver
    b = _Board(owner, pid, board_id)
    for staff_id in ("yamada.k", "fujita.e", "kimura.t"):
        membership.add_member(owner, pid, staff_id)
    labels = {x.name: x.label_id for x in project.labels}
    lists = b.lists()
    ideas, study, trial, _adopted = lists
    b.card(ideas, "電子申請の利用状況を部局ごとに集計する", CardChanges(labels=[labels["システム"]]))
    b.card(
        ideas,
        "押印を廃止できる様式の候補を挙げる",
        CardChanges(labels=[labels["規程"]], assignees=["yamada.k"], due=_day(12)),
    )
    for title, who, due in (
        ("道路占用許可申請のオンライン化を検討", "fujita.e", _day(5)),
        ("福祉関係の申請書を棚卸しする", "kimura.t", _day(-2)),
        ("申請受付システムの費用を見積もる", "ogata.r", _day(9)),
        ("他県の先行事例を3件調べる", "yamada.k", None),
    ):
        b.card(
            study,
            title,
            CardChanges(
                assignees=[who],
                due=due or "",
                description="現状の手順と件数を整理し、オンライン化した場合の効果を**概算**する。",
                checklist=[{"text": "現状の手順を書き出す", "done": True}, {"text": "年間件数を確認する"}],
            ),
        )
    trial_card = b.card(trial, "職員向け説明会（試行）", CardChanges(due=_day(3)))
    comments.comment(
        _principal("yamada.k"), pid, board_id, trial_card, "@ogata.r 会場は本庁舎5階の会議室を押さえました。"
    )


def _road_project() -> None:
    owner = _principal("fujita.e")
    project = projects.create(
        owner,
        projects.ProjectDraft(
            "道路パトロール記録の電子化", "紙のパトロール日誌をタブレット入力に切り替える。", template="kanban"
        ),
    )
    pid, board_id = project.project_id, project.boards[0].board_id
    b = _Board(owner, pid, board_id)
    membership.add_member(owner, pid, "fujii.r")
    todo = b.lists()[0]
    b.card(todo, "入力項目を日誌から洗い出す", CardChanges(assignees=["fujii.r"], due=_day(7)))
    b.card(todo, "タブレットの台数を確認する")


def _event_project() -> None:
    owner = _principal("matsumoto.y")
    project = projects.create(
        owner,
        projects.ProjectDraft(
            "県民の日 記念イベント準備",
            "各部局のブースを集めた記念イベントを企画・運営します。",
            visibility="staff",
            template="event",
        ),
    )
    pid, board_id = project.project_id, project.boards[0].board_id
    b = _Board(owner, pid, board_id)
    membership.add_member(owner, pid, "shimizu.d")
    planning = b.lists()[0]
    b.card(planning, "出展する部局を募る", CardChanges(assignees=["shimizu.d"], due=_day(14)))


def seed() -> int:
    """Write the demo projects; returns how many were written."""
    _dx_project()
    _road_project()
    _event_project()
    return 3
