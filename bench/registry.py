"""The registry of benchmark suites."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

import bench.suites


@dataclass(frozen=True, slots=True)
class Suite:
    name: str
    summary: str
    #: Runs the suite with the parsed command line; returns the Markdown report.
    run: Callable[[argparse.Namespace], str]
    #: Adds the suite's own options (prefix them with the suite name) to the command line.
    options: Callable[[argparse.ArgumentParser], None] | None = None


_SUITES: dict[str, Suite] = {}


def register(suite: Suite) -> Suite:
    if suite.name in _SUITES:
        raise ValueError(f"benchmark suite {suite.name!r} is registered twice")
    _SUITES[suite.name] = suite
    return suite


def all_suites() -> dict[str, Suite]:
    """Every suite in bench/suites/, imported on first use."""
    for module in pkgutil.iter_modules(bench.suites.__path__):
        importlib.import_module(f"bench.suites.{module.name}")
    return dict(_SUITES)
