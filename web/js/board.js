// The dispatch board: a day (one timeline per technician) or a week (seven days per technician),
// the trays, assign and reschedule by drag or from each card's controls, and other dispatchers'
// changes (appointments and technicians' rows) from the change feed without a reload.
//
// For other modules of the page (the map panel): `currentEntries()` returns what the board shows
// now, `{ view, days, appointments, technicians }` (appointments as GET /dispatch/board gives them;
// technicians with their row of each shown day under `rows`), and after every redraw `document`
// receives a "board:entries" CustomEvent whose `detail` is that same object; `refreshBoard()` reads
// the change feed now (after another module changed the board).
import { announce, api, clock, label, localToday, requireSession, signOut, windowText } from "./api.js";
import {
  BoardFeed, boardDay, isCanceled, isOnHold, isUnassigned, technicianIds, technicianState,
} from "./feed.js";

const FIRST_HOUR = 6;
const LAST_HOUR = 21;
const SPAN_MINUTES = (LAST_HOUR - FIRST_HOUR) * 60;
const SNAP_MINUTES = 15;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const STATES = { working: "Working", paused: "Paused", on_my_way: "On my way", idle: "Idle" };
const ALERTS = { gps_silent: "GPS silent" };
const WEEKDAY = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" });

const me = requireSession().user;
const message = document.getElementById("message");
const dateInput = document.getElementById("date");
const rows = document.getElementById("rows");
const template = document.getElementById("card");
const reschedulePanel = document.getElementById("reschedule");

document.getElementById("who").textContent = `${me.name} (${me.role})`;
document.getElementById("sign-out").addEventListener("click", () => {
  signOut();
  location.assign("/web/");
});

let feed = null;
let names = new Map(); // technician id -> name, for the redraw under way
let dragging = null; // { id, from, grabX } while a card is dragged

/** Reads the board's days again now (say, after another panel changed them). */
export function refreshBoard() {
  return feed ? feed.refresh() : Promise.resolve();
}

export function currentEntries() {
  if (!feed) return { view: "day", days: [], appointments: [], technicians: [] };
  return {
    view: feed.view,
    days: [...feed.days],
    appointments: feed.sorted(),
    technicians: feed.technicians.map((t) => ({
      ...t,
      rows: Object.fromEntries(feed.days.map((day) => [day, feed.row(day, t.technician_id)])),
    })),
  };
}

function alertText(alert) {
  return ALERTS[alert] ?? label(alert);
}

function dayText(day) {
  return WEEKDAY.format(new Date(`${day}T00:00:00Z`));
}

function minutesIntoDay(iso) {
  const at = new Date(iso);
  return (at.getHours() - FIRST_HOUR) * 60 + at.getMinutes();
}

function placeOnTimeline(element, span) {
  const start = Math.max(0, minutesIntoDay(span.start));
  const end = Math.min(SPAN_MINUTES, Math.max(start + 15, minutesIntoDay(span.end)));
  element.style.left = `${(start / SPAN_MINUTES) * 100}%`;
  element.style.width = `${((end - start) / SPAN_MINUTES) * 100}%`;
}

/** ``iso`` moved by ``ms``, written in its own UTC offset (the business's local time). */
function shifted(iso, ms) {
  const offset = iso.match(/(Z|[+-]\d\d:\d\d)$/)[1];
  const zone = offset === "Z" ? "+00:00" : offset;
  const sign = zone.startsWith("-") ? -1 : 1;
  const offsetMs = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * MINUTE_MS;
  return new Date(Date.parse(iso) + ms + offsetMs).toISOString().slice(0, 19) + zone;
}

function technicianName(id) {
  return names.get(id) ?? id;
}

function menuButton(text, action) {
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = text;
  button.addEventListener("click", () => {
    const menu = button.closest("details");
    menu.open = false; // the menu closes once used, focus back on its summary
    menu.querySelector("summary").focus();
    action();
  });
  return button;
}

