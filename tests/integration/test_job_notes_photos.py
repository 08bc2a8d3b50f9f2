"""Notes and photos on a job, and follow-up jobs booked from the field, through the local stack's
gateway: who may read and write them, the photo's round trip through presigned URLs to the embedded
S3 (served on the gateway's own origin), and the follow-up job reaching the board."""

from __future__ import annotations

import sys
import urllib.request
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from truckroll_local.responses import HttpResponse
from truckroll_local.stack import LocalStack

if str(Path(__file__).resolve().parents[2]) not in sys.path:
    sys.path.append(str(Path(__file__).resolve().parents[2]))

from bench.suites.dispatch import job_request

pytestmark = pytest.mark.integration

TECH_1, TECH_2 = "tech-1@demo", "tech-2@demo"
JPEG = b"\xff\xd8\xff\xe0" + b"field photo" * 100


class Company:
    """A tenant of its own: its dispatcher booked a job tomorrow and assigned it to tech-1."""

    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self.tenant = f"t-{uuid.uuid4().hex[:10]}"
        self.office = self.as_user("dispatcher@demo")
        self.day = datetime.now(UTC).date() + timedelta(days=1)
        for technician_id in (TECH_1, TECH_2):
            profile = {"technician_id": technician_id, "name": technician_id.split("@")[0]}
            assert self.call("POST", "/dispatch/technicians", profile).status == 201
        booked = self.call("POST", "/booking/jobs", job_request(self.day, 1))
        assert booked.status == 201, booked.text
        self.job_id = booked.json()["job_id"]
        appointment_id = booked.json()["appointments"][0]["appointment_id"]
        assigned = self.call(
            "POST",
            f"/dispatch/jobs/{self.job_id}/appointments/{appointment_id}/assign",
            {"technician_ids": [TECH_1]},
        )
        assert assigned.status == 200, assigned.text

    def as_user(self, username: str) -> dict[str, str]:
        return self.stack.auth_headers(username, tenant_id=self.tenant)

    def call(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> HttpResponse:
        return self.stack.request(method, path, headers or self.office, body)

    def job(self, suffix: str) -> str:
        return f"/dispatch/jobs/{self.job_id}/{suffix}"


@pytest.fixture
def company(local_stack: LocalStack) -> Company:
    return Company(local_stack)


def _http(method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> Any:
    """A real HTTP request, as the browser sends it to a presigned URL."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})  # noqa: S310
    return urllib.request.urlopen(request, timeout=10)  # noqa: S310


def _upload(
    company: Company, headers: dict[str, str], content: bytes = JPEG, kind: str = "image/jpeg"
) -> str:
    ticket = company.call(
        "POST", company.job("photos/uploads"), {"content_type": kind, "size": len(content)}, headers
    )
    assert ticket.status == 201, ticket.text
    upload = ticket.json()["upload"]
    assert upload["url"].startswith(f"{company.stack.base_url}/s3/")  # the page's own origin
    with _http("PUT", upload["url"], content, upload["headers"]) as answer:
        assert answer.status == 200
    return str(ticket.json()["photo_id"])


def test_the_assigned_technician_writes_public_and_private_notes_the_office_reads_both(
    company: Company,
) -> None:
    tech = company.as_user(TECH_1)
    first = company.call("POST", company.job("notes"), {"text": "  Filter clogged  ", "public": True}, tech)
    assert first.status == 201, first.text
    assert first.json()["text"] == "Filter clogged"
    assert first.json()["who"] == {"id": TECH_1, "role": "technician"}
    second = company.call("POST", company.job("notes"), {"text": "Dog in the yard"}, tech)
    assert second.json()["public"] is False

    listed = company.call("GET", company.job("notes")).json()["notes"]
    assert [(n["text"], n["public"]) for n in listed] == [
        ("Filter clogged", True),
        ("Dog in the yard", False),
    ]
    assert company.call("GET", company.job("notes"), headers=tech).json()["notes"] == listed


def test_a_note_without_text_is_refused_naming_the_field(company: Company) -> None:
    refused = company.call("POST", company.job("notes"), {"text": "   "})
    assert refused.status == 422
    assert refused.header("Content-Type") == "application/problem+json"
    assert "text" in refused.json()["detail"]


@pytest.mark.parametrize("suffix", ["notes", "photos"])
def test_a_technician_not_on_the_job_and_another_tenant_get_not_found(company: Company, suffix: str) -> None:
    other_tech = company.as_user(TECH_2)
    assert company.call("GET", company.job(suffix), headers=other_tech).status == 404
    other_tenant = company.stack.auth_headers("dispatcher@demo", tenant_id=f"t-{uuid.uuid4().hex[:10]}")
    assert company.call("GET", company.job(suffix), headers=other_tenant).status == 404
    assert company.call("POST", company.job("notes"), {"text": "x"}, other_tech).status == 404
    ticket = {"content_type": "image/png", "size": 10}
    assert company.call("POST", company.job("photos/uploads"), ticket, other_tenant).status == 404


def test_a_photo_goes_up_through_its_presigned_url_and_comes_back_through_another(company: Company) -> None:
    tech = company.as_user(TECH_1)
    photo_id = _upload(company, tech)
    registered = company.call("POST", company.job("photos"), {"photo_id": photo_id, "caption": "Coil"}, tech)
    assert registered.status == 201, registered.text
    assert registered.json()["content_type"] == "image/jpeg"
    assert registered.json()["size"] == len(JPEG)

    (listed,) = company.call("GET", company.job("photos")).json()["photos"]
    assert listed["photo_id"] == photo_id
    assert listed["caption"] == "Coil"
    with _http("GET", listed["url"]) as answer:
        assert answer.read() == JPEG
        assert answer.headers["Content-Type"] == "image/jpeg"
    again = company.call("POST", company.job("photos"), {"photo_id": photo_id}, tech)
    assert again.status == 409


def test_a_stored_object_that_is_not_a_photo_is_refused_and_deleted(company: Company) -> None:
    """S3 itself refuses a body of another type or length than the URL signs; the embedded S3 does
    not check signatures, so this is the registration's own check."""
    ticket = company.call("POST", company.job("photos/uploads"), {"content_type": "image/png", "size": 6})
    upload = ticket.json()["upload"]
    with _http("PUT", upload["url"], b"<html>", {"Content-Type": "text/html"}) as answer:
        assert answer.status == 200
    photo = {"photo_id": ticket.json()["photo_id"]}
    refused = company.call("POST", company.job("photos"), photo)
    assert refused.status == 422
    assert "content_type" in refused.json()["detail"]
    assert company.call("POST", company.job("photos"), photo).status == 409  # deleted: never uploaded
    assert company.call("GET", company.job("photos")).json()["photos"] == []


def test_photos_of_other_types_or_sizes_and_photos_never_uploaded_are_refused(company: Company) -> None:
    for ticket, field in (
        ({"content_type": "image/gif", "size": 10}, "content_type"),
        ({"content_type": "image/jpeg", "size": 10 * 1024 * 1024 + 1}, "size"),
        ({"content_type": "image/jpeg", "size": 0}, "size"),
    ):
        refused = company.call("POST", company.job("photos/uploads"), ticket)
        assert refused.status == 422, ticket
        assert field in refused.json()["detail"]
    never = company.call("POST", company.job("photos/uploads"), {"content_type": "image/png", "size": 3})
    missing = company.call("POST", company.job("photos"), {"photo_id": never.json()["photo_id"]})
    assert missing.status == 409
    assert company.call("POST", company.job("photos"), {"photo_id": "../../other"}).status == 422


def test_the_technician_books_a_follow_up_that_lands_on_the_board_of_its_preferred_day(
    company: Company,
) -> None:
    preferred = company.day + timedelta(days=2)
    follow_up = {
        "job_type": "Duct cleaning",
        "summary": "Customer asked for the ducts too",
        "priority": "high",
        "preferred_date": preferred.isoformat(),
    }
    booked = company.call(
        "POST", f"/booking/jobs/{company.job_id}/follow-ups", follow_up, company.as_user(TECH_1)
    )
    assert booked.status == 201, booked.text
    job = booked.json()
    assert job["status"] == "scheduled"
    (appointment,) = job["appointments"]
    assert appointment["technician_ids"] == []
    assert appointment["start"].startswith(f"{preferred.isoformat()}T08:00")  # the default window
    origin = company.call("GET", f"/booking/jobs/{company.job_id}").json()
    assert (job["customer_id"], job["location_id"]) == (origin["customer_id"], origin["location_id"])
    assert job["source"] == "field_app"

    company.stack.drain()
    board = company.call("GET", f"/dispatch/board?date={preferred.isoformat()}").json()
    assert board["trays"]["unassigned"] == [appointment["appointment_id"]]
    (shown,) = board["appointments"]
    assert (shown["job_id"], shown["summary"]) == (job["job_id"], "Customer asked for the ducts too")


def test_a_follow_up_without_a_day_is_unscheduled(company: Company) -> None:
    follow_up = {"job_type": "Estimate", "summary": "Quote a new water heater"}
    booked = company.call(
        "POST", f"/booking/jobs/{company.job_id}/follow-ups", follow_up, company.as_user(TECH_1)
    )
    assert booked.status == 201, booked.text
    assert booked.json()["status"] == "unscheduled"
    assert booked.json()["appointments"] == []


def test_only_a_technician_of_the_job_books_from_it_and_only_days_ahead(company: Company) -> None:
    follow_up: dict[str, Any] = {"job_type": "Estimate", "summary": "Quote"}
    path = f"/booking/jobs/{company.job_id}/follow-ups"
    assert company.call("POST", path, follow_up, company.as_user(TECH_2)).status == 404
    other_tenant = company.stack.auth_headers(TECH_1, tenant_id=f"t-{uuid.uuid4().hex[:10]}")
    assert company.call("POST", path, follow_up, other_tenant).status == 404
    yesterday = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()
    past = company.call("POST", path, {**follow_up, "preferred_date": yesterday}, company.as_user(TECH_1))
    assert past.status == 422
    assert "preferred_date" in past.json()["detail"]
    assert company.call("POST", path, {**follow_up, "preferred_date": "soon"}).status == 422


def test_a_follow_up_is_held_to_the_company_job_types(company: Company) -> None:
    settings = {"version": 0, "job_types": [{"name": "AC repair", "duration_minutes": 90}]}
    put = company.call("PUT", "/booking/settings", settings, company.as_user("admin@demo"))
    assert put.status == 200, put.text
    path = f"/booking/jobs/{company.job_id}/follow-ups"
    tech = company.as_user(TECH_1)
    refused = company.call("POST", path, {"job_type": "Roofing", "summary": "Leak"}, tech)
    assert refused.status == 422
    assert "job.job_type" in refused.json()["detail"]
    day = date.today() + timedelta(days=3)
    booked = company.call(
        "POST", path, {"job_type": "AC repair", "summary": "Leak", "preferred_date": str(day)}, tech
    )
    assert booked.status == 201, booked.text
    (appointment,) = booked.json()["appointments"]
    start, end = (datetime.fromisoformat(appointment[k]) for k in ("start", "end"))
    assert end - start == timedelta(minutes=90)
