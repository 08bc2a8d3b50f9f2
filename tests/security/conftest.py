"""The security suite: every test here carries the ``security`` marker (``make security``).

The HTTP tests share the worker's ``local_stack`` (one per pytest-xdist worker) and read the route
tables from the mounted Chalice apps, so a route added later is swept without editing the suite.
Heavy imports wait for the fixtures, as in ``tests/conftest.py``: collecting other suites stays light.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from world import World

    from truckroll_local.stack import LocalStack


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.security)


@pytest.fixture(scope="session")
def world(local_stack: LocalStack) -> World:
    """One tenant with data behind every kind of id, built once per worker. The tests attack it
    from other tenants or read it; what they add in it (a second technician, users first seen)
    is nothing the sweeps compare."""
    from world import build_world

    return build_world(local_stack)