function actionsFor(appointment) {
  const job = `/dispatch/jobs/${appointment.job_id}`;
  const path = `${job}/appointments/${appointment.appointment_id}`;
  const who = appointment.customer.name;
  const buttons = [];
  if (isCanceled(appointment)) {
    buttons.push(menuButton("Set back to scheduled", async () => {
      const reason = await askReason("Why set it back? (optional)", false);
      if (reason !== null) act(`Set ${who} back to scheduled`, "POST", `${job}/uncancel`, reason ? { reason } : {});
    }));
    return buttons;
  }
  const notStarted = ["scheduled", "confirmed"].includes(appointment.status);
  if (notStarted) buttons.push(menuButton("Reschedule", () => openReschedule(appointment)));
  for (const id of technicianIds(appointment)) {
    if (notStarted) {
      buttons.push(menuButton(`Dispatch ${technicianName(id)}`, () =>
        act(`Dispatched ${technicianName(id)} to ${who}`, "POST", `${path}/dispatch`, { technician_id: id })));
    }
    buttons.push(menuButton(`Unassign ${technicianName(id)}`, () =>
      act(`Unassigned ${technicianName(id)} from ${who}`, "POST", `${path}/unassign`, { technician_ids: [id] })));
  }
  if (isOnHold(appointment)) {
    buttons.push(menuButton("Remove hold", () => act(`Removed the hold on ${who}`, "DELETE", `${job}/hold`)));
  } else {
    buttons.push(menuButton("Put on hold", async () => {
      const reason = await askReason(`Reason for the hold on ${who}`);
      if (reason) act(`Put ${who} on hold`, "POST", `${job}/hold`, { reason });
    }));
  }
  buttons.push(menuButton("Why (automatic dispatch)", () => explain(appointment)));
  buttons.push(menuButton("Cancel job", async () => {
    const reason = await askReason(`Reason for canceling ${who}'s job`);
    if (reason) act(`Canceled ${who}`, "POST", `${job}/cancel`, { reason });
  }));
  return buttons;
}

/** Automatic dispatch's view of an appointment: every technician ranked or ruled out, and why. */
async function explain(appointment) {
  const panel = document.getElementById("why");
  const query = `appointment_id=${encodeURIComponent(appointment.appointment_id)}`;
  let answer;
  try {
    answer = await api("GET", `/dispatch/jobs/${appointment.job_id}/explain?${query}`);
  } catch (error) {
    announce(message, error.message, true);
    return;
  }
  const summary = [`${appointment.customer.name}, ${appointment.job_type}: ${answer.treated_as.meaning}`];
  if (answer.left_out) summary.push(answer.left_out);
  if (!answer.auto_dispatch_enabled) summary.push("automatic dispatch is off for this company");
  panel.querySelector(".why-summary").textContent = `${summary.join("; ")}.`;
  const items = answer.technicians.map((entry) => {
    const item = document.createElement("li");
    const name = technicianName(entry.technician_id);
    item.dataset.verdict = entry.verdict;
    item.textContent = entry.verdict === "candidate"
      ? `${name}: ranked ${entry.rank}, adds ${Math.round(entry.extra_drive_seconds / 60)} min of driving`
      : `${name}: ruled out, ${entry.reason}`;
    return item;
  });
  panel.querySelector(".why-technicians").replaceChildren(...items);
  panel.hidden = false;
  panel.querySelector(".why-close").focus();
}

document.querySelector("#why .why-close").addEventListener("click", () => {
  document.getElementById("why").hidden = true;
});

// -- reschedule from the keyboard: the actions menu's "Reschedule" opens a form -------------------

let rescheduling = null;

function openReschedule(appointment) {
  rescheduling = appointment;
  const form = reschedulePanel.querySelector("form");
  reschedulePanel.querySelector(".reschedule-who").textContent =
    `${appointment.customer.name}, ${appointment.job_type}, now ${clock(appointment.start)}–${clock(appointment.end)}`;
  form.elements.day.value = boardDay(appointment);
  form.elements.time.value = appointment.start.slice(11, 16);
  reschedulePanel.hidden = false;
  form.elements.day.focus();
}

function closeReschedule() {
  const id = rescheduling?.appointment_id;
  reschedulePanel.hidden = true;
  rescheduling = null;
  document.querySelector(`.card[data-appointment-id="${id}"]`)?.focus();
}

