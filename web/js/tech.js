// The technician's day: today's appointments, their own progress, each job's notes, photos and
// follow-up bookings, and location fixes while on shift.
import { announce, api, clock, label, localToday, requireSession, signOut, windowText } from "./api.js";
import { BoardFeed, isCanceled, technicianIds } from "./feed.js";
import { jobPanel } from "./job.js";

const FIX_EVERY_MS = 15000;
// Which progress actions each appointment status allows (dispatch answers 409 to the others).
const ALLOWED = {
  scheduled: ["on_my_way", "arrived"],
  confirmed: ["on_my_way", "arrived"],
  dispatched: ["arrived"],
  working: ["pause", "done"],
  paused: ["arrived", "done"],
};

const me = requireSession().user;
const message = document.getElementById("message");
const list = document.getElementById("appointments");
const template = document.getElementById("visit");
const share = document.getElementById("share");
const gps = document.getElementById("gps");

document.getElementById("who").textContent = me.name;
document.getElementById("sign-out").addEventListener("click", () => {
  signOut();
  location.assign("/web/");
});

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/web/sw.js", { scope: "/web/" }).catch(() => {});
}

function address(location) {
  return [location.street, location.city, location.state, location.postal_code].filter(Boolean).join(", ");
}

function render(feed) {
  const mine = feed.sorted().filter((a) => !isCanceled(a) && technicianIds(a).includes(me.sub));
  list.replaceChildren(...mine.map(renderVisit));
  document.getElementById("empty").hidden = mine.length > 0;
  document.body.dataset.ready = "true";
}

function renderVisit(appointment) {
  const item = template.content.firstElementChild.cloneNode(true);
  item.dataset.appointmentId = appointment.appointment_id;
  item.classList.add(`status-${appointment.status}`);
  item.querySelector(".customer").textContent = appointment.customer.name;
  item.querySelector(".service").textContent = `${appointment.job_type}: ${appointment.summary}`;
  item.querySelector(".address").textContent = address(appointment.location);
  item.querySelector(".window").textContent =
    `Arrive ${windowText(appointment.arrival_window)} (booked ${clock(appointment.start)}–${clock(appointment.end)})`;
  item.querySelector(".status").textContent = label(appointment.status);
  const allowed = ALLOWED[appointment.status] ?? [];
  for (const button of item.querySelectorAll("button[data-action]")) {
    button.disabled = !allowed.includes(button.dataset.action);
    button.setAttribute("aria-label", `${button.textContent}: ${appointment.customer.name}`);
    button.addEventListener("click", () => progress(appointment, button.dataset.action));
  }
  item.querySelector(".job-slot").replaceWith(jobPanel(appointment));
  return item;
}

async function progress(appointment, action) {
  const body = { action };
  if (action === "pause") {
    body.reason = (window.prompt("Why are you pausing? (part needed, customer absent…)") || "").trim();
    if (!body.reason) return;
  }
  const path = `/dispatch/jobs/${appointment.job_id}/appointments/${appointment.appointment_id}/progress`;
  try {
    await api("POST", path, body);
    announce(message, `${appointment.customer.name}: ${label(action)}`);
  } catch (error) {
    announce(message, error.message, true);
  }
  await feed.refresh();
}

// -- location while on shift -------------------------------------------------------------------

let watch = null;
let lastSent = 0;

function onShiftNow() {
  const row = feed.row(feed.date, me.sub);
  const now = Date.now();
  return (row?.shifts ?? []).some(
    (s) => s.kind !== "time_off" && Date.parse(s.start) <= now && now < Date.parse(s.end),
  );
}

async function sendFix(position) {
  if (!onShiftNow()) {
    announce(gps, "Off shift: your location is not sent.");
    return;
  }
  if (Date.now() - lastSent < FIX_EVERY_MS) return;
  lastSent = Date.now();
  const { latitude, longitude, accuracy, speed, heading } = position.coords;
  const fix = {
    recorded_at: new Date(position.timestamp).toISOString(),
    lat: latitude,
    lon: longitude,
    accuracy_m: Math.max(accuracy, 1),
  };
  if (Number.isFinite(speed)) fix.speed_mps = speed;
  if (Number.isFinite(heading) && heading < 360) fix.heading_deg = heading;
  try {
    const result = await api("POST", "/tracking/fixes", { fixes: [fix] });
    announce(gps, result.stored ? `Location sent at ${clock(fix.recorded_at)}.` : "Location refused.", !result.stored);
  } catch (error) {
    announce(gps, `Location not sent: ${error.message}`, true);
  }
}

function toggleSharing() {
  if (!share.checked) {
    if (watch !== null) navigator.geolocation.clearWatch(watch);
    watch = null;
    announce(gps, "Location sharing is off.");
    return;
  }
  if (!("geolocation" in navigator)) {
    announce(gps, "This browser cannot share a location.", true);
    share.checked = false;
    return;
  }
  lastSent = 0;
  announce(gps, "Waiting for a location…");
  watch = navigator.geolocation.watchPosition(sendFix, (error) => announce(gps, error.message, true), {
    enableHighAccuracy: true,
    maximumAge: 10000,
  });
}

share.addEventListener("change", toggleSharing);

const feed = new BoardFeed(
  "day",
  new URLSearchParams(location.search).get("date") || localToday(),
  render,
  (error) => announce(message, `Updates paused: ${error.message}`, true),
);
feed.load().catch((error) => announce(message, error.message, true));
