"""``python -m bench [SUITE ...] [--quick] [--out DIR]``: run suites, write bench/results/SUITE.md."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bench.registry import all_suites

RESULTS = Path(__file__).resolve().parent / "results"


def main(argv: list[str] | None = None) -> int:
    known = all_suites()
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "suite", nargs="*", help=f"suites to run (default: all of {', '.join(sorted(known))})"
    )
    parser.add_argument("--quick", action="store_true", help="a small, fast profile of each suite")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the Markdown results go")
    for suite in known.values():
        if suite.options is not None:
            suite.options(parser)
    args = parser.parse_args(argv)
    if unknown := [s for s in args.suite if s not in known]:
        parser.error(f"unknown suite(s): {', '.join(unknown)}")
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.suite or sorted(known):
        began = time.perf_counter()
        print(f"== {name}", file=sys.stderr, flush=True)
        report = known[name].run(args)
        path = args.out / f"{name}{'-quick' if args.quick else ''}.md"
        path.write_text(report)
        print(f"== {name}: {path} ({time.perf_counter() - began:.0f} s)", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