reschedulePanel.querySelector("form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const appointment = rescheduling;
  const zone = appointment.start.slice(19).replace(/^\.\d+/, "");
  const wanted = Date.parse(`${form.elements.day.value}T${form.elements.time.value}:00${zone}`);
  if (Number.isNaN(wanted)) {
    announce(message, "Give a date and a start time", true);
    return;
  }
  closeReschedule();
  await move(appointment, { deltaMs: wanted - Date.parse(appointment.start) });
});
reschedulePanel.querySelector(".reschedule-cancel").addEventListener("click", closeReschedule);
reschedulePanel.addEventListener("keydown", (event) => {
  if (event.key === "Escape") closeReschedule();
});

function percent(rate) {
  return rate === null ? "–" : `${Math.round(rate * 100)} %`;
}

/** The KPI strip: the day's measures from tracking (office roles; absent for others). */
async function showKpis(first, last) {
  const strip = document.getElementById("kpis");
  let measures;
  try {
    measures = await api("GET", `/tracking/kpis?from=${first}&to=${last}`);
  } catch {
    strip.hidden = true;
    return;
  }
  strip.hidden = false;
  const drive = measures.average_drive_minutes;
  strip.querySelector('[data-kpi="average_drive_minutes"]').textContent =
    drive === null ? "–" : `${Math.round(drive)} min`;
  for (const name of ["on_time_arrival_rate", "link_open_rate", "auto_assigned_share"]) {
    strip.querySelector(`[data-kpi="${name}"]`).textContent = percent(measures[name]);
  }
}

const reasonDialog = document.getElementById("reason-dialog");

/** Ask for a reason in the page's dialog: the text (empty only when not ``required``), or null when
 * the dispatcher changed their mind. Esc closes it; focus goes back where it was. */
function askReason(question, required = true) {
  const text = reasonDialog.querySelector("textarea");
  reasonDialog.querySelector("#reason-question").textContent = question;
  text.value = "";
  text.required = required;
  text.setCustomValidity("");
  text.oninput = () =>
    text.setCustomValidity(required && !text.value.trim() && text.value ? "Write a reason, not only spaces." : "");
  reasonDialog.returnValue = "cancel";
  reasonDialog.showModal();
  return new Promise((resolve) => {
    reasonDialog.addEventListener(
      "close",
      () => resolve(reasonDialog.returnValue === "ok" ? text.value.trim() : null),
      { once: true },
    );
  });
}

// -- cards -----------------------------------------------------------------------------------------

/** The technicians a card may go to: none when it is canceled or has several technicians. */
function othersFor(appointment) {
  const assigned = technicianIds(appointment);
  if (isCanceled(appointment) || assigned.length > 1) return [];
  return feed.technicians.filter((t) => t.active !== false && !assigned.includes(t.technician_id));
}

/** A card. Its listeners are the board's (delegated); its technician list and actions menu are
 * filled when first used. */
function renderCard(appointment, where) {
  const card = template.content.firstElementChild.cloneNode(true);
  card.dataset.appointmentId = appointment.appointment_id;
  card.dataset.status = appointment.status;
  card.className = `card status-${appointment.status} priority-${appointment.priority}`;
  card.querySelector(".customer").textContent = appointment.customer.name;
  card.querySelector(".status").textContent = label(appointment.status);
  card.querySelector(".service").textContent = appointment.job_type;
  const day = feed.view === "week" && where === "tray" ? `${dayText(boardDay(appointment))} · ` : "";
  card.querySelector(".window").textContent =
    `${day}Arrive ${windowText(appointment.arrival_window)} · booked ${clock(appointment.start)}–${clock(appointment.end)}`;
  const alerts = card.querySelector(".alerts");
  for (const alert of appointment.alerts) {
    const item = document.createElement("li");
    item.className = `alert alert-${alert}`;
    item.textContent = alertText(alert);
    if (alert === "auto_dispatch" && appointment.auto_dispatch_reason) item.title = appointment.auto_dispatch_reason;
    alerts.append(item);
  }
  card.setAttribute("aria-label",
    `${appointment.customer.name}, ${appointment.job_type}, ${label(appointment.status)}, ` +
    `arrival window ${windowText(appointment.arrival_window)}`);
  const others = othersFor(appointment);
  if (others.length) {
    card.querySelector(".assign-to").add(new Option(others[0].name, others[0].technician_id));
    card.querySelector(".assign").textContent = technicianIds(appointment).length ? "Reassign" : "Assign";
  } else {
    card.querySelector(".assign-label").remove();
    card.querySelector(".assign").remove();
  }
  card.draggable = !isCanceled(appointment) && ["scheduled", "confirmed"].includes(appointment.status)
    || others.length > 0;
  if (where === "day") placeOnTimeline(card, appointment);
  return card;
}

