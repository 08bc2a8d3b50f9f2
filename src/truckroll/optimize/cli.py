"""``truckroll-optimize``: plan a PROBLEM.json, or solve a Solomon instance; JSON on stdout.

Bad input exits with code 2 and one line on stderr naming what is wrong.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from truckroll.optimize.problem import ProblemError

BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(BAD_INPUT, f"{self.prog}: {message}\n")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds: {text!r}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="truckroll-optimize", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    solve = sub.add_parser("solve", help="plan a PROBLEM.json; prints SOLUTION JSON")
    solve.add_argument("problem", metavar="PROBLEM.json")
    solomon = sub.add_parser("solomon", help="solve a Solomon VRPTW instance (CVRPLIB distance rule)")
    solomon.add_argument("file", metavar="FILE")
    for p in (solve, solomon):
        p.add_argument("--seconds", type=_seconds, default=10.0, help="time limit (default 10)")
        p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "solve":
            from truckroll.optimize.solver import solve

            answer = solve(_load(args.problem), args.seconds, args.seed)
        else:
            from truckroll.optimize.solomon import read, solve_instance

            answer = solve_instance(read(args.file), args.seconds, args.seed)
    except ProblemError as err:
        print(str(err).replace("\n", " "), file=sys.stderr)
        return BAD_INPUT
    json.dump(answer, sys.stdout)
    sys.stdout.write("\n")
    return 0


def _load(name: str) -> dict[str, Any]:
    try:
        text = Path(name).read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise ProblemError(name, f"cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProblemError(
            name, f"not valid JSON (line {exc.lineno} column {exc.colno}: {exc.msg})"
        ) from None
    if not isinstance(raw, dict):
        raise ProblemError("(root)", "expected a JSON object")
    return raw


if __name__ == "__main__":
    sys.exit(main())
