"""The web pages in chromium against the local stack: the board's assign by drag and by keyboard
and its actions menu, seen by a second dispatcher without a reload; the technician's on my way
with location while on shift; the customer's page with the ETA, then done; the technician's note,
photo and follow-up job; the dev login."""

from __future__ import annotations

import re
import struct
import zlib
from datetime import datetime, timedelta
from typing import Any

import pytest
from conftest import Company
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

TECHS = {"tech-1@demo": "Tomás Rivera", "tech-2@demo": "Priya Nair"}
DESTINATION = (30.30, -97.74)
TECH_POSITION = (30.27, -97.74)  # 4.3 km south of the destination: 7 minutes


def book(
    company: Company,
    customer: str,
    start_in_hours: int,
    at: tuple[float, float] = DESTINATION,
    days: int = 0,
) -> dict[str, Any]:
    """A job at ``at`` with one appointment starting ``start_in_hours`` after the current hour,
    ``days`` on."""
    hour = datetime.now(company.zone).replace(minute=0, second=0, microsecond=0) + timedelta(days=days)
    start = hour + timedelta(hours=start_in_hours)
    body = {
        "customer": {"name": customer, "phone": "+15125550142", "phone_type": "mobile"},
        "location": {
            "street": "1200 Barton Springs Rd",
            "city": "Austin",
            "state": "TX",
            "postal_code": "78704",
            "lat": at[0],
            "lon": at[1],
            "verified": True,
            "tags": ["hvac"],
        },
        "job": {"job_type": "AC repair", "business_unit": "HVAC", "priority": "high", "summary": "Warm air"},
        "appointment": {
            "start": start.isoformat(),
            "end": (start + timedelta(hours=1)).isoformat(),
            "arrival_window": {"start": hour.isoformat(), "end": (hour + timedelta(hours=3)).isoformat()},
        },
    }
    booked: dict[str, Any] = company.call("POST", "/booking/jobs", body)
    return booked["appointments"][0] | {"job_id": booked["job_id"]}


def staff(company: Company) -> None:
    """Two technicians, the first on shift from an hour ago for the rest of the local day."""
    for technician_id, name in TECHS.items():
        company.call("POST", "/dispatch/technicians", {"technician_id": technician_id, "name": name})
    now = datetime.now(company.zone).replace(microsecond=0)
    shift = {"start": (now - timedelta(hours=1)).isoformat(), "end": (now + timedelta(hours=8)).isoformat()}
    company.call("POST", "/dispatch/technicians/tech-1@demo/shifts", shift)


def open_my_day(company: Company) -> tuple[Page, Any]:
    """The first technician's app on a phone, at their position, showing their one visit."""
    tech = company.page_for(
        "tech-1@demo",
        geolocation={"latitude": TECH_POSITION[0], "longitude": TECH_POSITION[1]},
        permissions=["geolocation"],
        viewport={"width": 390, "height": 844},
    )
    tech.goto(company.url("/web/tech.html"))
    visit = tech.locator(".visit")
    expect(visit).to_have_count(1)
    return tech, visit


def card(page: Page, appointment_id: str) -> Any:
    return page.locator(f'.card[data-appointment-id="{appointment_id}"]')


def row(page: Page, technician_id: str) -> Any:
    return page.locator(f'.row[data-technician-id="{technician_id}"]')


