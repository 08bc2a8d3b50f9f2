"""Random small days: whatever the solver plans, the checker finds no broken rule."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from optimize_kit import at, job, problem, tech

from truckroll.optimize import check, solve

pytestmark = pytest.mark.unit

SKILLS = ("gas", "hvac")


def _clock(quarter: int) -> str:
    return at(quarter // 4, 15 * (quarter % 4))


@st.composite
def _tech(draw: st.DrawFn, ident: str) -> dict[str, Any]:
    begin = draw(st.integers(7, 10))
    end = begin + draw(st.integers(3, 9))
    blocks = []
    if draw(st.booleans()):
        start = draw(st.integers(4 * begin, 4 * end - 1))
        blocks.append((_clock(start), _clock(start + draw(st.integers(1, 4)))))
    return tech(
        ident,
        tuple(draw(st.lists(st.sampled_from(SKILLS), unique=True))),
        home=(draw(st.integers(-10, 10)), draw(st.integers(-10, 10))),
        shift=(begin, end),
        blocks=tuple(blocks),
        cap=draw(st.sampled_from([None, None, 20, 40])),
    )


@st.composite
def _job(draw: st.DrawFn, ident: str, techs: list[str]) -> dict[str, Any]:
    windows = []
    for _ in range(draw(st.integers(0, 2))):
        start = draw(st.integers(4 * 7, 4 * 17))
        windows.append((_clock(start), _clock(start + draw(st.integers(0, 16)))))
    extra: dict[str, Any] = {
        "skills": draw(st.lists(st.sampled_from(SKILLS), unique=True, max_size=1)),
        "priority": draw(st.integers(1, 10)),
        "required": draw(st.booleans()) and draw(st.booleans()),
        "technicians_needed": draw(st.sampled_from([1, 1, 1, 2, 3])),
    }
    if draw(st.integers(0, 4)) == 0:
        extra["technician"] = draw(st.sampled_from([*techs, "ghost"]))
    if draw(st.integers(0, 4)) == 0:
        extra["locked_start"] = _clock(draw(st.integers(4 * 7, 4 * 17)))
    return job(
        ident,
        where=(draw(st.integers(-15, 15)), draw(st.integers(-15, 15))),
        minutes=draw(st.sampled_from([0, 15, 30, 60, 120])),
        windows=tuple(windows),
        **extra,
    )


@st.composite
def _problem(draw: st.DrawFn) -> dict[str, Any]:
    ids = [f"t{k}" for k in range(draw(st.integers(1, 3)))]
    techs = [draw(_tech(i)) for i in ids]
    jobs = [draw(_job(f"j{k}", ids)) for k in range(draw(st.integers(0, 7)))]
    return problem(techs, jobs)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_problem())
def test_no_plan_breaks_a_hard_rule(prob: dict[str, Any]) -> None:
    solution = solve(prob, 0.15)
    unplanned_required = {u["job"] for u in solution["unassigned"] if u.get("required")}
    assert unplanned_required == {j["id"] for j in prob["jobs"] if j["required"]} - {
        v["job"] for r in solution["routes"] for v in r["visits"]
    }
    assert check(prob, solution) == [f"required job {j} is not planned" for j in sorted(unplanned_required)]
    assert all(u["reason"] for u in solution["unassigned"])


@st.composite
def _matrix_problem(draw: st.DrawFn) -> dict[str, Any]:
    """Any travel matrix, asymmetric and breaking the triangle inequality as it likes."""
    prob = draw(_problem())
    size = draw(st.integers(2, 5))
    matrix = [[0 if a == b else draw(st.integers(0, 4 * 3600)) for b in range(size)] for a in range(size)]
    prob["travel"] = {"matrix_seconds": matrix, "index": {f"p{k}": k for k in range(size)}}
    for person in prob["technicians"]:
        person["start"] = person["end"] = {"id": f"p{draw(st.integers(0, size - 1))}"}
    for work in prob["jobs"]:
        work["location"] = {"id": f"p{draw(st.integers(0, size - 1))}"}
    return prob


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_matrix_problem())
def test_no_plan_breaks_a_hard_rule_with_any_travel_matrix(prob: dict[str, Any]) -> None:
    solution = solve(prob, 0.15)
    violations = [v for v in check(prob, solution) if not v.startswith("required job ")]
    assert violations == []
