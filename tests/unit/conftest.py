"""Unit tests: pure domain and use cases with in-memory fakes; no AWS.

The services' ``chalicelib`` is a namespace package spread over ``services/<svc>``; putting every
service directory on ``sys.path`` lets the tests import all four ``chalicelib.<svc>`` packages.
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
            item.add_marker(pytest.mark.unit)
