"""The `kumo` command: run the local stack, bootstrap, back up and restore, import the org tree and staff."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from chalicelib.ops import dlq_cli

MAX_WORKERS = 32  # each worker is a process with the whole app loaded (about 100 MB)


def _dev(args: argparse.Namespace) -> int:
    from chalicelib.local.runner import DevOptions, run

    return run(
        DevOptions(
            host=args.host,
            port=args.port,
            moto_port=args.moto_port,
            search_port=args.search_port,
            state_dir=Path(args.state_dir),
            save_every_s=args.save_every,
            demo=not args.no_demo,
            workers=args.workers,
            receiver_port=args.receiver_port,
        )
    )


def _worker_count(value: str) -> int:
    try:
        count = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if not 1 <= count <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"between 1 and {MAX_WORKERS}")
    return count


def _bootstrap(args: argparse.Namespace) -> int:
    from chalicelib.local import bootstrap

    origins = args.web_origin or ["http://127.0.0.1:8000", "http://localhost:8000"]
    report = bootstrap.bootstrap(origins, search=not args.no_search)
    print(f"created: {', '.join(report.created) or 'nothing'}")
    print(f"already there: {', '.join(report.existing) or 'nothing'}")
    return 0


def _backup(args: argparse.Namespace) -> int:
    from chalicelib.ops import backup

    summary = backup.backup(Path(args.dir))
    print(f"backed up to {args.dir}: {summary.describe()}")
    return 0


def _restore(args: argparse.Namespace) -> int:
    from chalicelib.core.config import settings
    from chalicelib.ops import backup

    summary = backup.restore(Path(args.dir))
    print(f"restored from {args.dir}: {summary.describe()}")
    # A restore writes straight into the tables and the bucket, past the files feature's events
    # that keep the search index in step: rebuild the index here, or say how to.
    if args.no_reindex:
        print(
            "kumo: the search index was not rebuilt: run `kumo reindex` to make the restored files searchable",
            file=sys.stderr,
        )
        return 0
    if args.reindex_function or settings().search_url:
        return _run_reindex(args.reindex_function)
    print(
        "kumo: the search index was not rebuilt (no KUMO_SEARCH_URL): run "
        "`kumo reindex --function <prefix>-indexer` to make the restored files searchable",
        file=sys.stderr,
    )
    return 0


def _rejected(problems: list[str]) -> int:
    print("kumo: nothing was imported:", file=sys.stderr)
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    return 1


def _import_users(args: argparse.Namespace) -> int:
    from chalicelib.accounts import provisioning
    from chalicelib.directory import csv_input

    try:
        result = provisioning.import_file(
            Path(args.file),
            effective=args.effective,
            temporary_password=args.temporary_password,
            send_invitations=args.send_invitations,
        )
    except csv_input.ImportRejected as exc:
        return _rejected(exc.problems)
    moves = f"; {result.scheduled} moved from {args.effective}" if args.effective else ""
    print(f"imported {args.file}: {result.created} created, {result.updated} updated{moves}")
    return 0


def _import_org(args: argparse.Namespace) -> int:
    from chalicelib.directory import csv_input, org_import

    try:
        result = org_import.import_file(Path(args.file))
    except csv_input.ImportRejected as exc:
        return _rejected(exc.problems)
    followed = f"; {result.staff_moved} staff moved with their unit to its new department" if result.staff_moved else ""
    print(f"imported {args.file}: {result.created} created, {result.updated} updated{followed}")
    return 0


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a day as YYYY-MM-DD: {value!r}") from None


def _reindex(args: argparse.Namespace) -> int:
    return _run_reindex(args.function)


def _run_reindex(function: str | None) -> int:
    if function:  # in AWS the search domain admits only the API's and the indexer's roles
        import json

        from chalicelib.core import aws

        response = aws.client("lambda").invoke(
            FunctionName=function, Payload=json.dumps({"kumo_action": "reindex"}).encode()
        )
        payload = json.loads(response["Payload"].read() or b"{}")
        if response.get("FunctionError"):
            print(f"kumo: reindex failed in {function}: {payload}", file=sys.stderr)
            return 1
        print(f"reindexed: {payload.get('reindexed')}")
        return 0
    from chalicelib.projects import indexing as project_indexing
    from chalicelib.search import reindex
    from chalicelib.surveys import indexing

    # search may not import surveys or projects: their records come through the registry
    indexing.register()
    project_indexing.register()
    print(f"reindexed: {reindex.reindex().describe()}")
    return 0


def _outbox(args: argparse.Namespace) -> int:
    from chalicelib.local import outbox

    for message in outbox.messages(args.to)[: args.limit]:
        headers = "".join(f"{name}: {value}\n" for name, value in message["headers"].items())
        print(
            f"To: {', '.join(message['to'])}\nSubject: {message['subject']}\n{headers}\n{message['body']}\n{'-' * 60}"
        )
    return 0


def _webhooks(args: argparse.Namespace) -> int:
    import json

    from chalicelib.local import receiver
    from chalicelib.notifications.channels import formats

    base = args.receiver or f"http://127.0.0.1:{args.port}"
    try:
        messages = receiver.fetch(base)
    except OSError as exc:
        print(f"kumo: cannot reach the webhook receiver at {base} ({exc}): is `kumo dev` running?", file=sys.stderr)
        return 2
    for m in messages[: args.limit]:
        headers = m.get("headers", {})
        body = m.get("body")
        valid = m.get("signature_valid")
        if args.secret and headers.get("x-kumo-signature"):
            raw = formats.encode(body) if isinstance(body, dict) else str(body).encode()
            valid = formats.verify(args.secret, headers.get("x-kumo-timestamp", ""), raw, headers["x-kumo-signature"])
        signature = (
            {True: "valid", False: "INVALID", None: "not checked"}[valid] if headers.get("x-kumo-signature") else "none"
        )
        print(f"{m['received_at']}  POST {m['path']}  -> {m['answered']}  signature: {signature}")
        print(json.dumps(body, ensure_ascii=False, indent=2) if isinstance(body, dict) else body)
        print("-" * 60)
    if not messages:
        print("no webhook messages recorded yet")
    return 0


def _sweep(args: argparse.Namespace) -> int:
    from chalicelib.maintenance import sweep

    at = None
    if args.at:
        from datetime import datetime

        at = datetime.fromisoformat(args.at)
        if at.tzinfo is None:
            raise SystemExit("kumo sweep: give --at with its offset, e.g. 2026-12-21T09:00+09:00")
    report = sweep.run(at)
    print("sweep: " + (", ".join(f"{k}={v}" for k, v in sorted(report.counts.items())) or "nothing to do"))
    return 0


def _seed(args: argparse.Namespace) -> int:
    from chalicelib.local import demo

    print("demo data created" if demo.seed(only_if_empty=not args.force) else "directory not empty: left as it is")
    return 0


def _local_records(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """What the local stack recorded instead of sending: mail, and chat channels' posts."""
    out = sub.add_parser("outbox", help="mail sent through the local SES emulator (newest first)")
    out.add_argument("--to", help="only mail to this address")
    out.add_argument("--limit", type=int, default=10)
    out.set_defaults(func=_outbox)

    wh = sub.add_parser("webhooks", help="what chat channels posted to the local webhook receiver (newest first)")
    wh.add_argument("--port", type=int, default=8025, help="the receiver's port (kumo dev --receiver-port)")
    wh.add_argument("--receiver", help="the receiver's base URL (instead of --port)")
    wh.add_argument("--secret", help="a generic webhook's signing secret: check the signatures with it")
    wh.add_argument("--limit", type=int, default=10)
    wh.set_defaults(func=_webhooks)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kumo", description="Kumo: collaboration platform for the prefecture.")
    sub = parser.add_subparsers(dest="command", required=True)

    dev = sub.add_parser("dev", help="run the whole platform locally with demo data")
    dev.add_argument("--host", default="127.0.0.1")
    dev.add_argument("--port", type=int, default=8000, help="web app port (default 8000)")
    dev.add_argument("--moto-port", type=int, default=5000, help="AWS emulator port (default 5000)")
    dev.add_argument("--search-port", type=int, default=9200, help="search server port (default 9200)")
    dev.add_argument("--state-dir", default=".kumo", help="where data is kept between runs (default .kumo)")
    dev.add_argument("--save-every", type=int, default=300, help="seconds between state saves (0: only on stop)")
    dev.add_argument("--no-demo", action="store_true", help="start empty instead of with demo data")
    dev.add_argument(
        "--workers",
        type=_worker_count,
        default=4,
        help="web worker processes serving requests in parallel, like concurrent Lambda containers (default 4)",
    )
    dev.add_argument("--receiver-port", type=int, default=8025, help="the local webhook receiver's port (default 8025)")
    dev.set_defaults(func=_dev)

    boot = sub.add_parser("bootstrap", help="create every table, bucket, queue, bus, pool (idempotent)")
    boot.add_argument(
        "--web-origin",
        action="append",
        default=[],
        help="origin browsers upload from (repeatable; default: the local app on port 8000)",
    )
    boot.add_argument("--no-search", action="store_true", help="skip the search index")
    boot.set_defaults(func=_bootstrap)

    bk = sub.add_parser("backup", help="write every table's items and every object to DIR")
    bk.add_argument("dir")
    bk.set_defaults(func=_backup)
    rs = sub.add_parser("restore", help="load a backup written by `kumo backup`")
    rs.add_argument("dir")
    rs.add_argument("--reindex-function", help="in AWS: the indexer function's name, which rebuilds the index")
    rs.add_argument("--no-reindex", action="store_true", help="leave the search index as it is")
    rs.set_defaults(func=_restore)

    users = sub.add_parser("users", help="staff accounts")
    users_sub = users.add_subparsers(dest="users_command", required=True)
    imp = users_sub.add_parser("import", help="create or update staff from a CSV file (UTF-8 or Shift_JIS)")
    imp.add_argument("file")
    imp.add_argument("--temporary-password", help="first-sign-in password for new accounts (changed at sign-in)")
    imp.add_argument("--send-invitations", action="store_true", help="let Cognito e-mail new staff an invitation")
    imp.add_argument(
        "--effective",
        type=_day,
        metavar="YYYY-MM-DD",
        help="record the file's moves as transfers (人事異動) from this day (JST) instead of now",
    )
    imp.set_defaults(func=_import_users)

    org = sub.add_parser("org", help="the org tree: 部局, 所属, 係")
    org_sub = org.add_subparsers(dest="org_command", required=True)
    org_imp = org_sub.add_parser("import", help="add or update units from a CSV file (UTF-8 or Shift_JIS)")
    org_imp.add_argument("file")
    org_imp.set_defaults(func=_import_org)

    _local_records(sub)
    dlq_cli.register(sub)

    sw = sub.add_parser("sweep", help="run the scheduler's housekeeping once (expired uploads, trash, ...)")
    sw.add_argument("--at", help="run as if it were this time (ISO, with offset): try reminders and expiry")
    sw.set_defaults(func=_sweep)

    ri = sub.add_parser("reindex", help="rebuild the search index from the files and switch to it without downtime")
    ri.add_argument("--function", help="in AWS: the indexer function's name, which runs the reindex")
    ri.set_defaults(func=_reindex)

    seed = sub.add_parser("seed-demo", help="write the demo departments and staff")
    seed.add_argument("--force", action="store_true", help="even when the directory has data")
    seed.set_defaults(func=_seed)
    return parser


def _aws_problem(exc: BaseException) -> str | None:
    """One line for an AWS set-up problem anywhere in the exception's causes, else None."""
    from botocore import exceptions as aws

    from chalicelib.core.config import settings

    seen: BaseException | None = exc
    for _ in range(20):  # a chain of causes, bounded: a cycle must not hang the error message
        if seen is None:
            break
        if isinstance(seen, aws.NoCredentialsError | aws.PartialCredentialsError):
            return (
                "no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
                "(or KUMO_AWS_ENDPOINT to use the local emulator, which needs none)"
            )
        if isinstance(seen, aws.NoRegionError):
            return "no AWS region: set AWS_REGION"
        if isinstance(seen, aws.EndpointConnectionError):
            where = settings().aws_endpoint_url
            return f"cannot reach {where}: is `kumo dev` running there?" if where else f"cannot reach AWS: {seen}"
        seen = seen.__cause__ or seen.__context__
    return None


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:  # a path the operator gave
        print(f"kumo: cannot read {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2
    except Exception as exc:  # only to say what is missing in one line; anything else stays loud
        problem = _aws_problem(exc)
        if problem is None:
            raise
        print(f"kumo: {problem}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
