"""`kumo dlq status` and `kumo dlq replay`: the dead-letter queues from a terminal.

Whoever runs the CLI holds AWS credentials that reach the queues directly, so the CLI acts as a
system administrator named after the operating-system user ("cli:<user>" in the replay log);
ops/dlq.py checks that role all the same, as on every path.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from chalicelib.core.auth import Principal, Role


def operator() -> Principal:
    user = getpass.getuser()
    return Principal(f"cli:{user}", user, "", "", Role.SYSTEM_ADMIN)


def _status(args: argparse.Namespace) -> int:
    from chalicelib.ops import dlq

    rows = dlq.status(operator())
    print(f"{'queue':<10} {'waiting':>8} {'in flight':>10} {'delayed':>8} {'dead':>6}")
    for q in rows:
        print(f"{q.queue:<10} {q.depth.visible:>8} {q.depth.in_flight:>10} {q.depth.delayed:>8} {q.dead.total:>6}")
    dead = sum(q.dead.total for q in rows)
    if args.fail_on_dead and dead:
        print(f"kumo: {dead} message(s) in dead-letter queues", file=sys.stderr)
        return 1
    return 0


def _replay(args: argparse.Namespace) -> int:
    from chalicelib.core.errors import BadRequest
    from chalicelib.ops import dlq

    queues = [args.queue] if args.queue else list(dlq.QUEUES)
    try:
        for queue in queues:
            done = dlq.replay(operator(), queue, args.max)
            print(f"{queue}: {done.moved} message(s) put back on the queue")
    except BadRequest as err:
        print(f"kumo dlq replay: {err.text()}", file=sys.stderr)
        return 2
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    dlq = sub.add_parser("dlq", help="dead-letter queues: depths, and putting messages back on their queue")
    dlq_sub = dlq.add_subparsers(dest="dlq_command", required=True)
    status = dlq_sub.add_parser("status", help="each queue's depth and its dead-letter queue's")
    status.add_argument(
        "--fail-on-dead", action="store_true", help="exit with 1 when any dead-letter queue holds a message"
    )
    status.set_defaults(func=_status)
    replay = dlq_sub.add_parser("replay", help="move dead letters back to their queue (all queues unless --queue)")
    replay.add_argument("--queue", help="notify, mail, index, scan or channels")
    replay.add_argument("--max", type=int, default=100, help="at most this many per queue (default 100, at most 1000)")
    replay.set_defaults(func=_replay)
