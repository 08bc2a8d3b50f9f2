"""Crews for multi-day jobs: linked (permanent) members and floating ones. Assigning a technician
to a job never adds them to a crew; crews change only through their own actions."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from truckroll.errors import NotFound


class MemberKind(StrEnum):
    LINKED = "linked"  # a permanent member
    FLOATING = "floating"  # joins for some days


@dataclass(frozen=True)
class CrewMember:
    technician_id: str
    kind: MemberKind


@dataclass(frozen=True)
class Crew:
    tenant_id: str
    crew_id: str
    name: str
    members: tuple[CrewMember, ...] = ()
    version: int = 0  # 0: never stored

    def with_member(self, technician_id: str, kind: MemberKind) -> Crew:
        """The crew with ``technician_id`` in it as ``kind`` (a member already in it changes kind)."""
        others = tuple(m for m in self.members if m.technician_id != technician_id)
        return replace(self, members=(*others, CrewMember(technician_id, kind)))

    def without_member(self, technician_id: str) -> Crew:
        others = tuple(m for m in self.members if m.technician_id != technician_id)
        if len(others) == len(self.members):
            raise NotFound(f"{technician_id} is not a member of crew {self.crew_id}")
        return replace(self, members=others)
