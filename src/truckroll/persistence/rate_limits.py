"""Request counters per tenant, client and minute: one atomic ADD per request, kept for a day."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import Any

import boto3

from truckroll.persistence import keys
from truckroll.persistence.core_models import CoreItem
from truckroll.persistence.tables import region

RETENTION = timedelta(days=1)


@cache
def _client(region_name: str) -> Any:
    return boto3.client("dynamodb", region_name=region_name)


class DynamoRateCounter:
    def hit(self, tenant_id: str, client: str, minute: datetime) -> int:
        """Count one request of ``client`` in ``minute``; the requests counted in it so far."""
        answer = _client(region()).update_item(
            TableName=CoreItem.Meta.table_name,
            Key={
                "pk": {"S": keys.rate_pk(tenant_id, client, minute.strftime("%Y-%m-%dT%H:%M"))},
                "sk": {"S": keys.RATE_SK},
            },
            UpdateExpression="ADD hits :one SET kind = :kind, tenant_id = :tenant, expires_at = :expires",
            ExpressionAttributeValues={
                ":one": {"N": "1"},
                ":kind": {"S": "request_counter"},
                ":tenant": {"S": tenant_id},
                ":expires": {"N": str(int((minute + RETENTION).timestamp()))},
            },
            ReturnValues="UPDATED_NEW",
        )
        return int(answer["Attributes"]["hits"]["N"])
