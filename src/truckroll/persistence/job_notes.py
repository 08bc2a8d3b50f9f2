"""A job's notes and photos in the core table, in a partition of their own beside the job's (so
reading the job never reads them): each list is one Query."""

from __future__ import annotations

from datetime import datetime

from truckroll.domain.events import Actor
from truckroll.domain.job_notes import Note, Photo
from truckroll.errors import Conflict
from truckroll.persistence import keys
from truckroll.persistence.core_models import CoreItem, NoteItem, PhotoItem
from truckroll.persistence.writes import save_if


class DynamoJobNotesRepository:
    def add_note(self, note: Note) -> None:
        NoteItem(
            pk=keys.job_files_pk(note.tenant_id, note.job_id),
            sk=f"{keys.NOTE_SK_PREFIX}{note.note_id}",
            tenant_id=note.tenant_id,
            job_id=note.job_id,
            note_id=note.note_id,
            text=note.text,
            public=note.public,
            author_id=note.author.id,
            author_role=note.author.role,
            created_at=note.created_at.isoformat(),
        ).save(condition=CoreItem.pk.does_not_exist())

    def notes(self, tenant_id: str, job_id: str) -> list[Note]:
        """The job's notes, oldest first."""
        return [
            Note(
                tenant_id=item.tenant_id,
                job_id=item.job_id,
                note_id=item.note_id,
                text=item.text,
                public=item.public,
                author=Actor(item.author_id, item.author_role),
                created_at=datetime.fromisoformat(item.created_at),
            )
            for item in NoteItem.query(
                keys.job_files_pk(tenant_id, job_id),
                NoteItem.sk.startswith(keys.NOTE_SK_PREFIX),
                consistent_read=True,
            )
        ]

    def add_photo(self, photo: Photo) -> None:
        """Register ``photo`` once: registering the same photo again is a conflict."""
        registered = save_if(
            PhotoItem(
                pk=keys.job_files_pk(photo.tenant_id, photo.job_id),
                sk=f"{keys.PHOTO_SK_PREFIX}{photo.photo_id}",
                tenant_id=photo.tenant_id,
                job_id=photo.job_id,
                photo_id=photo.photo_id,
                content_type=photo.content_type,
                size=photo.size,
                caption=photo.caption,
                author_id=photo.author.id,
                author_role=photo.author.role,
                created_at=photo.created_at.isoformat(),
            ),
            CoreItem.pk.does_not_exist(),
        )
        if not registered:
            raise Conflict(f"photo {photo.photo_id} is already registered")

    def photos(self, tenant_id: str, job_id: str) -> list[Photo]:
        """The job's photos, oldest first."""
        return [
            Photo(
                tenant_id=item.tenant_id,
                job_id=item.job_id,
                photo_id=item.photo_id,
                content_type=item.content_type,
                size=int(item.size),
                caption=item.caption,
                author=Actor(item.author_id, item.author_role),
                created_at=datetime.fromisoformat(item.created_at),
            )
            for item in PhotoItem.query(
                keys.job_files_pk(tenant_id, job_id),
                PhotoItem.sk.startswith(keys.PHOTO_SK_PREFIX),
                consistent_read=True,
            )
        ]
