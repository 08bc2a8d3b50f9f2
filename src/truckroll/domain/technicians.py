"""Technicians: who can be scheduled on appointments, with their skills and home base."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from truckroll.domain.places import Place
from truckroll.errors import RuleViolation

TECHNICIAN_ID = re.compile(r"^[A-Za-z0-9._@+-]{1,128}$")


class TechnicianRole(StrEnum):
    TECHNICIAN = "technician"
    BOTH = "both"  # dispatcher rights too


@dataclass(frozen=True)
class Technician:
    """``technician_id`` is the user id (token subject) of the technician's login."""

    tenant_id: str
    technician_id: str
    name: str
    role: TechnicianRole = TechnicianRole.TECHNICIAN
    skills: tuple[str, ...] = ()
    business_unit: str | None = None
    active: bool = True
    phone: str | None = None
    home: Place | None = None

    def __post_init__(self) -> None:
        if not TECHNICIAN_ID.fullmatch(self.technician_id):
            raise RuleViolation(
                "a technician id is 1-128 letters, digits or . _ @ + -", field="technician_id"
            )

    @property
    def first_name(self) -> str | None:
        """The first whitespace-separated word of :attr:`name` (what a customer is shown)."""
        words = self.name.split()
        return words[0] if words else None
