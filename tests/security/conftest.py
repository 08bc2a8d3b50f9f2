"""The security suite: every test here carries the ``security`` marker (``make security``).

The HTTP tests share the worker's ``local_stack`` (one per pytest-xdist worker) and read the route
tables from the mounted Chalice apps, so a route added later is swept without editing the suite.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

SERVICES = Path(__file__).resolve().parents[2] / "services"
for service_dir in sorted(SERVICES.iterdir()):
    if (service_dir / "app.py").exists() and str(service_dir) not in sys.path:
        sys.path.append(str(service_dir))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.security)
