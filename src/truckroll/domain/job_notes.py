"""Notes and photos on a job: what the field and the office write down and take pictures of.

A note is PUBLIC (a lead provider may read it on the jobs it provided) or private (the company's
own). Photos are always internal: the office and the job's technicians see them, customers never.
A photo is uploaded straight to storage under a key namespaced by tenant and job, then registered
once storage holds it with an allowed type and size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from truckroll.domain.events import Actor
from truckroll.domain.ids import new_id
from truckroll.errors import FieldError, ValidationFailed

MAX_NOTE_LENGTH = 4000
MAX_PHOTO_BYTES = 10 * 1024 * 1024
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
MAX_CAPTION_LENGTH = 200


@dataclass(frozen=True)
class Note:
    tenant_id: str
    job_id: str
    note_id: str
    text: str
    public: bool
    author: Actor
    created_at: datetime

    @classmethod
    def write(cls, tenant_id: str, job_id: str, text: str, public: bool, author: Actor, at: datetime) -> Note:
        cleaned = text.strip()
        if not cleaned:
            raise ValidationFailed([FieldError("text", "a note needs some text")])
        if len(cleaned) > MAX_NOTE_LENGTH:
            raise ValidationFailed([FieldError("text", f"a note holds at most {MAX_NOTE_LENGTH} characters")])
        return cls(tenant_id, job_id, new_id(), cleaned, public, author, at)


def photo_key(tenant_id: str, job_id: str, photo_id: str) -> str:
    """Where a job's photo is stored: under its tenant, then its job, so no key crosses either."""
    return f"{tenant_id}/jobs/{job_id}/photos/{photo_id}"


def check_photo(content_type: str, size: int) -> None:
    """Refuse a photo of a type or size the product does not keep, naming each problem."""
    errors: list[FieldError] = []
    if content_type not in PHOTO_TYPES:
        allowed = ", ".join(sorted(PHOTO_TYPES))
        errors.append(FieldError("content_type", f"a photo is one of {allowed}"))
    if not 0 < size <= MAX_PHOTO_BYTES:
        errors.append(FieldError("size", f"a photo has 1 to {MAX_PHOTO_BYTES} bytes"))
    if errors:
        raise ValidationFailed(errors)


@dataclass(frozen=True)
class PhotoUpload:
    """A photo about to be uploaded: its id and key, and the type and size the upload must have."""

    tenant_id: str
    job_id: str
    photo_id: str
    content_type: str
    size: int

    @property
    def key(self) -> str:
        return photo_key(self.tenant_id, self.job_id, self.photo_id)

    @classmethod
    def plan(cls, tenant_id: str, job_id: str, content_type: str, size: int) -> PhotoUpload:
        check_photo(content_type, size)
        return cls(tenant_id, job_id, new_id(), content_type, size)


@dataclass(frozen=True)
class Photo:
    tenant_id: str
    job_id: str
    photo_id: str
    content_type: str
    size: int
    caption: str | None
    author: Actor
    created_at: datetime

    @property
    def key(self) -> str:
        return photo_key(self.tenant_id, self.job_id, self.photo_id)