function appointmentOf(element) {
  const card = element.closest(".card");
  return card && feed.appointments.get(card.dataset.appointmentId);
}

/** The whole technician list of a card's select, the first time it is used: a busy day's cards
 * would otherwise hold every technician's option each (400 cards x 50 technicians). */
function fillTechnicians(select) {
  if (select.dataset.filled) return;
  select.dataset.filled = "true";
  const appointment = appointmentOf(select);
  for (const technician of othersFor(appointment).slice(1)) {
    select.add(new Option(technician.name, technician.technician_id));
  }
}

document.addEventListener("focusin", (event) => {
  if (event.target.matches?.(".assign-to")) fillTechnicians(event.target);
});
document.addEventListener("pointerdown", (event) => {
  if (event.target.matches?.(".assign-to")) fillTechnicians(event.target);
});
document.addEventListener("click", (event) => {
  const button = event.target.closest?.("button.assign");
  if (!button) return;
  const card = button.closest(".card");
  moveTo(appointmentOf(card), card.querySelector(".assign-to").value);
});
// "toggle" does not bubble: listen while it goes down.
document.addEventListener("toggle", (event) => {
  const details = event.target;
  if (!details.matches?.("details.actions") || !details.open) return;
  const menu = details.querySelector(".menu");
  if (!menu.childElementCount) menu.append(...actionsFor(appointmentOf(details)));
}, true);

// -- moving cards: assign, reassign, reschedule ---------------------------------------------------

async function moveTo(appointment, technicianId) {
  const path = `/dispatch/jobs/${appointment.job_id}/appointments/${appointment.appointment_id}`;
  const [current] = technicianIds(appointment);
  const name = technicianName(technicianId);
  if (current === technicianId) return;
  if (current) {
    await act(`Reassigned ${appointment.customer.name} to ${name}`, "POST", `${path}/reassign`, {
      from_technician_id: current,
      to_technician_id: technicianId,
    });
  } else {
    await act(`Assigned ${appointment.customer.name} to ${name}`, "POST", `${path}/assign`, {
      technician_ids: [technicianId],
    });
  }
}

/** Move an appointment by ``deltaMs`` (its window with it) and, when ``to`` is given, from
 * technician ``from`` to ``to``: one reschedule. With no time change, an assign or reassign. */
async function move(appointment, { deltaMs, from, to }) {
  const current = technicianIds(appointment);
  const changesTechnician = to !== undefined && !current.includes(to);
  if (!deltaMs) {
    if (changesTechnician) await moveTo(appointment, to);
    return;
  }
  const body = {
    start: shifted(appointment.start, deltaMs),
    end: shifted(appointment.end, deltaMs),
    arrival_window: {
      start: shifted(appointment.arrival_window.start, deltaMs),
      end: shifted(appointment.arrival_window.end, deltaMs),
    },
  };
  if (changesTechnician) body.technician_ids = [...current.filter((id) => id !== from), to];
  const who = appointment.customer.name;
  const when = `${dayText(body.start.slice(0, 10))} ${clock(body.start)}`;
  const whom = changesTechnician ? ` with ${technicianName(to)}` : "";
  const path = `/dispatch/jobs/${appointment.job_id}/appointments/${appointment.appointment_id}/reschedule`;
  await act(`Rescheduled ${who} to ${when}${whom}`, "POST", path, body, `Could not reschedule ${who}`);
}

async function act(done, method, path, body, failed = null) {
  try {
    await api(method, path, body);
    announce(message, done);
  } catch (error) {
    announce(message, failed ? `${failed}: ${error.message}` : error.message, true);
  }
  await feed.refresh();
}

rows.addEventListener("dragstart", (event) => dragStarted(event));
document.querySelector(".trays").addEventListener("dragstart", (event) => dragStarted(event));

