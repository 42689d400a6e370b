"""Synthesize the stack into a directory: ``python -m infra.synth build/cdk.out``.

Writes the cloud assembly (``Kumo.template.json`` plus the asset folders) to OUT_DIR, prints
the template's path, the time taken, and every unsuppressed cdk-nag error; exits 1 if any.
Context as for ``cdk``: ``-c prefix=kumo-stg -c deletion_protection=false``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from infra.app import build_app


def _context(pairs: list[str]) -> dict[str, str]:
    context = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise SystemExit(f"context must be key=value, got {pair!r}")
        context[key] = value
    return context


def _clear_previous_assembly(out_dir: Path) -> None:
    """Old asset folders would pile up (one per layer build); only a cloud assembly goes."""
    if not out_dir.exists() or not any(out_dir.iterdir()):
        return
    if not (out_dir / "manifest.json").is_file():
        raise SystemExit(f"{out_dir} is not empty and not a cloud assembly: not touching it")
    shutil.rmtree(out_dir)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Synthesize the Kumo CDK stack.")
    parser.add_argument("out_dir", type=Path, help="cloud assembly directory, e.g. build/cdk.out")
    parser.add_argument("-c", "--context", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args(argv)

    from aws_cdk.assertions import Annotations, Match

    started = time.perf_counter()
    out_dir = args.out_dir.resolve()
    _clear_previous_assembly(out_dir)
    app, stack = build_app(_context(args.context), outdir=out_dir)
    assembly = app.synth()
    elapsed = time.perf_counter() - started
    template = out_dir / assembly.get_stack_by_name(stack.stack_name).template_file
    errors = Annotations.from_stack(stack).find_error("*", Match.string_like_regexp("AwsSolutions-.*"))
    for error in errors:
        print(f"cdk-nag: {error.id}: {error.entry.data}", file=sys.stderr)
    print(f"{template} ({elapsed:.1f} s, {len(errors)} unsuppressed cdk-nag errors)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
