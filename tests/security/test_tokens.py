"""Tokens the authorizer must refuse, beyond those of ``tests/unit/test_auth_tokens.py``.

Already proven there (not repeated here): ``alg: none``
(``test_alg_none_is_refused``), HS256 signed with the public key
(``test_hs256_signed_with_the_public_key_is_refused``), expired, wrong audience, wrong issuer,
no ``tenant_id``, an unknown role and no ``exp`` (``test_bad_claims_are_refused``), another key
(``test_token_signed_by_another_key_is_refused``), a key id not in the JWKS
(``test_unknown_key_id_is_refused``) and garbage (``test_garbage_is_refused``). Through the
gateway, ``tests/integration/test_route_protection.py`` refuses missing, expired, foreign-key and
non-Bearer tokens on every protected route.
"""

from __future__ import annotations

import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from truckroll.auth import TokenVerifier
from truckroll.config import AuthSettings
from truckroll.errors import Unauthorized
from truckroll.net import UnsafeUrl
from truckroll_local.stack import LocalStack

ISSUER = "https://issuer.test/auth"
AUDIENCE = "truckroll"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ATTACKER = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _jwks() -> str:
    jwk = json.loads(RSAAlgorithm.to_jwk(KEY.public_key()))
    jwk.update(kid="k1", alg="RS256", use="sig")
    return json.dumps({"keys": [jwk]})


VERIFIER = TokenVerifier(AuthSettings(ISSUER, AUDIENCE, jwks_url=None, jwks_json=_jwks()))


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {"sub": "u1", "tenant_id": "t1", "role": "dispatcher", "iss": ISSUER, "aud": AUDIENCE}
    claims |= {"iat": now, "exp": now + 600}
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _token(claims: dict[str, Any], headers: dict[str, Any] | None = None, algorithm: str = "RS256") -> str:
    return jwt.encode(claims, KEY, algorithm=algorithm, headers={"kid": "k1", **(headers or {})})


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        (_claims(role=None), "role"),
        (_claims(tenant_id=""), "tenant"),
        (_claims(tenant_id=["t1", "t2"]), "tenant"),
        (_claims(role="Admin"), "role"),
        (_claims(role="customer"), "role"),
        (_claims(sub=None), "sub"),
        (_claims(iat=None), "iat"),
        (_claims(aud=None), "aud"),
        (_claims(iss=None), "iss"),
        (_claims(aud=["someone-else"]), "(?i)audience"),
    ],
)
def test_tokens_missing_or_bending_a_claim_are_refused(claims: dict[str, Any], reason: str) -> None:
    with pytest.raises(Unauthorized, match=reason):
        VERIFIER.verify(_token(claims))


def test_a_token_without_a_key_id_is_refused() -> None:
    token = jwt.encode(_claims(), KEY, algorithm="RS256")
    with pytest.raises(Unauthorized, match="unknown key"):
        VERIFIER.verify(token)


def test_another_rsa_algorithm_with_the_right_key_is_refused() -> None:
    with pytest.raises(Unauthorized):
        VERIFIER.verify(_token(_claims(), algorithm="RS512"))


def test_a_token_pointing_at_its_own_keys_is_not_believed() -> None:
    """``jku``/``jwk`` headers naming the attacker's key set are never fetched nor used."""
    attacker_jwk = json.loads(RSAAlgorithm.to_jwk(ATTACKER.public_key()))
    headers = {"kid": "k1", "jku": "https://attacker.example/jwks.json", "jwk": attacker_jwk}
    token = jwt.encode(_claims(role="admin"), ATTACKER, algorithm="RS256", headers=headers)
    with pytest.raises(Unauthorized):
        VERIFIER.verify(token)


@pytest.mark.parametrize(
    "url",
    ["http://issuer.example/jwks.json", "https://127.0.0.1/jwks.json", "https://169.254.169.254/latest/"],
)
def test_a_jwks_url_the_url_guard_refuses_stops_the_verifier(url: str) -> None:
    with pytest.raises(UnsafeUrl):
        TokenVerifier(AuthSettings(ISSUER, AUDIENCE, jwks_url=url, jwks_json=None))


def test_the_gateway_refuses_an_unknown_role_minted_by_the_real_issuer(local_stack: LocalStack) -> None:
    """Signed by the trusted key, yet naming a role that does not exist: 401, not a guess."""
    claims = {
        "sub": "odd",
        "tenant_id": "demo",
        "role": "superuser",
        "iss": local_stack.issuer.issuer_url,
        "aud": local_stack.issuer.audience,
        "iat": int(time.time()),
        "exp": int(time.time()) + 600,
    }
    token = jwt.encode(
        claims, local_stack.issuer._key, algorithm="RS256", headers={"kid": local_stack.issuer._key_id}
    )
    answer = local_stack.request(
        "GET", "/dispatch/board?date=2027-05-04", {"Authorization": f"Bearer {token}"}
    )
    assert answer.status == 401
    assert answer.header("Content-Type") == "application/problem+json"
