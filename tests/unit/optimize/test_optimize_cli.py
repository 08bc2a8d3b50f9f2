"""The ``truckroll-optimize`` command, as its public contract describes it."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from optimize_kit import job, problem, tech

from truckroll.optimize import check

pytestmark = pytest.mark.unit

SOLOMON = Path(__file__).resolve().parents[4] / "shared" / "bench" / "solomon"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "truckroll.optimize.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _solomon_rows(path: Path) -> tuple[int, dict[int, list[float]]]:
    """Capacity and customer rows, read independently of the optimizer's parser."""
    lines = path.read_text().splitlines()
    capacity = int(lines[4].split()[1])
    rows = {}
    for line in lines[9:]:
        parts = line.split()
        if len(parts) == 7:
            rows[int(parts[0])] = [float(p) for p in parts[1:]]
    return capacity, rows


@pytest.mark.skipif(not SOLOMON.is_dir(), reason="the shared Solomon instances are not beside the repository")
def test_solomon_mode_answers_a_feasible_plan_with_the_cvrplib_distance() -> None:
    result = _run("solomon", str(SOLOMON / "C101.txt"), "--seconds", "0.5", "--seed", "3")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["instance"] == "C101"
    assert answer["seconds"] < 2
    capacity, rows = _solomon_rows(SOLOMON / "C101.txt")
    served = sorted(c for route in answer["routes"] for c in route)
    assert served == list(range(1, 101))

    def leg(a: int, b: int) -> float:
        return math.floor(10 * math.dist(rows[a][:2], rows[b][:2])) / 10

    total = 0.0
    for route in answer["routes"]:
        assert sum(rows[c][2] for c in route) <= capacity
        clock, here = 0.0, 0
        for c in route:
            clock = max(clock + leg(here, c), rows[c][3])
            assert clock <= rows[c][4] + 1e-9
            clock += rows[c][5]
            total += leg(here, c)
            here = c
        total += leg(here, 0)
        assert clock + leg(here, 0) <= rows[0][4] + 1e-9
    assert answer["distance"] == pytest.approx(total, abs=1e-6)
    assert answer["distance"] <= 827.3 * 1.05  # best known under this rule


def test_solve_mode_prints_a_solution_that_passes_the_checker(tmp_path: Path) -> None:
    prob = problem([tech("t1", ("gas",)), tech("t2", home=(5, 5))], [job("j1", skills=["gas"]), job("j2")])
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(prob))
    result = _run("solve", str(path), "--seconds", "0.3")
    assert result.returncode == 0, result.stderr
    solution = json.loads(result.stdout)
    assert check(prob, solution) == []
    assert solution["summary"]["assigned"] == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"technicians": [], "jobs": [', "problem.json: not valid JSON (line 1 column 30: Expecting value)"),
        ('{"technicians": [], "jobs": [{"id": "j1"}]}', "jobs[0].location: required"),
        ('{"technicians": [{"id": "t1"}], "jobs": []}', "technicians[0].start: required"),
        ("[1, 2]", "(root): expected a JSON object"),
    ],
)
def test_bad_problem_exits_2_with_one_line_naming_the_field(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "problem.json"
    path.write_text(content)
    result = _run("solve", str(path), "--seconds", "0.2")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert message in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["solve", "/nonexistent/problem.json"], "/nonexistent/problem.json: cannot read"),
        (["solve", "p.json", "--seconds", "soon"], "--seconds: not a number: 'soon'"),
        (["solve", "p.json", "--seconds", "0"], "--seconds: must be a positive number of seconds"),
        (["solomon", "/nonexistent/C101.txt"], "/nonexistent/C101.txt: cannot read"),
        (["optimise"], "invalid choice: 'optimise'"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(args: list[str], message: str) -> None:
    result = _run(*args)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert message in result.stderr


def test_a_malformed_solomon_file_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "X1.txt"
    path.write_text("X1\nVEHICLE\nNUMBER CAPACITY\n 2 10\nCUSTOMER\n 0 0 0 0 0 100 0\n 1 1 1 1 0\n")
    result = _run("solomon", str(path), "--seconds", "0.2")
    assert result.returncode == 2
    assert result.stderr == f"{path}:7: a customer row needs 7 numbers\n"
