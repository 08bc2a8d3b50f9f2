"""docs/api/<service>.yaml is valid OpenAPI 3 and describes exactly the routes the app serves."""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
import yaml
from openapi_spec_validator import validate

from truckroll.resources import RESOURCES, SERVICES
from truckroll.web.public import PUBLIC_ROUTES

ROOT = Path(__file__).resolve().parents[2]
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


@pytest.fixture(scope="module", autouse=True)
def importable_apps() -> Iterator[None]:
    """The event decorators read ARNs from the environment when app.py is imported."""
    placeholders = {q.arn_env_var: f"arn:aws:sqs:us-east-1:123456789012:{q.name}" for q in RESOURCES.queues}
    placeholders.update(
        {
            t.stream_env_var: f"arn:aws:dynamodb:us-east-1:123456789012:table/{t.name}/stream/0"
            for t in RESOURCES.tables
        }
    )
    saved = dict(os.environ)
    for name, value in placeholders.items():
        os.environ.setdefault(name, value)
    for service in SERVICES:
        if str(ROOT / "services" / service) not in sys.path:
            sys.path.append(str(ROOT / "services" / service))
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def load(service: str) -> ModuleType:
    name = f"openapi_{service}_app"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "services" / service / "app.py")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def spec(service: str) -> dict[str, object]:
    document: dict[str, object] = yaml.safe_load((ROOT / "docs" / "api" / f"{service}.yaml").read_text())
    return document


@pytest.mark.parametrize("service", SERVICES)
def test_the_spec_is_valid_openapi(service: str) -> None:
    validate(spec(service))


@pytest.mark.parametrize("service", SERVICES)
def test_the_spec_lists_exactly_the_routes_of_the_app(service: str) -> None:
    served = {
        (method.upper(), path) for path, entries in load(service).app.routes.items() for method in entries
    }
    paths = spec(service)["paths"]
    assert isinstance(paths, dict)
    described = {(m.upper(), path) for path, item in paths.items() for m in item if m in HTTP_METHODS}
    assert served == described


@pytest.mark.parametrize("service", SERVICES)
def test_public_routes_are_marked_without_security(service: str) -> None:
    paths = spec(service)["paths"]
    assert isinstance(paths, dict)
    public = {
        (m.upper(), p) for p, item in paths.items() for m, op in item.items() if op.get("security") == []
    }
    assert public == set(PUBLIC_ROUTES[service])
