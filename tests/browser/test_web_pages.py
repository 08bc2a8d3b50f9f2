"""The web pages in chromium against the local stack: the board's assign by drag and by keyboard
and its actions menu, seen by a second dispatcher without a reload; the technician's on my way
with location while on shift; the customer's page with the ETA, then done; the dev login."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from conftest import Company
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

TECHS = {"tech-1@demo": "Tomás Rivera", "tech-2@demo": "Priya Nair"}
DESTINATION = (30.30, -97.74)
TECH_POSITION = (30.27, -97.74)  # 4.3 km south of the destination: 7 minutes


def book(company: Company, customer: str, start_in_hours: int, days: int = 0) -> dict[str, Any]:
    """A job with one appointment starting ``start_in_hours`` after the current hour, ``days`` on."""
    hour = datetime.now(company.zone).replace(minute=0, second=0, microsecond=0) + timedelta(days=days)
    start = hour + timedelta(hours=start_in_hours)
    body = {
        "customer": {"name": customer, "phone": "+15125550142", "phone_type": "mobile"},
        "location": {
            "street": "1200 Barton Springs Rd",
            "city": "Austin",
            "state": "TX",
            "postal_code": "78704",
            "lat": DESTINATION[0],
            "lon": DESTINATION[1],
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

    tech = company.page_for(
        "tech-1@demo",
        geolocation={"latitude": TECH_POSITION[0], "longitude": TECH_POSITION[1]},
        permissions=["geolocation"],
        viewport={"width": 390, "height": 844},
    )
    tech.goto(company.url("/web/tech.html"))
    visit = tech.locator(".visit")
    expect(visit).to_have_count(1)
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
