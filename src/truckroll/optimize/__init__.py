"""Route optimizer: plans technicians' days (see docs/optimizer.md and the public contract).

``solve(problem, seconds, seed)`` returns a SOLUTION dict; ``check(problem, solution)`` lists every
hard rule a solution breaks; ``rank_technicians(problem, job_id)`` says why each technician would
take a job or not; ``ProblemError`` is bad input. They load on first use (NumPy and
pydantic with them, PyVRP only when a plan is actually routed), so importing the package is free.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from truckroll.optimize.checker import check
    from truckroll.optimize.explain import Verdict, rank_technicians
    from truckroll.optimize.problem import ProblemError
    from truckroll.optimize.solver import solve

__all__ = ["ProblemError", "Verdict", "check", "rank_technicians", "solve"]

_HOMES = {
    "check": "checker",
    "ProblemError": "problem",
    "solve": "solver",
    "Verdict": "explain",
    "rank_technicians": "explain",
}


def __getattr__(name: str) -> object:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
