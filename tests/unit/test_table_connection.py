"""One DynamoDB client per process: every model and transaction shares it, and threads that ask for
it at the same time get the same one, made once."""

from __future__ import annotations

import importlib
import pkgutil
import threading
import time
from typing import Any

import pytest
from botocore.session import Session

import truckroll.persistence
from truckroll.persistence import tables
from truckroll.persistence.tables import SharedConnection, TableModel, connection
from truckroll.resources import RESOURCES


def _models() -> list[type[TableModel]]:
    for module in pkgutil.iter_modules(truckroll.persistence.__path__):
        importlib.import_module(f"truckroll.persistence.{module.name}")
    found: list[type[TableModel]] = []
    pending: list[type[TableModel]] = [TableModel]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls is not TableModel:
            found.append(cls)
    return found


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in RESOURCES.environment("unit").items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # never called
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")  # a client without credentials is remade
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


@pytest.mark.usefixtures("environment")
def test_every_model_talks_through_the_one_connection_and_keeps_its_table() -> None:
    models = _models()
    assert len(models) > 20  # every item class of every table, not just the bases
    shared = connection()
    for model in models:
        table = model._get_connection()
        assert table.connection is shared, model.__name__
        assert shared.get_meta_table(table.table_name).table_name == model.Meta.table_name


@pytest.mark.usefixtures("environment")
def test_threads_asking_at_once_make_one_client(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[Any] = []
    create_client = Session.create_client

    def slow_create(self: Session, *args: Any, **kwargs: Any) -> Any:
        time.sleep(0.05)  # long enough for every thread to find no client yet
        client = create_client(self, *args, **kwargs)
        made.append(client)
        return client

    monkeypatch.setattr(Session, "create_client", slow_create)
    shared = SharedConnection(region="us-east-1", host="http://127.0.0.1:9")
    start = threading.Barrier(16)
    clients: list[Any] = []

    def ask() -> None:
        start.wait()
        clients.append(shared.client)

    threads = [threading.Thread(target=ask) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 1
    assert all(client is made[0] for client in clients)


@pytest.mark.usefixtures("environment")
def test_the_connection_pools_enough_http_connections_for_concurrent_requests() -> None:
    assert connection().client.meta.config.max_pool_connections == tables.POOL_CONNECTIONS > 10
