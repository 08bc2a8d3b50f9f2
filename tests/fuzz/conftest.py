"""Schemathesis against the local stack over HTTP: one stack, seeded with the demo company, per worker."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fuzz_support import FuzzTarget, fuzz_target


@pytest.fixture(scope="session")
def fuzz_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzTarget]:
    with fuzz_target(tmp_path_factory.mktemp("fuzz") / "stack.log") as target:
        yield target
