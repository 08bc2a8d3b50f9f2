"""Typed configuration read from the environment once per process."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class AuthSettings:
    issuer: str
    audience: str
    jwks_url: str | None
    jwks_json: str | None
    leeway_seconds: int = 30


@dataclass(frozen=True)
class Settings:
    stage: str
    region: str
    aws_endpoint_url: str | None
    core_table: str
    notify_table: str
    tracking_table: str
    idempotency_table: str
    auth: AuthSettings

    def queue_name(self, env_var: str) -> str:
        return _required(env_var)


def _required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"environment variable {name} is not set")
    return value


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings(
        stage=os.environ.get("STAGE", "local"),
        region=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
        aws_endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None,
        core_table=_required("CORE_TABLE"),
        notify_table=_required("NOTIFY_TABLE"),
        tracking_table=_required("TRACKING_TABLE"),
        idempotency_table=_required("IDEMPOTENCY_TABLE"),
        auth=AuthSettings(
            issuer=_required("AUTH_ISSUER"),
            audience=_required("AUTH_AUDIENCE"),
            jwks_url=os.environ.get("AUTH_JWKS_URL") or None,
            jwks_json=os.environ.get("AUTH_JWKS_JSON") or None,
        ),
    )
