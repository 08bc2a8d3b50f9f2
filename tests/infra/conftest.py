"""Fixtures of the infra tier: one synthesized assembly per session (see ``infra_assembly``)."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator

import pytest
from infra_assembly import Assembly, synthesized_assembly

from truckroll.resources import SERVICES


@pytest.fixture(scope="session")
def assembly() -> Assembly:
    return synthesized_assembly()


@pytest.fixture(scope="session")
def packages(assembly: Assembly) -> Iterator[dict[str, zipfile.ZipFile]]:
    opened = {service: zipfile.ZipFile(assembly.code_package(service)) for service in SERVICES}
    yield opened
    for package in opened.values():
        package.close()
