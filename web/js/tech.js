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

// Each visit drawn, with the appointment it shows: a feed change elsewhere in the company redraws
// nothing here, and a change to one visit redraws that one only (keeping what is typed or chosen
// in the others). Keyboard focus stays where it was.
let drawn = new Map();

function render(feed) {
  const mine = feed.sorted().filter((a) => !isCanceled(a) && technicianIds(a).includes(me.sub));
  const focused = document.activeElement;
  const visits = new Map();
  for (const appointment of mine) {
    const shown = JSON.stringify(appointment);
    const known = drawn.get(appointment.appointment_id);
    visits.set(appointment.appointment_id, {
      shown,
      element: known?.shown === shown ? known.element : renderVisit(appointment),
    });
  }
  drawn = visits;
  const elements = [...visits.values()].map((v) => v.element);
  const current = [...list.children];
  if (current.length !== elements.length || current.some((element, i) => element !== elements[i])) {
    list.replaceChildren(...elements);
    if (focused?.isConnected && document.activeElement !== focused) focused.focus();
  }
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
  const pauseForm = item.querySelector(".pause-form");
  for (const button of item.querySelectorAll("button[data-action]")) {
    button.disabled = !allowed.includes(button.dataset.action);
    button.setAttribute("aria-label", `${button.textContent}: ${appointment.customer.name}`);
    const action = button.dataset.action;
    button.addEventListener("click", () => (action === "pause" ? askPause(pauseForm, true) : progress(appointment, action)));
  }
  wirePause(pauseForm, appointment);
  if (pausing === appointment.appointment_id && allowed.includes("pause")) askPause(pauseForm, false);
  item.querySelector(".job-slot").replaceWith(jobPanel(appointment));
  return item;
}

// -- pausing: the reason is asked in the visit's own form ---------------------------------------

let pausing = null; // the appointment whose pause form is open (kept open across redraws)

function askPause(form, focus) {
  pausing = form.closest(".visit").dataset.appointmentId;
  form.hidden = false;
  if (focus) form.querySelector('input[name="reason"]').focus();
}

function wirePause(form, appointment) {
  const other = form.elements.other;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = form.querySelector('input[name="reason"]:checked');
    const reason = (chosen?.value || other.value).trim();
    if (!reason) {
      announce(message, "Say why you are pausing: pick a reason or write one.", true);
      other.focus();
      return;
    }
    pausing = null;
    progress(appointment, "pause", reason);
  });
  other.addEventListener("input", () => {
    if (other.value) form.querySelector('input[name="reason"][value=""]').checked = true;
  });
  form.querySelector(".keep-working").addEventListener("click", () => {
    pausing = null;
    form.hidden = true;
    form.closest(".visit").querySelector('button[data-action="pause"]').focus();
  });
}

async function progress(appointment, action, reason) {
  const body = { action };
  if (reason) body.reason = reason;
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
