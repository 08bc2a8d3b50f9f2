"""JWT verification: signature, expiry, issuer, audience and algorithm are all enforced."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from truckroll.auth import Principal, Role, TokenVerifier
from truckroll.config import AuthSettings
from truckroll.errors import Unauthorized

pytestmark = pytest.mark.unit

ISSUER = "https://issuer.test/auth"
AUDIENCE = "truckroll"


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


SIGNING_KEY = _key()
OTHER_KEY = _key()


def _jwks(key: rsa.RSAPrivateKey, kid: str) -> str:
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update(kid=kid, alg="RS256", use="sig")
    return json.dumps({"keys": [jwk]})


@pytest.fixture
def verifier() -> TokenVerifier:
    return TokenVerifier(AuthSettings(ISSUER, AUDIENCE, jwks_url=None, jwks_json=_jwks(SIGNING_KEY, "k1")))


def _claims(expires_in: int = 600, **overrides: Any) -> dict[str, Any]:
    """Claims made now (not when the tests are collected: a long run would see them expire)."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": "u1",
        "tenant_id": "t1",
        "role": "dispatcher",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + expires_in,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _token(claims: dict[str, Any], key: rsa.RSAPrivateKey = SIGNING_KEY, kid: str = "k1") -> str:
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def test_valid_token_gives_the_principal(verifier: TokenVerifier) -> None:
    assert verifier.verify(_token(_claims())) == Principal("u1", "t1", Role.DISPATCHER)


def test_cognito_custom_attributes_are_read(verifier: TokenVerifier) -> None:
    claims = _claims(tenant_id=None, role=None, **{"custom:tenant_id": "t9", "custom:role": "technician"})
    assert verifier.verify(_token(claims)) == Principal("u1", "t9", Role.TECHNICIAN)


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"expires_in": -120}, "expired"),
        ({"aud": "someone-else"}, "(?i)audience"),
        ({"iss": "https://evil.test"}, "(?i)issuer"),
        ({"tenant_id": None}, "tenant"),
        ({"role": "superuser"}, "role"),
        ({"exp": None}, "exp"),
    ],
)
def test_bad_claims_are_refused(verifier: TokenVerifier, overrides: dict[str, Any], reason: str) -> None:
    with pytest.raises(Unauthorized, match=reason):
        verifier.verify(_token(_claims(**overrides)))


def test_token_signed_by_another_key_is_refused(verifier: TokenVerifier) -> None:
    with pytest.raises(Unauthorized):
        verifier.verify(_token(_claims(), key=OTHER_KEY))


def test_unknown_key_id_is_refused(verifier: TokenVerifier) -> None:
    with pytest.raises(Unauthorized, match="unknown key"):
        verifier.verify(_token(_claims(), kid="k2"))


def test_alg_none_is_refused(verifier: TokenVerifier) -> None:
    unsigned = jwt.encode(_claims(), key=None, algorithm="none", headers={"kid": "k1"})
    with pytest.raises(Unauthorized):
        verifier.verify(unsigned)


def test_hs256_signed_with_the_public_key_is_refused(verifier: TokenVerifier) -> None:
    public_pem = SIGNING_KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = jwt.utils.base64url_encode(json.dumps({"alg": "HS256", "kid": "k1", "typ": "JWT"}).encode())
    payload = jwt.utils.base64url_encode(json.dumps(_claims()).encode())
    signature = hmac.new(public_pem, header + b"." + payload, hashlib.sha256).digest()
    forged = b".".join([header, payload, jwt.utils.base64url_encode(signature)]).decode()
    with pytest.raises(Unauthorized):
        verifier.verify(forged)


def test_garbage_is_refused(verifier: TokenVerifier) -> None:
    with pytest.raises(Unauthorized):
        verifier.verify("not-a-jwt")
