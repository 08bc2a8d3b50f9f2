"""Where consumers keep their idempotency records: the shared idempotency table.

Powertools' composite-key mode is used because every table here has ``pk``/``sk`` keys: ``pk`` is
one value per consumer and ``sk`` is ``{consumer}#{hash of [tenant_id, event_id]}``. The tenant is
inside the hashed key, so two tenants' events never share a record even if their ids collide.
"""

from __future__ import annotations

import os

from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

from truckroll.resources import RESOURCES


def idempotency_store(consumer: str) -> DynamoDBPersistenceLayer:
    table = RESOURCES.table("idempotency")
    name = os.environ.get(table.env_var)
    if not name:
        raise RuntimeError(f"environment variable {table.env_var} is not set")
    return DynamoDBPersistenceLayer(
        table_name=name,
        key_attr="pk",
        sort_key_attr="sk",
        static_pk_value=f"IDEMPOTENCY#{consumer}",
        expiry_attr=table.ttl_attribute or "expiration",
    )