function dragStarted(event) {
  const card = event.target.closest?.(".card");
  if (!card) return;
  const lane = card.closest("[data-technician-id]");
  dragging = {
    id: card.dataset.appointmentId,
    from: lane?.dataset.technicianId,
    grabX: event.clientX - card.getBoundingClientRect().left,
  };
  event.dataTransfer.setData("text/plain", card.dataset.appointmentId);
  event.dataTransfer.effectAllowed = "move";
}

function dropZone(event) {
  return event.target.closest?.(".lane, .day-cell");
}

rows.addEventListener("dragover", (event) => {
  const zone = dropZone(event);
  if (!zone) return;
  event.preventDefault();
  zone.classList.add("drop");
});
rows.addEventListener("dragleave", (event) => dropZone(event)?.classList.remove("drop"));
rows.addEventListener("drop", (event) => {
  const zone = dropZone(event);
  if (!zone) return;
  event.preventDefault();
  zone.classList.remove("drop");
  const id = event.dataTransfer.getData("text/plain");
  const appointment = feed.appointments.get(id);
  if (!appointment) return;
  const from = dragging?.id === id ? dragging.from : technicianIds(appointment)[0];
  const to = zone.closest("[data-technician-id]").dataset.technicianId;
  move(appointment, { deltaMs: dropShift(zone, event, appointment, from), from, to });
  dragging = null;
});

/** How far a drop moves a card: to the snapped time under the card's left edge (day view), or to
 * the day of the column (week view). A card from a tray keeps its time on the day view. */
function dropShift(zone, event, appointment, from) {
  if (zone.classList.contains("day-cell")) {
    return Math.round((Date.parse(zone.dataset.day) - Date.parse(boardDay(appointment))) / DAY_MS) * DAY_MS;
  }
  if (from === undefined) return 0;
  const box = zone.getBoundingClientRect();
  const left = event.clientX - box.left - (dragging?.grabX ?? 0);
  const minutes = Math.round(((left / box.width) * SPAN_MINUTES) / SNAP_MINUTES) * SNAP_MINUTES;
  return (Math.max(0, Math.min(SPAN_MINUTES - SNAP_MINUTES, minutes)) - minutesIntoDay(appointment.start)) * MINUTE_MS;
}

// -- drawing ---------------------------------------------------------------------------------------

function renderScale() {
  const hours = document.getElementById("hours");
  hours.replaceChildren();
  hours.classList.toggle("week", feed.view === "week");
  if (feed.view === "week") {
    for (const day of feed.days) {
      const mark = document.createElement("span");
      mark.textContent = dayText(day);
      hours.append(mark);
    }
    return;
  }
  for (let hour = FIRST_HOUR; hour < LAST_HOUR; hour += 1) {
    const mark = document.createElement("span");
    mark.style.left = `${((hour - FIRST_HOUR) * 60 / SPAN_MINUTES) * 100}%`;
    mark.textContent = `${hour}:00`;
    hours.append(mark);
  }
}

function block(className, span, text) {
  const item = document.createElement("li");
  item.className = className;
  item.setAttribute("aria-hidden", "true");
  if (text) item.textContent = text;
  placeOnTimeline(item, span);
  return item;
}

function heading(technician, mine) {
  const title = document.createElement("h3");
  title.id = `row-${technician.technician_id}`;
  title.textContent = technician.name;
  const state = technicianState(mine);
  const badge = document.createElement("span");
  badge.className = `state state-${state}`;
  badge.textContent = STATES[state];
  title.append(" ", badge);
  const alerts = new Set(feed.days.flatMap((day) => feed.row(day, technician.technician_id).alerts ?? []));
  for (const alert of alerts) {
    const flag = document.createElement("span");
    flag.className = `alert alert-${alert}`;
    flag.textContent = alertText(alert);
    title.append(" ", flag);
  }
  return title;
}

function dayLane(technician, mine) {
  const lane = document.createElement("ul");
  lane.className = "lane cards";
  const row = feed.row(feed.days[0], technician.technician_id);
  for (const shift of row.shifts ?? []) lane.append(block(`shift shift-${shift.kind}`, shift));
  for (const event of row.events ?? []) lane.append(block("event", event, label(event.type)));
  for (const appointment of mine) lane.append(renderCard(appointment, "day"));
  return lane;
}

