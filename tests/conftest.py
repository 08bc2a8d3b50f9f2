"""Shared fixtures. Each pytest-xdist worker gets its own moto server and stack on free ports.

- ``embedded_aws``: a moto server for this worker (``Aws``: ``.endpoint`` and client factories).
- ``local_stack``: the whole system in this process (the four apps, gateway, issuer, pumps) with
  nothing running in the background: ``local_stack.request(method, path, headers, body)``,
  ``local_stack.drain()``, ``local_stack.token(username)``, ``local_stack.auth_headers(username)``.
- ``token``: ``token(username="dispatcher@demo", ttl_seconds=3600, tenant_id=None) -> str``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from truckroll_local.aws import Aws
    from truckroll_local.stack import LocalStack


@pytest.fixture(scope="session")
def embedded_aws() -> Iterator[Aws]:
    from truckroll_local.aws import Aws
    from truckroll_local.moto_process import MotoServer

    server = MotoServer()
    server.start()
    try:
        yield Aws(server.endpoint)
    finally:
        server.stop()


@pytest.fixture(scope="session")
def local_stack() -> Iterator[LocalStack]:
    from truckroll_local.stack import LocalStack

    with LocalStack(background=False, retry_backoff_seconds=0) as stack:
        yield stack


@pytest.fixture
def token(local_stack: LocalStack) -> Callable[..., str]:
    return local_stack.token
