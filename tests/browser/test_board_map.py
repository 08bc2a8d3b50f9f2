"""The board's map panel in chromium against the local stack: technicians' positions and the day's
appointments as markers, an area drawn with the mouse assigned to a technician (and the same from
the keyboard for everything in view), and tiles fetched from the company's tile server only when
one is set."""

from __future__ import annotations

import base64
import math
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from conftest import Company
from playwright.sync_api import Page, Request, Route, expect
from test_web_pages import book, staff

pytestmark = pytest.mark.browser

TECH_POSITION = (30.30, -97.70)
TILES = "https://tiles.example.com/base/{z}/{x}/{y}.png"
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def staff_on_the_road(company: Company) -> None:
    """Two technicians, the first on shift (so tracking keeps their position) and at TECH_POSITION."""
    staff(company)
    fix = {
        "recorded_at": datetime.now(UTC).isoformat(),
        "lat": TECH_POSITION[0],
        "lon": TECH_POSITION[1],
        "accuracy_m": 8,
    }
    company.call("POST", "/tracking/fixes", {"fixes": [fix]}, username="tech-1@demo")


def marker(page: Page, appointment: dict[str, Any]) -> Any:
    return page.locator(f'.map-appointment[data-appointment-id="{appointment["appointment_id"]}"]')


def centre(locator: Any) -> tuple[float, float]:
    box = locator.bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def technicians_of(company: Company) -> dict[str, list[str]]:
    board = company.call("GET", f"/dispatch/board?date={company.today.isoformat()}")
    entries = board["appointments"]
    return {a["appointment_id"]: [t["technician_id"] for t in a["technicians"]] for a in entries}


def open_map(company: Company, username: str = "dispatcher@demo") -> tuple[Page, list[str]]:
    """The board with its map open; the URLs it asked of any other origin (answered with an error)."""
    page = company.page_for(username)
    elsewhere: list[str] = []

    def outside(route: Route, request: Request) -> None:
        if request.url.startswith(company.stack.base_url):
            route.continue_()
        else:
            elsewhere.append(request.url)
            route.abort()

    page.route("**/*", outside)
    page.goto(company.url(f"/web/board.html?date={company.today.isoformat()}"))
    expect(page.locator("body[data-ready=true]")).to_have_count(1)
    toggle = page.get_by_role("button", name="Map", exact=True)
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    return page, elsewhere


def test_a_dispatcher_draws_an_area_and_assigns_the_appointments_inside(company: Company, shot: Any) -> None:
    staff_on_the_road(company)
    west = book(company, "Dana Whitfield", 1, at=(30.26, -97.76))
    east = book(company, "Omar Haddad", 2, at=(30.28, -97.72))
    held = book(company, "Lena Ortiz", 3, at=(30.27, -97.74))
    far = book(company, "Sam Ito", 3, at=(30.33, -97.66))
    company.call("POST", f"/dispatch/jobs/{held['job_id']}/hold", {"reason": "parts on order"})

    page, elsewhere = open_map(company)
    expect(page.locator(".map-appointment")).to_have_count(4)
    tech = page.locator('.map-tech[data-technician-id="tech-1@demo"]')
    expect(tech).to_have_attribute("aria-label", re.compile(r"^Tomás Rivera \(technician\), seen "))
    expect(tech).to_contain_text("Tomás Rivera")
    expect(marker(page, west)).to_have_attribute("data-state", "unassigned")
    described = re.compile("^Dana Whitfield, AC repair, unassigned")
    expect(marker(page, west)).to_have_attribute("aria-label", described)
    expect(marker(page, held)).to_have_attribute("data-state", "on_hold")
    expect(page.get_by_role("img", name=re.compile("^Sam Ito, AC repair, unassigned"))).to_have_count(1)
    shot(page, "map-before-drawing")

    page.get_by_role("button", name="Draw area").click()
    xs, ys = zip(*(centre(marker(page, a)) for a in (west, east, held)), strict=True)
    left, right, top, bottom = min(xs) - 30, max(xs) + 30, min(ys) - 30, max(ys) + 30
    far_x, far_y = centre(marker(page, far))
    assert not (left < far_x < right and top < far_y < bottom)
    page.mouse.click(left, top)
    page.mouse.click(right, top)
    page.mouse.click(right, bottom)
    page.mouse.dblclick(left, bottom)

    form = page.get_by_role("form", name="Assign an area")
    expect(form.get_by_label("The drawn area")).to_be_checked()
    expect(form.locator(".map-count")).to_have_text("3 appointments in the area, 2 unassigned.")
    expect(marker(page, far)).not_to_have_class(re.compile("map-selected"))
    expect(marker(page, west)).to_have_class(re.compile("map-selected"))
    form.get_by_label("Technician").select_option(label="Tomás Rivera")
    form.get_by_role("button", name="Assign").click()
    results = form.get_by_role("status")
    expect(results).to_contain_text("Assigned 2 to Tomás Rivera, refused 1.")
    expect(results).to_contain_text("Dana Whitfield (AC repair): assigned")
    expect(results).to_contain_text("Omar Haddad (AC repair): assigned")
    expect(results).to_contain_text("Lena Ortiz (AC repair): refused, on hold")
    expect(marker(page, west)).to_have_attribute("data-state", "assigned")
    expect(marker(page, east)).to_have_attribute("data-state", "assigned")
    expect(page.locator('.row[data-technician-id="tech-1@demo"] .card')).to_have_count(2)
    shot(page, "map-area-assigned")
    assert technicians_of(company) == {
        west["appointment_id"]: ["tech-1@demo"],
        east["appointment_id"]: ["tech-1@demo"],
        held["appointment_id"]: [],
        far["appointment_id"]: [],
    }

    # From the keyboard: everything in view, to the other technician.
    page.get_by_role("button", name="Clear area").click()
    page.get_by_role("group", name="Map of technicians and appointments").focus()
    page.keyboard.press("-")
    view = form.get_by_label("Everything in view")
    expect(view).to_be_checked()
    expect(form.locator(".map-count")).to_have_text("4 appointments in the area, 1 unassigned.")
    form.get_by_label("Technician").focus()
    page.keyboard.press("End")  # Priya Nair
    form.get_by_role("button", name="Assign").focus()
    page.keyboard.press("Enter")
    expect(results).to_contain_text("Assigned 1 to Priya Nair, refused 3.")
    expect(results).to_contain_text("Dana Whitfield (AC repair): refused, already assigned to Tomás Rivera")
    expect(marker(page, far)).to_have_attribute("data-state", "assigned")
    assert technicians_of(company)[far["appointment_id"]] == ["tech-2@demo"]

    # The technician drives on: the map follows within one read of the positions (every 10 s).
    before = tech.get_attribute("transform")
    fix = {"recorded_at": datetime.now(UTC).isoformat(), "lat": 30.31, "lon": -97.69, "accuracy_m": 8}
    company.call("POST", "/tracking/fixes", {"fixes": [fix]}, username="tech-1@demo")
    expect(tech).not_to_have_attribute("transform", before or "")
    assert elsewhere == []  # no tile server set: nothing asked of any other host