def test_dispatchers_assign_the_tech_goes_and_the_customer_sees_the_eta(company: Company, shot: Any) -> None:
    staff(company)
    first = book(company, "Dana Whitfield", 1)
    second = book(company, "Omar Haddad", 3)
    board_url = company.url(f"/web/board.html?date={company.today.isoformat()}")
    mine = company.page_for("dispatcher@demo")
    theirs = company.page_for("admin@demo")
    for page in (mine, theirs):
        page.goto(board_url)
        expect(page.locator('.tray[data-tray="unassigned"] .card')).to_have_count(2)

    card(mine, first["appointment_id"]).drag_to(row(mine, "tech-1@demo").locator(".lane"))
    expect(mine.get_by_role("status").first).to_have_text("Assigned Dana Whitfield to Tomás Rivera")
    expect(card(theirs, first["appointment_id"])).to_have_count(1)
    expect(row(theirs, "tech-1@demo").locator(".card")).to_contain_text("Dana Whitfield")
    shot(theirs, "second-dispatcher-sees-the-drag")

    expect(mine.get_by_role("region", name="The day's measures")).to_contain_text("On-time arrivals")
    waiting = card(mine, second["appointment_id"])
    waiting.get_by_text("Actions").click()
    waiting.get_by_role("button", name="Why (automatic dispatch)").click()
    why = mine.get_by_role("region", name="Why, for automatic dispatch")
    expect(why).to_contain_text("Omar Haddad")
    expect(why.locator(".why-technicians li")).to_have_count(2)
    expect(why).to_contain_text("Tomás Rivera")
    expect(why).to_contain_text("Priya Nair")
    shot(mine, "why-for-automatic-dispatch")
    why.get_by_role("button", name="Close").click()
    expect(why).to_be_hidden()

    assign_to = card(mine, second["appointment_id"]).get_by_label("Assign to")
    assign_to.focus()
    mine.keyboard.press("End")  # the last technician: Priya Nair
    card(mine, second["appointment_id"]).get_by_role("button", name="Assign").focus()
    mine.keyboard.press("Enter")
    expect(row(theirs, "tech-2@demo").locator(".card")).to_contain_text("Omar Haddad")
    expect(theirs.locator('.tray[data-tray="unassigned"] .card')).to_have_count(0)
    shot(mine, "board-after-assigning")

    omar = card(mine, second["appointment_id"])
    omar.get_by_text("Actions").focus()
    mine.keyboard.press("Enter")
    omar.get_by_role("button", name="Dispatch Priya Nair").focus()
    mine.keyboard.press("Enter")
    expect(card(theirs, second["appointment_id"]).locator(".status")).to_have_text("Dispatched")

    tech, visit = open_my_day(company)
    expect(visit).to_contain_text("Dana Whitfield")
    tech.get_by_label("Share my location while on shift").check()
    expect(tech.locator("#gps")).to_contain_text("Location sent")
    visit.get_by_role("button", name=re.compile("^On my way")).click()
    expect(visit.locator(".status")).to_have_text("Dispatched")
    expect(row(theirs, "tech-1@demo").locator(".card")).to_contain_text("Dispatched")
    shot(tech, "technician-on-the-way")

    company.stack.drain()  # tracking hears of the dispatch
    link = company.call("POST", f"/tracking/appointments/{first['appointment_id']}/links", {})
    customer = company.page_for(None, viewport={"width": 390, "height": 844})
    customer.goto(company.url(link["path"]))
    expect(customer.get_by_role("heading", name="Tomás is on the way")).to_be_visible()
    expect(customer.locator("#eta")).to_contain_text("(7 min)")
    expect(customer.locator("#distance")).to_have_text("4.3 km")
    shot(customer, "customer-sees-the-eta")

    visit.get_by_role("button", name=re.compile("^Arrived")).click()
    expect(visit.locator(".status")).to_have_text("Working")
    visit.get_by_role("button", name=re.compile("^Done")).click()
    expect(visit.locator(".status")).to_have_text("Done")
    company.stack.drain()
    customer.reload()
    expect(customer.get_by_role("heading", name="This visit is done")).to_be_visible()


def test_the_dev_login_signs_in_a_seeded_user_and_opens_their_page(company: Company) -> None:
    page = company.page_for(None)
    page.goto(company.url("/web/board.html"))
    expect(page).to_have_url(re.compile(r"/web/\?next="))
    page.get_by_label("User").select_option("dispatcher@demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/web/board\.html$"))
    expect(page.locator("#who")).to_have_text("Dana Dispatcher (dispatcher)")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("User").select_option("tech-2@demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/web/tech\.html$"))
    expect(page.locator("#who")).to_have_text("Priya Nair")


GIF = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")


