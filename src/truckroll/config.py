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


LOCAL_STAGE = "local"
LINK_BASE_URL_ENV = "TRACKING_LINK_BASE_URL"
LINK_SECRET_ENV = "TRACKING_LINK_SECRET"  # noqa: S105 (the variable's name, not a secret)
PUBLIC_LINKS_PATH = "/tracking/links/"  # the gateway's route of the customer's link
LOCAL_LINK_BASE_URL = f"http://127.0.0.1:8000{PUBLIC_LINKS_PATH}"
LOCAL_LINK_SECRET = "local-stage-only-tracking-link-secret"  # noqa: S105 (the local stage only)


@dataclass(frozen=True)
class LinkSettings:
    """The customer's tracking link: the public URL a token is appended to, and the secret tokens
    are derived from (so every technician of an appointment gets the same link, and only its hash
    is ever stored)."""

    base_url: str
    secret: bytes


@lru_cache(maxsize=1)
def link_settings() -> LinkSettings:
    """``TRACKING_LINK_BASE_URL`` and ``TRACKING_LINK_SECRET``: required on AWS; on the local stage
    they default to the local gateway's public link route and a fixed secret."""
    local = os.environ.get("STAGE", LOCAL_STAGE) == LOCAL_STAGE
    base_url = os.environ.get(LINK_BASE_URL_ENV) or (
        LOCAL_LINK_BASE_URL if local else _required(LINK_BASE_URL_ENV)
    )
    secret = os.environ.get(LINK_SECRET_ENV) or (LOCAL_LINK_SECRET if local else _required(LINK_SECRET_ENV))
    return LinkSettings(base_url=base_url, secret=secret.encode())


# Where browsers reach S3 through presigned URLs when not S3 itself (the local gateway's /s3).
STORAGE_PUBLIC_ENDPOINT_ENV = "STORAGE_PUBLIC_ENDPOINT"

SOLVE_SECONDS_ENV = "AUTO_DISPATCH_SOLVE_SECONDS"
DEFAULT_SOLVE_SECONDS = 2.0


def auto_dispatch_solve_seconds() -> float:
    """Seconds the optimizer gets for one day of one tenant's plan (``AUTO_DISPATCH_SOLVE_SECONDS``,
    2 by default); anything but a positive number stops the function at start, saying which."""
    raw = os.environ.get(SOLVE_SECONDS_ENV)
    if raw is None:
        return DEFAULT_SOLVE_SECONDS
    try:
        seconds = float(raw)
    except ValueError:
        seconds = 0.0
    if not seconds > 0:
        raise RuntimeError(f"environment variable {SOLVE_SECONDS_ENV} must be a positive number, not {raw!r}")
    return seconds


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
