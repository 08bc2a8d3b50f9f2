"""Schemathesis sends generated requests to every operation of docs/api/*.yaml, over HTTP, to the
stack ``make run`` serves: no answer is a server error, and every answer is one the spec documents
(status code, content type, headers, body schema).

Operations come from the specs as they are, so a new route is fuzzed as soon as it is described.
Path parameters name a seeded demo record part of the time (a job, its appointment, its customer
and location, a technician, the tenant, the demo day, a customer tracking link), so the handlers
behind a successful lookup are reached too. Office routes are called as the demo company's admin;
public routes (``security: []``: webhooks, Reserve with Google, online booking, tracking links,
device fixes, inbound SMS) without that token, with whatever credentials the generator makes up.

Two profiles, both derandomized: ``fast`` (the default, part of ``make test``: a few examples per
operation) and ``full`` (``make fuzz``: TRUCKROLL_FUZZ_PROFILE=full, 100 examples per operation
plus Schemathesis' coverage phase of boundary and invalid values).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from fuzz_support import FuzzTarget
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from truckroll.resources import SERVICES

pytestmark = pytest.mark.fuzz

ROOT = Path(__file__).resolve().parents[2]
PROFILE_ENV = "TRUCKROLL_FUZZ_PROFILE"
PROFILES = {"fast": 6, "full": 100}
PROFILE = os.environ.get(PROFILE_ENV, "fast")
if PROFILE not in PROFILES:
    raise pytest.UsageError(f"{PROFILE_ENV} must be one of {sorted(PROFILES)}, not {PROFILE!r}")
EXAMPLES = PROFILES[PROFILE]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Filled by ``fuzz_stack`` before the first example is drawn: seeded records by path parameter.
SEEDED: list[dict[str, str]] = []


def _schema(service: str) -> schemathesis.BaseSchema:
    config = schemathesis.Config.from_dict(
        {"cache": {"enabled": False}, "phases": {"coverage": {"enabled": PROFILE == "full"}}}
    )
    schema = schemathesis.openapi.from_path(ROOT / "docs" / "api" / f"{service}.yaml", config=config)

    @schema.hook
    def flatmap_path_parameters(
        context: schemathesis.HookContext, path_parameters: dict[str, Any] | None
    ) -> st.SearchStrategy[dict[str, Any] | None]:
        """Half the time, the parameters a seeded record has take its values (records that have
        all of them first: only the dispatched appointment has a tracking link)."""
        names = set(path_parameters or ())
        records = [r for r in SEEDED if names <= r.keys()] or [r for r in SEEDED if names & r.keys()]
        if not path_parameters or not records:
            return st.just(path_parameters)
        generated = path_parameters
        seeded = st.sampled_from(records).map(
            lambda record: {name: record.get(name, value) for name, value in generated.items()}
        )
        return st.one_of(st.just(path_parameters), seeded)

    return schema


@pytest.fixture(autouse=True)
def seeded_records(fuzz_stack: FuzzTarget) -> None:
    SEEDED[:] = fuzz_stack.records


def _public(case: schemathesis.Case) -> bool:
    return case.operation.definition.raw.get("security") == []


@schemathesis.pytest.parametrize(**{service: _schema(service) for service in SERVICES})
@hypothesis.settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_every_operation_answers_as_documented(case: schemathesis.Case, fuzz_stack: FuzzTarget) -> None:
    headers = {} if _public(case) else fuzz_stack.auth_headers()
    service = case.operation.schema.raw_schema["servers"][0]["url"]
    case.call_and_validate(base_url=f"{fuzz_stack.base_url}{service}", headers=headers, checks=CHECKS)
