"""The tenant's booking settings: job types, business units, arrival windows, required fields."""

from __future__ import annotations

from dataclasses import replace

from chalicelib.booking.bootstrap import Booking

from truckroll.auth import Principal
from truckroll.domain.booking_settings import BookingSettings


def get_settings(principal: Principal, booking: Booking) -> BookingSettings:
    principal.require_office()
    return booking.settings.get(principal.tenant_id)


def put_settings(settings: BookingSettings, principal: Principal, booking: Booking) -> BookingSettings:
    """Replace the tenant's booking settings (admins); ``settings.version`` is the one read."""
    principal.require_admin()
    return booking.settings.put(replace(settings, tenant_id=principal.tenant_id))