def test_a_configured_tile_server_draws_its_tiles_under_the_markers(company: Company, shot: Any) -> None:
    lat, lon = 30.27, -97.74
    spot = book(company, "Dana Whitfield", 1, at=(lat, lon))
    settings = {"tile_url_template": TILES, "tile_attribution": "© Example tiles", "version": 0}
    company.call("PUT", "/dispatch/settings", settings, username="admin@demo")

    page = company.page_for("dispatcher@demo")
    asked: list[str] = []

    def tile(route: Route, request: Request) -> None:
        asked.append(request.url)
        route.fulfill(status=200, content_type="image/png", body=PIXEL)

    page.route("https://tiles.example.com/**", tile)
    page.goto(company.url(f"/web/board.html?date={company.today.isoformat()}"))
    expect(page.locator("body[data-ready=true]")).to_have_count(1)
    zoom = 15  # the view of a single marker
    n = 2**zoom
    here_x = int((lon + 180) / 360 * n)
    here_y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    under = TILES.format(z=zoom, x=here_x, y=here_y)
    with page.expect_request(under):  # the tile under the appointment
        page.get_by_role("button", name="Map", exact=True).click()
    expect(marker(page, spot)).to_have_count(1)
    expect(page.locator(".map-attribution")).to_have_text("© Example tiles")
    shot(page, "map-with-tiles")

    hrefs = page.locator(".map-tiles image").evaluate_all("images => images.map(i => i.getAttribute('href'))")
    pattern = re.compile(r"^https://tiles\.example\.com/base/(\d+)/(\d+)/(\d+)\.png$")
    assert under in hrefs
    assert set(asked) <= set(hrefs)
    tiles = [pattern.fullmatch(url) for url in hrefs]
    assert all(t is not None and int(t[1]) == zoom for t in tiles)
    xs = {int(t[2]) for t in tiles if t is not None}
    ys = {int(t[3]) for t in tiles if t is not None}
    assert xs == set(range(min(xs), max(xs) + 1))  # the view's width of tiles, side by side
    assert len(xs) >= 3
    assert ys == set(range(min(ys), max(ys) + 1))
    assert len(ys) >= 2

    page.get_by_role("button", name="Draw rectangle").click()
    x, y = centre(marker(page, spot))
    page.mouse.move(x - 40, y - 30)
    page.mouse.down()
    page.mouse.move(x, y, steps=4)
    page.mouse.move(x + 40, y + 30, steps=4)
    page.mouse.up()
    form = page.get_by_role("form", name="Assign an area")
    expect(form.get_by_label("The drawn area")).to_be_checked()
    expect(form.locator(".map-count")).to_have_text("1 appointment in the area, 1 unassigned.")
    expect(marker(page, spot)).to_have_class(re.compile("map-selected"))
