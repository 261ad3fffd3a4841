"""Command line: ``python -m forum.scheduling solve FILE [--time-limit S] [--seed N] [--exact]``.

FILE is a B2B ``.dzn`` file or a JSON instance (see :mod:`forum.scheduling.jsonio`). The solution is printed as
JSON on stdout; a missing, unreadable or malformed file, or an unknown extension, prints a message on stderr
and exits with code 2 (argparse uses 2 for bad arguments too).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from forum.scheduling.errors import InstanceError
from forum.scheduling.jsonio import load_instance, solution_to_json

EXIT_BAD_INPUT = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m forum.scheduling", description="B2B meeting scheduler")
    sub = parser.add_subparsers(dest="command", required=True)
    solve = sub.add_parser("solve", help="schedule the meetings of an instance and print the solution as JSON")
    solve.add_argument("file", help="instance file: .dzn (B2B benchmark format) or .json")
    solve.add_argument("--time-limit", type=float, default=10.0, help="seconds for the search (default 10)")
    solve.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    solve.add_argument("--exact", action="store_true", help="use the MILP reference solver (small instances only)")
    solve.add_argument("--check", action="store_true", help="also run the constraint checker and list violations")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.time_limit <= 0:
        print("error: --time-limit must be positive", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        instance = load_instance(args.file)
    except InstanceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT

    if args.exact:
        from forum.scheduling.exact import solve_exact

        solution = solve_exact(instance, time_limit=args.time_limit)
    else:
        from forum.scheduling.solver import solve  # written separately; imported late so --help works alone

        solution = solve(instance, time_limit=args.time_limit, seed=args.seed)
    out = solution_to_json(instance, solution)
    if args.check:
        from forum.scheduling.checks import check

        out["violations"] = [{"rule": v.rule, "detail": v.detail} for v in check(instance, solution)]
    try:
        json.dump(out, sys.stdout)
        sys.stdout.write("\n")
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader (say, `| head`) stopped early: not an error of ours, and no traceback.
        sys.stderr.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
