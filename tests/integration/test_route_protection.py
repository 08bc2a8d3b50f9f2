"""Every route except the explicit allow-list requires a verified token.

Checked twice: statically (each route entry carries the JWT authorizer) and through the gateway
(each protected route answers 401 problem+json without a token, with an expired one and with one
signed by a key the issuer never published).
"""

from __future__ import annotations

import re
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from truckroll.web.public import PUBLIC_ROUTES, is_public
from truckroll_local.stack import LocalStack

pytestmark = pytest.mark.integration


def _routes(stack: LocalStack) -> list[tuple[str, str, str]]:
    return sorted(
        (service, method, path)
        for service, app in stack.apps.items()
        for path, entries in app.routes.items()
        for method in entries
    )


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x0", path)


def test_every_route_but_the_allow_list_has_the_jwt_authorizer(local_stack: LocalStack) -> None:
    routes = _routes(local_stack)
    assert len(routes) > len(PUBLIC_ROUTES)
    for service, method, path in routes:
        entry = local_stack.apps[service].routes[path][method]
        if is_public(service, method, path):
            assert entry.authorizer is None, (service, method, path)
        else:
            assert entry.authorizer is not None, (service, method, path)
            assert entry.authorizer.name == "jwt_auth", (service, method, path)


def test_every_allow_listed_route_exists(local_stack: LocalStack) -> None:
    served = {(service, method, path) for service, method, path in _routes(local_stack)}
    for service, allowed in PUBLIC_ROUTES.items():
        for method, path in allowed:
            assert (service, method, path) in served


def _forged_token() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    claims = {
        "sub": "mallory",
        "tenant_id": "demo",
        "role": "admin",
        "iat": now,
        "exp": now + 600,
        "iss": "anything",
        "aud": "truckroll",
    }
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "forged"})


@pytest.mark.parametrize("credential", ["none", "expired", "foreign-key", "not-bearer"])
def test_protected_routes_refuse_missing_and_bad_tokens(local_stack: LocalStack, credential: str) -> None:
    headers = {
        "none": {},
        "expired": {"Authorization": f"Bearer {local_stack.token('dispatcher@demo', ttl_seconds=-120)}"},
        "foreign-key": {"Authorization": f"Bearer {_forged_token()}"},
        "not-bearer": {"Authorization": local_stack.token("dispatcher@demo")},
    }[credential]
    protected = [r for r in _routes(local_stack) if not is_public(*r)]
    assert protected
    for service, method, path in protected:
        response = local_stack.request(method, f"/{service}{_concrete(path)}", headers=headers, body={})
        assert response.status == 401, (service, method, path, response.status, response.text)
        assert response.header("Content-Type") == "application/problem+json"
