"""Notes and photos on a job. The office reads and writes them on every job of its tenant; a
technician only on jobs with an appointment assigned to them. Anyone else, and any job of another
tenant, gets not found."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.dispatch.actions import actor_of, get_job
from chalicelib.dispatch.bootstrap import Dispatch

from truckroll.auth import Principal
from truckroll.domain.job_notes import Note, Photo, PhotoUpload, check_photo, photo_key
from truckroll.errors import Conflict, ValidationFailed


@dataclass(frozen=True)
class UploadTicket:
    upload: PhotoUpload
    url: str


@dataclass(frozen=True)
class ShownPhoto:
    photo: Photo
    url: str


def add_note(job_id: str, text: str, public: bool, principal: Principal, dispatch: Dispatch) -> Note:
    get_job(job_id, principal, dispatch)
    note = Note.write(principal.tenant_id, job_id, text, public, actor_of(principal), dispatch.clock())
    dispatch.notes.add_note(note)
    return note


def list_notes(job_id: str, principal: Principal, dispatch: Dispatch) -> list[Note]:
    get_job(job_id, principal, dispatch)
    return dispatch.notes.notes(principal.tenant_id, job_id)


def request_upload(
    job_id: str, content_type: str, size: int, principal: Principal, dispatch: Dispatch
) -> UploadTicket:
    """A presigned PUT for one photo of the job, of exactly this type and size."""
    get_job(job_id, principal, dispatch)
    upload = PhotoUpload.plan(principal.tenant_id, job_id, content_type, size)
    return UploadTicket(upload, dispatch.photos.upload_url(upload.key, content_type, size))


def register_photo(
    job_id: str, photo_id: str, caption: str | None, principal: Principal, dispatch: Dispatch
) -> ShownPhoto:
    """Register an uploaded photo once storage holds it; a stored object of a type or size the
    product does not keep is deleted and refused."""
    get_job(job_id, principal, dispatch)
    key = photo_key(principal.tenant_id, job_id, photo_id)
    stored = dispatch.photos.stored(key)
    if stored is None:
        raise Conflict(f"photo {photo_id} has not been uploaded yet: PUT it to its upload URL first")
    try:
        check_photo(stored.content_type, stored.size)
    except ValidationFailed:
        dispatch.photos.delete(key)
        raise
    registered = Photo(
        tenant_id=principal.tenant_id,
        job_id=job_id,
        photo_id=photo_id,
        content_type=stored.content_type,
        size=stored.size,
        caption=caption,
        author=actor_of(principal),
        created_at=dispatch.clock(),
    )
    dispatch.notes.add_photo(registered)
    return ShownPhoto(registered, dispatch.photos.view_url(registered.key))


def list_photos(job_id: str, principal: Principal, dispatch: Dispatch) -> list[ShownPhoto]:
    """The job's photos, each with a short-lived URL to view it."""
    get_job(job_id, principal, dispatch)
    return [
        ShownPhoto(p, dispatch.photos.view_url(p.key))
        for p in dispatch.notes.photos(principal.tenant_id, job_id)
    ]
