"""The project board on the local stack (moto server, as the tests run it): a board of 1,000 cards
in 20 lists. Each figure is measured side by side with its floor, interleaved, in one run.

    .venv/bin/python bench/board.py                  # 1,000 cards, 20 lists, 60 rounds
    .venv/bin/python bench/board.py --cards 2000 --rounds 100

- load: what the board API does for a page (`boards.load` with its access check and ETag, the
  members, the JSON body) beside a bare boto3 query of the same partition (every page, no
  parsing). Goal ≤ 1.5×.
- move: `moves.move` (one transaction: the card at its version, the mover's membership, the
  target list, the two neighbours, the activity entry) beside one bare conditional UpdateItem of
  the same card, for a move across lists and for a drop within the card's own list (which checks
  the card's list instead of reading the list: one item fewer). Goal ≤ 1.5× at p95.
- poll: the bytes a tab's poll costs when nothing changed (the 304's status line and headers,
  no body) beside the 200 it saves, over real HTTP; and the server time of the 304 path.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _seed(cards: int, lists: int) -> tuple[Any, str, str, list[str]]:
    from chalicelib.directory import service as directory
    from chalicelib.projects import projects, ranks, storage
    from chalicelib.projects.model import new_id, now
    from chalicelib.projects.storage import ItemRecord

    person = directory.find_staff("yamada.k")
    assert person is not None
    owner = person.principal()
    project = projects.create(owner, projects.ProjectDraft("計測用プロジェクト", template="kanban"))
    board_id = project.boards[0].board_id
    storage.bind()
    existing = [r for r in ItemRecord.query(board_id) if r.kind == "list"]
    list_ranks = ranks.spread(lists - len(existing), after=max(r.rank for r in existing))
    at = now()
    label_ids = [x.label_id for x in project.labels]
    with ItemRecord.batch_write() as batch:
        list_ids = [r.item_id for r in sorted(existing, key=lambda r: r.rank)]
        for rank in list_ranks:
            list_id = new_id("L")
            list_ids.append(list_id)
            batch.save(ItemRecord(board_id, list_id, project_id=project.project_id, kind="list", rank=rank,
                                  title=f"リスト{len(list_ids)}", created_at=at, updated_at=at))  # fmt: skip
        per_list = cards // lists
        for list_id in list_ids:
            for i, rank in enumerate(ranks.spread(per_list)):
                batch.save(
                    ItemRecord(
                        board_id, new_id("C"), project_id=project.project_id, kind="card", list_id=list_id,
                        rank=rank, title=f"計測用のカード {i} 窓口手続の見直しと様式の統一",
                        description="手順の棚卸しを行い、**改善案**をまとめる。" * 3,
                        assignees=["yamada.k"], due="2027-01-15" if i % 3 else None,
                        labels=label_ids[: i % 3], checklist_json=json.dumps(
                            [{"id": f"c{j}", "text": f"確認事項{j}", "done": j % 2 == 0} for j in range(4)],
                            ensure_ascii=False), created_at=at, updated_at=at,
                    )
                )  # fmt: skip
    return owner, project.project_id, board_id, list_ids


def _timed(cases: dict[str, Callable[[], object]], rounds: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in cases}
    order = list(cases)
    for r in range(rounds):
        for name in order[r % len(order) :] + order[: r % len(order)]:
            t = time.perf_counter()
            cases[name]()
            times[name].append(time.perf_counter() - t)
    return times


def _print(title: str, times: dict[str, list[float]], labels: dict[str, str], floor: str) -> None:
    print(title)
    print(f"{'case':<52} {'p50 ms':>8} {'p95 ms':>8} {'p50 x':>7} {'p95 x':>7}")
    p50 = {k: statistics.median(v) for k, v in times.items()}
    p95 = {k: _percentile(v, 0.95) for k, v in times.items()}
    for name, label in labels.items():
        print(
            f"{label:<52} {p50[name] * 1000:>8.1f} {p95[name] * 1000:>8.1f} "
            f"{p50[name] / p50[floor]:>7.2f} {p95[name] / p95[floor]:>7.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cards", type=int, default=1000)
    parser.add_argument("--lists", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args()

    from tests.support.stack import RunningStack

    stack = RunningStack(Path(tempfile.mkdtemp(prefix="kumo-bench-")))
    stack.start()
    try:
        os.environ.update(stack.env())
        import boto3

        from chalicelib.core import web
        from chalicelib.core.config import settings
        from chalicelib.projects import boards, membership, moves
        from chalicelib.projects.boards import Neighbour
        from chalicelib.projects.views import board_json
        from tests.conftest import sign_in

        started = time.perf_counter()
        owner, project_id, board_id, list_ids = _seed(args.cards, args.lists)
        seeded = time.perf_counter() - started
        web.set_state(web.RequestState(language="ja", correlation_id="bench", principal=owner))
        client = boto3.client("dynamodb", endpoint_url=stack.aws_endpoint, region_name=settings().region)
        table = settings().table_name("board_items")

        def bare_query() -> int:
            count, start_key = 0, None
            while True:
                kwargs: dict[str, Any] = {
                    "TableName": table,
                    "KeyConditionExpression": "board_id = :b",
                    "ExpressionAttributeValues": {":b": {"S": board_id}},
                }
                if start_key:
                    kwargs["ExclusiveStartKey"] = start_key
                page = client.query(**kwargs)
                count += len(page["Items"])
                start_key = page.get("LastEvaluatedKey")
                if not start_key:
                    return count

        def kumo_load() -> int:
            board = boards.load(owner, project_id, board_id)
            body = json.dumps(board_json(board, membership.members(owner, project_id)), ensure_ascii=False)
            return len(body)

        assert bare_query() == args.cards + args.lists
        load_times = _timed({"kumo": kumo_load, "bare": bare_query}, args.rounds)
        print(
            f"== board load ({args.cards} cards in {args.lists} lists; {args.rounds} rounds; seeded in {seeded:.0f} s)"
        )
        _print(
            "",
            load_times,
            {"kumo": "Kumo boards.load + members + JSON", "bare": "bare DynamoDB query (all pages)"},
            "bare",
        )

        # Moves: the same card dropped back and forth between the tops of two lists.
        board = boards.load(owner, project_id, board_id)
        mover = board.cards_in(list_ids[0])[0]
        bare_card = board.cards_in(list_ids[1])[0]
        in_place = board.cards_in(list_ids[2])[0]
        state = {"list": list_ids[0], "version": mover.version, "bare_version": bare_card.version}
        state["in_place"] = in_place.version

        def kumo_move() -> None:
            target = list_ids[1] if state["list"] == list_ids[0] else list_ids[0]
            moved = moves.move(owner, project_id, board_id, mover.card_id, list_id=target, above=None,
                               below=None, version=int(state["version"]), from_list_id=str(state["list"]))  # fmt: skip
            state["list"], state["version"] = moved.list_id, moved.version

        def kumo_reorder() -> None:
            moved = moves.move(owner, project_id, board_id, in_place.card_id, list_id=list_ids[2], above=None,
                               below=None, version=int(state["in_place"]), from_list_id=list_ids[2])  # fmt: skip
            state["in_place"] = moved.version

        def bare_move() -> None:
            v = int(state["bare_version"])
            client.update_item(
                TableName=table,
                Key={"board_id": {"S": board_id}, "item_id": {"S": bare_card.card_id}},
                UpdateExpression="SET #r = :r, #v = #v + :one",
                ConditionExpression="#v = :v",
                ExpressionAttributeNames={"#r": "rank", "#v": "version"},
                ExpressionAttributeValues={":r": {"S": "a0V"}, ":v": {"N": str(v)}, ":one": {"N": "1"}},
            )
            state["bare_version"] = v + 1

        move_times = _timed({"kumo": kumo_move, "in_list": kumo_reorder, "bare": bare_move}, args.rounds * 2)
        _print(
            "\n== card move",
            move_times,
            {
                "kumo": "Kumo moves.move, to another list",
                "in_list": "Kumo moves.move, within its list",
                "bare": "bare conditional UpdateItem",
            },
            "bare",
        )
        del Neighbour

        # Polling over HTTP: what a tab pays per poll when nothing changed.
        session = sign_in(stack.base_url, "yamada.k")
        url = f"{stack.base_url}/api/projects/{project_id}/boards/{board_id}"
        full = session.get(url, timeout=60)
        tag = full.headers["ETag"]
        poll_times = _timed(
            {
                "304": lambda: session.get(url, headers={"If-None-Match": tag}, timeout=60),
                "200": lambda: session.get(url, timeout=60),
            },
            max(10, args.rounds // 3),
        )
        unchanged = session.get(url, headers={"If-None-Match": tag}, timeout=60)
        assert unchanged.status_code == 304

        def wire(r: Any) -> int:
            head = f"HTTP/1.1 {r.status_code} {r.reason}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in r.headers.items())
            return len(head.encode()) + 2 + len(r.content)

        _print("\n== poll over HTTP (board page every 15 s)", poll_times,
               {"304": "If-None-Match, nothing changed (304)", "200": "full board (200)"}, "200")  # fmt: skip
        per_hour = 3600 // 15
        print(
            f"bytes per poll: 304 = {wire(unchanged)} (body {len(unchanged.content)}), 200 = {wire(full)} "
            f"(body {len(full.content)}); an open tab, nothing changing: {per_hour} polls/h = "
            f"{per_hour * wire(unchanged) / 1024:.0f} KiB/h of responses"
        )
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
