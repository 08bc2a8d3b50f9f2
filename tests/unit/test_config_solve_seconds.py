"""Automatic dispatch's solve time per planned day comes from typed configuration."""

from __future__ import annotations

import pytest

from truckroll.config import DEFAULT_SOLVE_SECONDS, SOLVE_SECONDS_ENV, auto_dispatch_solve_seconds

pytestmark = pytest.mark.unit


def test_unset_gives_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SOLVE_SECONDS_ENV, raising=False)
    assert auto_dispatch_solve_seconds() == DEFAULT_SOLVE_SECONDS


def test_a_positive_number_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SOLVE_SECONDS_ENV, "0.5")
    assert auto_dispatch_solve_seconds() == 0.5


@pytest.mark.parametrize("raw", ["", "fast", "0", "-1", "nan"])
def test_anything_else_is_refused_naming_the_variable(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv(SOLVE_SECONDS_ENV, raw)
    with pytest.raises(RuntimeError, match=SOLVE_SECONDS_ENV):
        auto_dispatch_solve_seconds()
