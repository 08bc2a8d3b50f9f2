"""A tenant's booking settings: one item in the core table, written under its version."""

from __future__ import annotations

from dataclasses import replace

from pydantic import TypeAdapter
from pynamodb.exceptions import PutError

from truckroll.domain.booking_settings import BookingSettings
from truckroll.persistence import keys
from truckroll.persistence.core_models import BookingSettingsItem
from truckroll.persistence.writes import StaleRead

_SETTINGS = TypeAdapter(BookingSettings)


class DynamoBookingSettings:
    def get(self, tenant_id: str) -> BookingSettings:
        """The tenant's settings; empty settings (version 0) when none were saved."""
        try:
            item = BookingSettingsItem.get(
                keys.booking_settings_pk(tenant_id), keys.BOOKING_SETTINGS_SK, consistent_read=True
            )
        except BookingSettingsItem.DoesNotExist:
            return BookingSettings(tenant_id=tenant_id)
        return replace(_SETTINGS.validate_json(item.settings), version=int(item.version or 0))

    def put(self, settings: BookingSettings) -> BookingSettings:
        """Store ``settings`` if the stored version is still ``settings.version``; the stored result."""
        item = BookingSettingsItem(
            pk=keys.booking_settings_pk(settings.tenant_id),
            sk=keys.BOOKING_SETTINGS_SK,
            tenant_id=settings.tenant_id,
            settings=_SETTINGS.dump_json(replace(settings, version=0)).decode(),
        )
        if settings.version:
            item.version = settings.version
        try:
            item.save()
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise StaleRead("the settings changed since they were read; reload and try again") from error
            raise
        return replace(settings, version=int(item.version or 0))
