"""Binding PynamoDB models to the tables of :mod:`truckroll.resources`, named by the environment.

Model classes are defined at import time, but table names are only known at run time (a stage
prefix, set in each function's environment). ``TableMeta`` reads them on every access, so a model
follows the environment it runs in; PynamoDB reconnects when a model's table name changes. The
endpoint is left to botocore, which honours ``AWS_ENDPOINT_URL`` (the local stack sets it).

Every model and every transaction of a process talks through one botocore client
(:class:`TableModel`, :func:`connection`). PynamoDB would give each model class its own, and a
client costs tens of milliseconds of model loading to create: a cold start paid once per model
class, and, where one process serves many threads (the local stack), paid by every thread that
finds a model's client not made yet: two hundred concurrent requests built two hundred clients.
"""

from __future__ import annotations

import os
import threading
from functools import cache
from typing import Any

from pynamodb.connection import Connection, TableConnection
from pynamodb.exceptions import TableError
from pynamodb.models import Model

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


# One client serves every thread: enough pooled HTTP connections that concurrent requests do not
# open (and throw away) a connection each. A Lambda function uses one at a time.
POOL_CONNECTIONS = 64


class SharedConnection(Connection):
    """A :class:`Connection` whose client is made once, however many threads ask at the same time,
    and which knows the schema of every table its models use."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._lock = threading.Lock()

    @property
    def client(self) -> Any:
        with self._lock:
            return super().client

    def bind(self, table: TableConnection) -> None:
        """Make ``table`` (a model's connection) talk through this connection."""
        with self._lock:
            try:
                self.get_meta_table(table.table_name)
            except TableError:
                self.add_meta_table(table.get_meta_table())
        table.connection = self


@cache
def _connection(region_name: str, endpoint: str | None) -> SharedConnection:
    return SharedConnection(region=region_name, host=endpoint, max_pool_connections=POOL_CONNECTIONS)


def connection() -> SharedConnection:
    """The process's connection to DynamoDB (one per region and endpoint), for transactions and
    every :class:`TableModel`."""
    return _connection(region(), os.environ.get("AWS_ENDPOINT_URL") or None)


class TableModel(Model):
    """Base of every model: its requests go through :func:`connection`."""

    @classmethod
    def _get_connection(cls) -> TableConnection:
        table = super()._get_connection()
        shared = connection()
        if table.connection is not shared:
            shared.bind(table)
        return table
