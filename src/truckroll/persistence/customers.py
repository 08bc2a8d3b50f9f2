"""Customers and their locations in the core table, with the two ways to find a customer: by phone
number (gsi1 of the customer item) and by the start of any word of the name (one item per word).

Writes are staged on the unit of work, so a customer is saved in the same transaction as the job
booked for it; every write of an existing customer or location is conditioned on its version.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from pynamodb.expressions.condition import Condition

from truckroll.domain.customers import Address, Customer, GeoPoint, Location, Phone, PhoneType, name_words
from truckroll.persistence import keys
from truckroll.persistence.core_models import CoreItem, CustomerItem, CustomerNameItem, LocationItem
from truckroll.persistence.writes import Write

SEARCH_LIMIT = 50


class Stager(Protocol):
    def stage(self, write: Write) -> None: ...


@dataclass(frozen=True)
class CustomerMatch:
    """A customer found by a search, with what the search result shows."""

    customer_id: str
    name: str
    phone: Phone


@dataclass(frozen=True)
class CustomerRecord:
    customer: Customer
    locations: tuple[Location, ...]

    def location(self, location_id: str) -> Location | None:
        return next((loc for loc in self.locations if loc.location_id == location_id), None)


class DynamoCustomerRepository:
    def __init__(self, uow: Stager) -> None:
        self._uow = uow

    def add(self, customer: Customer) -> None:
        self.save(customer, previous=None)

    def save(self, customer: Customer, previous: Customer | None) -> None:
        """Stage ``customer`` and its name words; ``previous`` is the stored customer it replaces
        (its version conditions the write), ``None`` for a new one."""
        item = CustomerItem(
            pk=keys.customer_pk(customer.tenant_id, customer.customer_id),
            sk=keys.CUSTOMER_SK,
            tenant_id=customer.tenant_id,
            customer_id=customer.customer_id,
            name=customer.name,
            phone=customer.phone.number,
            phone_type=customer.phone.type.value,
            email=customer.email,
            tags=list(customer.tags),
            gsi1pk=keys.customer_phone_pk(customer.tenant_id, customer.phone.number),
            gsi1sk=keys.customer_phone_sk(customer.customer_id),
        )
        self._uow.stage(_versioned(item, previous.version if previous else 0))
        words = name_words(customer.name)
        gone = [w for w in name_words(previous.name) if w not in words] if previous else []
        for word in gone:
            self._uow.stage(Write("delete", _name_item(customer, word)))
        for word in words:
            self._uow.stage(Write("put", _name_item(customer, word)))

    def add_location(self, location: Location) -> None:
        self.save_location(location, previous=None)

    def save_location(self, location: Location, previous: Location | None) -> None:
        point = location.point
        item = LocationItem(
            pk=keys.customer_pk(location.tenant_id, location.customer_id),
            sk=keys.location_sk(location.location_id),
            tenant_id=location.tenant_id,
            location_id=location.location_id,
            customer_id=location.customer_id,
            street=location.address.street,
            city=location.address.city,
            state=location.address.state,
            postal_code=location.address.postal_code,
            lat=point.lat if point else None,
            lon=point.lon if point else None,
            verified=location.verified,
            tags=list(location.tags),
        )
        self._uow.stage(_versioned(item, previous.version if previous else 0))

    def get(self, tenant_id: str, customer_id: str) -> CustomerRecord | None:
        """The customer and its locations (one Query on the customer's partition)."""
        customer: Customer | None = None
        locations: list[Location] = []
        for item in CoreItem.query(keys.customer_pk(tenant_id, customer_id), consistent_read=True):
            if isinstance(item, CustomerItem):
                customer = _customer(item)
            elif isinstance(item, LocationItem):
                locations.append(_location(item))
        return CustomerRecord(customer, tuple(locations)) if customer is not None else None

    def by_phone(self, tenant_id: str, phone: str) -> list[CustomerMatch]:
        items = CustomerItem.by_phone.query(keys.customer_phone_pk(tenant_id, phone), limit=SEARCH_LIMIT)
        return [CustomerMatch(i.customer_id, i.name, _phone(i.phone, i.phone_type)) for i in items]

    def by_name(self, tenant_id: str, word: str) -> list[CustomerMatch]:
        """Customers with a name word starting with ``word`` (two characters at least)."""
        if len(word) < 2:
            raise ValueError("a name search word has two characters at least")
        items = CustomerNameItem.query(
            keys.customer_name_pk(tenant_id, word),
            CustomerNameItem.sk.startswith(word),
            limit=SEARCH_LIMIT,
        )
        return [CustomerMatch(i.customer_id, i.name, _phone(i.phone, i.phone_type)) for i in items]


def _versioned(item: CustomerItem | LocationItem, version: int) -> Write:
    """A new item (version 0) must not exist yet; a stored one must still have ``version``."""
    if not version:
        return Write("put", item, _new())
    item.version = version
    return Write("put", item)


def _new() -> Condition:
    return CoreItem.pk.does_not_exist()


def _name_item(customer: Customer, word: str) -> CustomerNameItem:
    return CustomerNameItem(
        pk=keys.customer_name_pk(customer.tenant_id, word),
        sk=keys.customer_name_sk(word, customer.customer_id),
        tenant_id=customer.tenant_id,
        customer_id=customer.customer_id,
        name=customer.name,
        phone=customer.phone.number,
        phone_type=customer.phone.type.value,
    )


def _phone(number: str, phone_type: str) -> Phone:
    return Phone(number, PhoneType(phone_type))


def _customer(item: CustomerItem) -> Customer:
    return Customer(
        tenant_id=item.tenant_id,
        customer_id=item.customer_id,
        name=item.name,
        phone=_phone(item.phone, item.phone_type),
        email=item.email,
        tags=tuple(item.tags),
        version=int(item.version or 0),
    )


def _location(item: LocationItem) -> Location:
    lat, lon = item.lat, item.lon
    point = GeoPoint(float(lat), float(lon)) if lat is not None and lon is not None else None
    return Location(
        tenant_id=item.tenant_id,
        location_id=item.location_id,
        customer_id=item.customer_id,
        address=Address(street=item.street, city=item.city, state=item.state, postal_code=item.postal_code),
        verified=bool(item.verified),
        point=point,
        tags=tuple(item.tags),
        version=int(item.version or 0),
    )
