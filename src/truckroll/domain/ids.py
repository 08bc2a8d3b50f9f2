"""Identifiers: ULIDs, so ids sort by creation time and carry no tenant information."""

from __future__ import annotations

from ulid import ULID


def new_id() -> str:
    return str(ULID())
