"""A tenant's settings of one kind, stored as one JSON document item written under its version."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from pydantic import TypeAdapter
from pynamodb.exceptions import PutError

from truckroll.persistence import keys
from truckroll.persistence.core_models import DocumentItem
from truckroll.persistence.writes import CONDITION_FAILED, StaleRead

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

    class Versioned(DataclassInstance, Protocol):
        @property
        def tenant_id(self) -> str: ...

        @property
        def version(self) -> int: ...


D = TypeVar("D", bound="Versioned")


class DynamoDocuments(Generic[D]):
    """Documents of type ``D`` under sort key ``sk``; ``empty(tenant)`` is what an unsaved one reads as."""

    def __init__(self, model: type[D], sk: str, empty: Callable[[str], D]) -> None:
        self._adapter = TypeAdapter(model)
        self._sk = sk
        self._empty = empty

    def get(self, tenant_id: str) -> D:
        try:
            item = DocumentItem.get(keys.settings_pk(tenant_id), self._sk, consistent_read=True)
        except DocumentItem.DoesNotExist:
            return self._empty(tenant_id)
        return replace(self._adapter.validate_json(item.document), version=int(item.version or 0))

    def put(self, document: D) -> D:
        """Store ``document`` if the stored version is still ``document.version``; the stored result."""
        item = DocumentItem(
            pk=keys.settings_pk(document.tenant_id),
            sk=self._sk,
            tenant_id=document.tenant_id,
            document=self._adapter.dump_json(replace(document, version=0)).decode(),
        )
        if document.version:
            item.version = document.version
        try:
            item.save()
        except PutError as error:
            if error.cause_response_code == CONDITION_FAILED:
                raise StaleRead("the settings changed since they were read; reload and try again") from error
            raise
        return replace(document, version=int(item.version or 0))