function weekLane(technician, mine) {
  const lane = document.createElement("div");
  lane.className = "lane week";
  for (const day of feed.days) {
    const cell = document.createElement("ul");
    cell.className = "day-cell cards";
    cell.dataset.day = day;
    cell.setAttribute("aria-label", `${technician.name}, ${dayText(day)}`);
    const row = feed.row(day, technician.technician_id);
    if (row.shifts?.length) cell.classList.add("on-shift");
    for (const event of row.events ?? []) {
      const item = document.createElement("li");
      item.className = "event";
      item.textContent = `${label(event.type)} ${clock(event.start)}–${clock(event.end)}`;
      cell.append(item);
    }
    for (const appointment of mine) {
      if (boardDay(appointment) === day) cell.append(renderCard(appointment, "week"));
    }
    lane.append(cell);
  }
  return lane;
}

function renderRows(appointments) {
  const byTechnician = new Map(feed.technicians.map((t) => [t.technician_id, []]));
  for (const appointment of appointments) {
    if (isCanceled(appointment)) continue;
    for (const id of technicianIds(appointment)) byTechnician.get(id)?.push(appointment);
  }
  const drawn = document.createDocumentFragment();
  for (const technician of feed.technicians) {
    const mine = byTechnician.get(technician.technician_id);
    const row = document.createElement("section");
    row.className = "row";
    row.dataset.technicianId = technician.technician_id;
    const title = heading(technician, mine);
    const lane = feed.view === "week" ? weekLane(technician, mine) : dayLane(technician, mine);
    lane.setAttribute("aria-labelledby", title.id);
    row.append(title, lane);
    drawn.append(row);
  }
  rows.replaceChildren(drawn);
}

function renderTrays(appointments) {
  const trays = {
    unassigned: appointments.filter(isUnassigned),
    on_hold: appointments.filter(isOnHold),
    canceled: appointments.filter(isCanceled),
  };
  for (const [name, members] of Object.entries(trays)) {
    const tray = document.querySelector(`.tray[data-tray="${name}"]`);
    tray.querySelector(".count").textContent = `(${members.length})`;
    tray.querySelector(".cards").replaceChildren(...members.map((a) => renderCard(a, "tray")));
  }
}

/** Re-render, keeping keyboard focus on the same control of the same card. */
function render() {
  const focused = document.activeElement?.closest?.(".card");
  const focusedId = focused?.dataset.appointmentId;
  const focusedClass = document.activeElement?.className;
  const appointments = feed.sorted();
  names = new Map(feed.technicians.map((t) => [t.technician_id, t.name]));
  renderScale();
  renderRows(appointments);
  renderTrays(appointments);
  if (focusedId) {
    const card = document.querySelector(`.card[data-appointment-id="${focusedId}"]`);
    const control = focusedClass && card?.querySelector(`.${focusedClass.split(" ")[0]}`);
    (control || card)?.focus();
  }
  document.body.dataset.ready = "true";
  document.dispatchEvent(new CustomEvent("board:entries", { detail: currentEntries() }));
}

// -- the day or week shown -------------------------------------------------------------------------

const viewButtons = document.querySelectorAll("#view button");

async function show() {
  const params = new URLSearchParams(location.search);
  const view = params.get("view") === "week" ? "week" : "day";
  for (const button of viewButtons) button.setAttribute("aria-pressed", String(button.value === view));
  feed?.stop();
  document.body.dataset.ready = "false";
  document.body.dataset.view = view;
  // The week: seven days from the Day field's date (what is coming up, whatever the weekday).
  feed = new BoardFeed(view, dateInput.value, render, (error) => announce(message, `Live updates paused: ${error.message}`, true));
  try {
    await feed.load();
  } catch (error) {
    announce(message, error.message, true);
  }
  // After the board: its read is what the dispatcher waits for.
  showKpis(feed.days[0], feed.days.at(-1));
}

function navigate(changes) {
  const params = new URLSearchParams(location.search);
  for (const [name, value] of Object.entries(changes)) params.set(name, value);
  history.replaceState(null, "", `?${params}`);
  show();
}

dateInput.value = new URLSearchParams(location.search).get("date") || localToday();
dateInput.addEventListener("change", () => {
  if (dateInput.value) navigate({ date: dateInput.value });
});
for (const button of viewButtons) {
  button.addEventListener("click", () => navigate({ view: button.value, date: dateInput.value }));
}
show();