def png(width: int = 4, height: int = 3) -> bytes:
    """A real PNG (solid blue), so the page's thumbnail has something to decode."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x1f\x4e\x79" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def test_the_technician_writes_a_note_sends_a_photo_and_books_a_follow_up(
    company: Company, shot: Any
) -> None:
    staff(company)
    visit_of = book(company, "Dana Whitfield", 1)
    job_id = visit_of["job_id"]
    company.call(
        "POST",
        f"/dispatch/jobs/{job_id}/appointments/{visit_of['appointment_id']}/assign",
        {"technician_ids": ["tech-1@demo"]},
    )
    tech = company.page_for("tech-1@demo", viewport={"width": 390, "height": 844})
    tech.goto(company.url("/web/tech.html"))
    visit = tech.locator(".visit")
    expect(visit).to_have_count(1)

    visit.get_by_text("Notes", exact=True).focus()  # the keyboard opens the panel
    tech.keyboard.press("Enter")
    visit.get_by_label("New note").fill("Replaced the capacitor; coil needs cleaning")
    visit.get_by_label("Public note").check()
    visit.get_by_role("button", name="Add note").click()
    expect(visit.locator(".notes li")).to_have_count(1)
    expect(visit.locator(".notes li")).to_contain_text("Public")
    expect(visit.locator(".job-status")).to_contain_text("Public note added")

    visit.get_by_text("Photos", exact=True).click()
    visit.get_by_label("Caption (optional)").fill("Coil")
    visit.get_by_label("Take or upload a photo").set_input_files(
        {"name": "coil.png", "mimeType": "image/png", "buffer": png()}
    )
    expect(visit.locator(".job-status")).to_contain_text("Photo saved")
    thumbnail = visit.get_by_role("img", name="Coil")
    expect(thumbnail).to_have_count(1)
    tech.wait_for_function("document.querySelector('.photos img').naturalWidth === 4")
    # A picture the server does not keep (a GIF here, HEIC from an iPhone) is sent as a JPEG.
    visit.get_by_label("Take or upload a photo").set_input_files(
        {"name": "dot.gif", "mimeType": "image/gif", "buffer": GIF}
    )
    expect(visit.locator(".photos img")).to_have_count(2)

    preferred = company.today + timedelta(days=2)
    visit.get_by_text("Book a job", exact=True).click()
    visit.get_by_label("Job type").fill("Duct cleaning")
    visit.get_by_label("Summary").fill("Customer asked for the ducts too")
    visit.get_by_label("Priority").select_option("high")
    visit.get_by_label("Preferred date (optional)").fill(preferred.isoformat())
    visit.get_by_role("button", name="Book job").click()
    expect(visit.locator(".job-status")).to_contain_text("Duct cleaning booked on")
    shot(tech, "technician-job-panel")

    company.stack.drain()  # the follow-up's job.booked reaches dispatch's board
    board = company.call("GET", f"/dispatch/board?date={preferred.isoformat()}")
    (follow_up,) = board["appointments"]
    assert follow_up["summary"] == "Customer asked for the ducts too"
    assert board["trays"]["unassigned"] == [follow_up["appointment_id"]]
    (note,) = company.call("GET", f"/dispatch/jobs/{job_id}/notes")["notes"]
    assert (note["public"], note["who"]["id"]) == (True, "tech-1@demo")
    photo, converted = company.call("GET", f"/dispatch/jobs/{job_id}/photos")["photos"]
    assert (photo["caption"], photo["content_type"], photo["size"]) == ("Coil", "image/png", len(png()))
    assert (converted["caption"], converted["content_type"]) == (None, "image/jpeg")


def test_the_customer_follows_the_visit_and_the_technician_pauses_with_a_reason(
    company: Company, shot: Any
) -> None:
    staff(company)
    visit_of = book(company, "Lena Park", 1)
    job_id, appointment_id = visit_of["job_id"], visit_of["appointment_id"]
    path = f"/dispatch/jobs/{job_id}/appointments/{appointment_id}"
    company.call("POST", f"{path}/assign", {"technician_ids": ["tech-1@demo"]})
    tech, visit = open_my_day(company)
    visit.get_by_role("button", name=re.compile("^On my way")).click()
    expect(visit.locator(".status")).to_have_text("Dispatched")
    company.stack.drain()
    link = company.call("POST", f"/tracking/appointments/{appointment_id}/links", {})
    customer = company.page_for(None, viewport={"width": 390, "height": 844})
    customer.goto(company.url(link["path"]))
    expect(customer.get_by_role("heading", name="Tomás is on the way")).to_be_visible()

    def customer_sees(heading: str) -> None:
        company.stack.drain()
        customer.reload()
        expect(customer.get_by_role("heading", name=heading)).to_be_visible()

    visit.get_by_role("button", name=re.compile("^Arrived")).click()
    expect(visit.locator(".status")).to_have_text("Working")
    customer_sees("Tomás has arrived")

    # Pausing asks why, in the visit's own form; changing one's mind leaves the visit as it was.
    pause = visit.get_by_role("button", name=re.compile("^Pause"))
    pause.click()
    form = visit.locator(".pause-form")
    expect(form.get_by_role("group", name="Why are you pausing?")).to_be_visible()
    expect(form.get_by_label("Part needed")).to_be_focused()
    form.get_by_role("button", name="Keep working").click()
    expect(form).to_be_hidden()
    expect(pause).to_be_focused()
    tech.keyboard.press("Enter")
    form.get_by_label("Other reason").fill("Waiting for the landlord")
    expect(form.get_by_label("Other", exact=True)).to_be_checked()
    form.get_by_label("Customer absent").check()
    shot(tech, "technician-pausing")
    form.get_by_role("button", name="Pause the visit").click()
    expect(visit.locator(".status")).to_have_text("Paused")
    expect(visit.locator(".pause-form")).to_be_hidden()
    job = company.call("GET", f"/dispatch/jobs/{job_id}")
    assert [t["pause_reason"] for t in job["appointments"][0]["technicians"]] == ["Customer absent"]
    customer_sees("The work is paused")

    visit.get_by_role("button", name=re.compile("^Arrived")).click()
    expect(visit.locator(".status")).to_have_text("Working")
    visit.get_by_role("button", name=re.compile("^Done")).click()
    expect(visit.locator(".status")).to_have_text("Done")
    customer_sees("This visit is done")
    shot(customer, "customer-after-the-visit")
