"""Binding PynamoDB models to the tables of :mod:`truckroll.resources`, named by the environment.

Model classes are defined at import time, but table names are only known at run time (a stage
prefix, set in each function's environment). ``TableMeta`` reads them on every access, so a model
follows the environment it runs in; PynamoDB reconnects when a model's table name changes. The
endpoint is left to botocore, which honours ``AWS_ENDPOINT_URL`` (the local stack sets it).
"""

from __future__ import annotations

import os
from functools import cache

from pynamodb.connection import Connection

from truckroll.resources import RESOURCES


class TableMeta(type):
    """Metaclass of a model's ``Meta``: ``table_name`` and ``region`` come from the environment."""

    logical_table: str

    @property
    def table_name(cls) -> str:
        env_var = RESOURCES.table(cls.logical_table).env_var
        name = os.environ.get(env_var)
        if not name:
            raise RuntimeError(f"environment variable {env_var} is not set")
        return name

    @property
    def region(cls) -> str:
        return region()


def region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


@cache
def _connection(region_name: str, endpoint: str | None) -> Connection:
    return Connection(region=region_name, host=endpoint)


def connection() -> Connection:
    """A low-level connection for transactions (one per region and endpoint)."""
    return _connection(region(), os.environ.get("AWS_ENDPOINT_URL") or None)
