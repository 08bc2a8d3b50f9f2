"""Import the four Chalice apps into one process.

Each ``services/<svc>/app.py`` is imported under its own module name (``truckroll_<svc>_app``), so
the four never share Python's cached ``app`` module, and every ``services/<svc>`` directory is on
``sys.path``: ``chalicelib`` is a namespace package there (no ``__init__.py``), so the four
``chalicelib/<svc>`` packages merge into one ``chalicelib`` without colliding. The shared library
comes from the virtualenv, not from ``vendor/``.

Import the apps only after the environment is in ``os.environ``: their event-source decorators read
queue and stream ARNs at import time.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from chalice.app import Chalice

from truckroll.resources import SERVICES


def module_name(service: str) -> str:
    return f"truckroll_{service}_app"


def load_service_app(services_dir: Path, service: str) -> Chalice:
    """The ``app`` object of ``services_dir/<service>/app.py`` (imported once per process)."""
    name = module_name(service)
    path = services_dir / service / "app.py"
    module = sys.modules.get(name)
    if module is not None and Path(module.__file__ or "").resolve() != path.resolve():
        raise RuntimeError(f"{name} is already loaded from {module.__file__}; one set of apps per process")
    if module is None:
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot import {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[name]
            raise
    app = getattr(module, "app", None)
    if not isinstance(app, Chalice):
        raise ImportError(f"{module.__file__} defines no Chalice object named 'app'")
    return app


def load_service_apps(services_dir: Path, services: tuple[str, ...] = SERVICES) -> dict[str, Chalice]:
    for service in services:
        directory = str(services_dir / service)
        if directory not in sys.path:
            sys.path.append(directory)
    return {service: load_service_app(services_dir, service) for service in services}
