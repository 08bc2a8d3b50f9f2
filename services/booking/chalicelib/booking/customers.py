"""Customers and their service locations: create, replace, read and search (office roles)."""

from __future__ import annotations

from dataclasses import replace

from chalicelib.booking.bootstrap import Booking
from chalicelib.booking.use_cases import NewCustomer, NewLocation, new_customer, new_location

from truckroll.auth import Principal
from truckroll.domain.customers import Location, matches_name, name_words, normalize_phone
from truckroll.errors import FieldError, NotFound, ValidationFailed
from truckroll.persistence.customers import CustomerMatch, CustomerRecord
from truckroll.persistence.ports import CoreUnitOfWork


def create_customer(
    given: NewCustomer, locations: tuple[NewLocation, ...], principal: Principal, booking: Booking
) -> CustomerRecord:
    principal.require_office()
    customer = new_customer(principal.tenant_id, given)
    created = tuple(new_location(customer, loc) for loc in locations)
    with booking.uow() as uow:
        uow.customers.add(customer)
        for location in created:
            uow.customers.add_location(location)
        uow.commit()
    return CustomerRecord(replace(customer, version=1), tuple(replace(loc, version=1) for loc in created))


def get_customer(customer_id: str, principal: Principal, booking: Booking) -> CustomerRecord:
    principal.require_office()
    with booking.uow() as uow:
        return _record(uow, principal.tenant_id, customer_id)


def replace_customer(
    customer_id: str, given: NewCustomer, principal: Principal, booking: Booking
) -> CustomerRecord:
    """Replace the customer's name, phone, email and tags (its locations stay)."""
    principal.require_office()
    with booking.uow() as uow:
        record = _record(uow, principal.tenant_id, customer_id)
        stored = record.customer
        changed = replace(stored, name=given.name, phone=given.phone, email=given.email, tags=given.tags)
        uow.customers.save(changed, previous=stored)
        uow.commit()
    return replace(record, customer=replace(changed, version=stored.version + 1))


def add_location(customer_id: str, given: NewLocation, principal: Principal, booking: Booking) -> Location:
    principal.require_office()
    with booking.uow() as uow:
        record = _record(uow, principal.tenant_id, customer_id)
        location = new_location(record.customer, given)
        uow.customers.add_location(location)
        uow.commit()
    return replace(location, version=1)


def replace_location(
    customer_id: str, location_id: str, given: NewLocation, principal: Principal, booking: Booking
) -> Location:
    """Replace a location's address, point, verified flag and tags. Jobs booked before keep the
    tags they were booked with."""
    principal.require_office()
    with booking.uow() as uow:
        stored = _record(uow, principal.tenant_id, customer_id).location(location_id)
        if stored is None:
            raise NotFound(f"location {location_id} of customer {customer_id} not found")
        changed = replace(
            stored, address=given.address, point=given.point, verified=given.verified, tags=given.tags
        )
        uow.customers.save_location(changed, previous=stored)
        uow.commit()
    return replace(changed, version=stored.version + 1)


def search_customers(
    phone: str | None, name: str | None, principal: Principal, booking: Booking
) -> list[CustomerMatch]:
    """Customers by phone number (as typed: any common format) or by name: every word given must
    start a word of the name, and one of them has two characters at least."""
    principal.require_office()
    tenant = principal.tenant_id
    if (phone is None) == (name is None):
        raise ValidationFailed([FieldError("phone", "give either phone or name")])
    with booking.uow() as uow:
        if phone is not None:
            return uow.customers.by_phone(tenant, normalize_phone(phone))
        words = name_words(name or "")
        longest = max(words, key=len, default="")
        if len(longest) < 2:
            raise ValidationFailed([FieldError("name", "give a name word of two characters at least")])
        found = uow.customers.by_name(tenant, longest)
    unique = {m.customer_id: m for m in found if matches_name(m.name, words)}
    return sorted(unique.values(), key=lambda m: (m.name.casefold(), m.customer_id))


def _record(uow: CoreUnitOfWork, tenant_id: str, customer_id: str) -> CustomerRecord:
    record = uow.customers.get(tenant_id, customer_id)
    if record is None:
        raise NotFound(f"customer {customer_id} not found")
    return record
