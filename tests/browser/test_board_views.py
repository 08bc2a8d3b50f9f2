"""The board's week view, rescheduling by drag and from the keyboard (a refusal explained), and a
second dispatcher's lanes following technicians' changes without a reload."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from conftest import Company
from playwright.sync_api import Page, expect
from test_web_pages import book, card, row, staff

pytestmark = pytest.mark.browser

FIRST_HOUR, LAST_HOUR = 6, 21  # the day view's timeline (web/js/board.js)


def assign(company: Company, appointment: dict[str, Any], technician_id: str) -> None:
    path = f"/dispatch/jobs/{appointment['job_id']}/appointments/{appointment['appointment_id']}"
    company.call("POST", f"{path}/assign", {"technician_ids": [technician_id]})


def stored(company: Company, appointment: dict[str, Any]) -> dict[str, Any]:
    job = company.call("GET", f"/dispatch/jobs/{appointment['job_id']}")
    found: dict[str, Any] = next(
        a for a in job["appointments"] if a["appointment_id"] == appointment["appointment_id"]
    )
    return found


def board(company: Company, query: str = "") -> Page:
    page = company.page_for("dispatcher@demo", viewport={"width": 1600, "height": 1000})
    page.goto(company.url(f"/web/board.html?date={company.today.isoformat()}{query}"))
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    return page


def test_the_week_view_shows_each_days_cards_and_a_drag_moves_one_to_another_day(
    company: Company, shot: Any
) -> None:
    staff(company)
    today = book(company, "Dana Whitfield", 1)
    later = book(company, "Omar Haddad", 1, days=2)
    for appointment in (today, later):
        assign(company, appointment, "tech-1@demo")
    page = board(company)
    page.get_by_role("button", name="Week").click()
    expect(page).to_have_url(re.compile("view=week"))
    lane = row(page, "tech-1@demo")
    today_cell = lane.locator(f'.day-cell[data-day="{company.today.isoformat()}"]')
    expect(today_cell.locator(".card")).to_contain_text("Dana Whitfield")
    expect(today_cell.locator(".card .window")).to_contain_text("Arrive")
    days = page.locator("#hours span")
    expect(days).to_have_count(7)
    later_day = (company.today + timedelta(days=2)).isoformat()
    expect(lane.locator(f'.day-cell[data-day="{later_day}"] .card')).to_contain_text("Omar Haddad")
    shot(page, "week")

    start = datetime.fromisoformat(stored(company, today)["start"])
    thursday = row(page, "tech-2@demo").locator(f'.day-cell[data-day="{company.today + timedelta(days=4)}"]')
    card(page, today["appointment_id"]).drag_to(thursday)
    expect(thursday.locator(".card")).to_contain_text("Dana Whitfield")
    moved = stored(company, today)
    assert datetime.fromisoformat(moved["start"]) == start + timedelta(days=4)
    assert [t["technician_id"] for t in moved["technicians"]] == ["tech-2@demo"]
    page.get_by_role("button", name="Day").click()
    expect(row(page, "tech-1@demo").locator(".lane .card")).to_have_count(0)


def test_dragging_a_card_to_another_lane_and_time_reschedules_it(company: Company) -> None:
    staff(company)
    dana = book(company, "Dana Whitfield", 1)
    assign(company, dana, "tech-1@demo")
    page = board(company)
    moving = card(page, dana["appointment_id"])
    start = datetime.fromisoformat(stored(company, dana)["start"])
    wanted = (start + timedelta(hours=2)).astimezone(company.zone)
    lane = row(page, "tech-2@demo").locator(".lane")
    lane_box, card_box = lane.bounding_box(), moving.bounding_box()
    assert lane_box is not None
    assert card_box is not None
    minutes = (wanted.hour - FIRST_HOUR) * 60 + wanted.minute
    left = lane_box["width"] * minutes / ((LAST_HOUR - FIRST_HOUR) * 60)
    moving.drag_to(lane, target_position={"x": left + card_box["width"] / 2, "y": lane_box["height"] / 2})
    expect(page.get_by_role("status").first).to_contain_text("Rescheduled Dana Whitfield")
    expect(row(page, "tech-2@demo").locator(".card")).to_contain_text("Dana Whitfield")
    moved = stored(company, dana)
    assert datetime.fromisoformat(moved["start"]) == wanted
    assert [t["technician_id"] for t in moved["technicians"]] == ["tech-2@demo"]


def test_rescheduling_from_the_keyboard_and_a_refusal_explained(company: Company) -> None:
    staff(company)
    dana = book(company, "Dana Whitfield", 1)
    omar = book(company, "Omar Haddad", 2)
    for appointment in (dana, omar):
        assign(company, appointment, "tech-1@demo")
    page = board(company)

    def reschedule_to(hour: datetime) -> None:
        actions = card(page, dana["appointment_id"]).get_by_text("Actions")
        actions.focus()
        page.keyboard.press("Enter")
        card(page, dana["appointment_id"]).get_by_role("button", name="Reschedule").focus()
        page.keyboard.press("Enter")
        form = page.get_by_role("region", name="Reschedule")
        expect(form.get_by_label("Date")).to_be_focused()
        form.get_by_label("Date").fill(hour.date().isoformat())
        form.get_by_label("Start time").fill(hour.strftime("%H:%M"))
        form.get_by_label("Start time").press("Enter")

    start = datetime.fromisoformat(stored(company, dana)["start"]).astimezone(company.zone)
    reschedule_to(start + timedelta(hours=1))  # onto Omar's hour
    status = page.get_by_role("status").first
    expect(status).to_contain_text("Could not reschedule Dana Whitfield:")
    expect(status).to_have_class("error")
    assert datetime.fromisoformat(stored(company, dana)["start"]) == start

    earlier = start - timedelta(minutes=30)
    reschedule_to(earlier)
    expect(status).to_contain_text("Rescheduled Dana Whitfield")
    expect(card(page, dana["appointment_id"]).locator(".window")).to_contain_text(
        f"booked {earlier.strftime('%-I:%M')}"
    )
    assert datetime.fromisoformat(stored(company, dana)["start"]) == earlier


def test_a_second_dispatchers_lanes_follow_technicians_without_a_reload(company: Company) -> None:
    staff(company)
    dana = book(company, "Dana Whitfield", 1)
    assign(company, dana, "tech-1@demo")
    page = board(company)
    heading = row(page, "tech-1@demo").get_by_role("heading")
    expect(heading).to_contain_text("Idle")
    path = f"/dispatch/jobs/{dana['job_id']}/appointments/{dana['appointment_id']}/dispatch"
    company.call("POST", path, {}, username="tech-1@demo")
    expect(heading).to_contain_text("On my way")

    now = datetime.now(company.zone).replace(minute=0, second=0, microsecond=0)
    meeting = {"type": "meeting", "start": (now + timedelta(hours=5)).isoformat()}
    meeting["end"] = (now + timedelta(hours=6)).isoformat()
    company.call("POST", "/dispatch/technicians/tech-2@demo/events", meeting)
    expect(row(page, "tech-2@demo").locator(".lane .event")).to_have_text("Meeting")
    company.call("POST", "/dispatch/technicians", {"technician_id": "tech-3@demo", "name": "Lee Okafor"})
    expect(row(page, "tech-3@demo").get_by_role("heading")).to_contain_text("Lee Okafor")


def test_hold_cancel_and_set_back_ask_their_reason_in_a_dialog(company: Company) -> None:
    staff(company)
    dana = book(company, "Dana Whitfield", 1)
    page = board(company)

    def tray(name: str) -> Any:
        return page.locator(f'.tray[data-tray="{name}"] .card')

    dialog = page.get_by_role("dialog")

    def choose(action: str) -> None:
        card(page, dana["appointment_id"]).get_by_text("Actions").focus()
        page.keyboard.press("Enter")
        card(page, dana["appointment_id"]).get_by_role("button", name=action).focus()
        page.keyboard.press("Enter")

    choose("Put on hold")
    reason = dialog.get_by_label("Reason for the hold on Dana Whitfield")
    expect(reason).to_be_focused()
    page.keyboard.press("Escape")  # changed their mind: nothing happens
    expect(dialog).to_be_hidden()
    choose("Put on hold")
    dialog.get_by_role("button", name="OK").click()  # a hold needs its reason: the dialog stays
    expect(dialog).to_be_visible()
    reason.fill("Waiting for the landlord's approval")
    reason.press("Tab")
    page.keyboard.press("Enter")  # OK, from the keyboard
    expect(tray("on_hold")).to_have_count(1)
    assert company.call("GET", f"/dispatch/jobs/{dana['job_id']}")["hold_reason"] == (
        "Waiting for the landlord's approval"
    )

    choose("Cancel job")
    dialog.get_by_label("Reason for canceling Dana Whitfield's job").fill("Customer sold the house")
    dialog.get_by_role("button", name="OK").click()
    expect(tray("canceled")).to_have_count(1)

    choose("Set back to scheduled")
    expect(dialog.get_by_label("Why set it back? (optional)")).to_be_focused()
    dialog.get_by_role("button", name="OK").click()  # the reason may be left out here
    expect(tray("canceled")).to_have_count(0)
    expect(page.get_by_role("status").first).to_contain_text("Set Dana Whitfield back to scheduled")
