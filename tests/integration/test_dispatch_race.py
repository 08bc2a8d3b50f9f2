"""Double booking under load, through HTTP against the local stack as ``make run`` starts it: 200
concurrent requests assign 200 different jobs to one technician and time slot; exactly one wins and
199 are answered 409. ``make bench`` runs 20 trials (bench/suites/dispatch.py); this runs two."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

if str(Path(__file__).resolve().parents[2]) not in sys.path:
    sys.path.append(str(Path(__file__).resolve().parents[2]))

from bench.suites.dispatch import race, running_stack

pytestmark = pytest.mark.integration

REQUESTS = 200
FIRST_DAY = date(2027, 6, 1)


@pytest.fixture
def stack() -> Iterator[tuple[str, dict[str, str]]]:
    """A fresh stack per trial, as the bench runs them."""
    with running_stack() as running:
        yield running


@pytest.mark.parametrize("trial", [1, 2])
def test_of_200_concurrent_assignments_to_one_slot_exactly_one_wins(
    stack: tuple[str, dict[str, str]], trial: int
) -> None:
    base_url, headers = stack
    result = race(base_url, headers, "race-tech", FIRST_DAY + timedelta(days=trial), REQUESTS)
    assert dict(result.statuses) == {200: 1, 409: REQUESTS - 1}
