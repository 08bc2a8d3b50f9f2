// The dispatch board: one day per technician, the trays, assign by drag or from each card's
// controls, and other dispatchers' changes from the change feed without a reload.
import { announce, api, clock, label, localToday, requireSession, signOut, windowText } from "./api.js";
import { DayFeed, isCanceled, isOnHold, isUnassigned, technicianIds } from "./feed.js";

const FIRST_HOUR = 6;
const LAST_HOUR = 21;
const SPAN_MINUTES = (LAST_HOUR - FIRST_HOUR) * 60;

const me = requireSession().user;
const message = document.getElementById("message");
const dateInput = document.getElementById("date");
const rows = document.getElementById("rows");
const template = document.getElementById("card");

document.getElementById("who").textContent = `${me.name} (${me.role})`;
document.getElementById("sign-out").addEventListener("click", () => {
  signOut();
  location.assign("/web/");
});

let feed = null;

function minutesIntoDay(iso) {
  const at = new Date(iso);
  return (at.getHours() - FIRST_HOUR) * 60 + at.getMinutes();
}

function placeOnTimeline(card, appointment) {
  const start = Math.max(0, minutesIntoDay(appointment.start));
  const end = Math.min(SPAN_MINUTES, Math.max(start + 15, minutesIntoDay(appointment.end)));
  card.style.left = `${(start / SPAN_MINUTES) * 100}%`;
  card.style.width = `${((end - start) / SPAN_MINUTES) * 100}%`;
}

function technicianName(id) {
  return feed.technicians.find((t) => t.technician_id === id)?.name ?? id;
}

function menuButton(text, action) {
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = text;
  button.addEventListener("click", action);
  return button;
}

function actionsFor(appointment) {
  const job = `/dispatch/jobs/${appointment.job_id}`;
  const path = `${job}/appointments/${appointment.appointment_id}`;
  const who = appointment.customer.name;
  const buttons = [];
  if (isCanceled(appointment)) {
    buttons.push(menuButton("Set back to scheduled", () =>
      act(`Set ${who} back to scheduled`, "POST", `${job}/uncancel`, { reason: askReason("Why?") })));
    return buttons;
  }
  const notStarted = ["scheduled", "confirmed"].includes(appointment.status);
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
    buttons.push(menuButton("Put on hold", () => {
      const reason = askReason("Reason for the hold");
      if (reason) act(`Put ${who} on hold`, "POST", `${job}/hold`, { reason });
    }));
  }
  buttons.push(menuButton("Why (automatic dispatch)", () => explain(appointment)));
  buttons.push(menuButton("Cancel job", () => {
    const reason = askReason("Reason for canceling");
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

function percent(rate) {
  return rate === null ? "–" : `${Math.round(rate * 100)} %`;
}

/** The KPI strip: the day's measures from tracking (office roles; absent for others). */
async function showKpis(date) {
  const strip = document.getElementById("kpis");
  let measures;
  try {
    measures = await api("GET", `/tracking/kpis?from=${date}&to=${date}`);
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

function askReason(question) {
  return (window.prompt(question) || "").trim();
}

function renderCard(appointment, onTimeline) {
  const card = template.content.firstElementChild.cloneNode(true);
  const id = appointment.appointment_id;
  card.dataset.appointmentId = id;
  card.dataset.status = appointment.status;
  card.classList.add(`status-${appointment.status}`, `priority-${appointment.priority}`);
  card.querySelector(".customer").textContent = appointment.customer.name;
  card.querySelector(".status").textContent = label(appointment.status);
  card.querySelector(".service").textContent = appointment.job_type;
  card.querySelector(".window").textContent =
    `Arrive ${windowText(appointment.arrival_window)} · booked ${clock(appointment.start)}–${clock(appointment.end)}`;
  const alerts = card.querySelector(".alerts");
  for (const alert of appointment.alerts) {
    const item = document.createElement("li");
    item.className = `alert alert-${alert}`;
    item.textContent = label(alert);
    if (alert === "auto_dispatch" && appointment.auto_dispatch_reason) item.title = appointment.auto_dispatch_reason;
    alerts.append(item);
  }
  card.setAttribute("aria-label",
    `${appointment.customer.name}, ${appointment.job_type}, ${label(appointment.status)}, ` +
    `arrival window ${windowText(appointment.arrival_window)}`);
  const select = card.querySelector(".assign-to");
  const assigned = technicianIds(appointment);
  const movable = !isCanceled(appointment) && assigned.length <= 1;
  const others = movable
    ? feed.technicians.filter((t) => t.active !== false && !assigned.includes(t.technician_id))
    : [];
  if (others.length) {
    // The first technician now, the others when the select is first used: a busy day's cards
    // would otherwise hold every technician's option each (400 cards x 50 technicians).
    select.add(new Option(others[0].name, others[0].technician_id));
    const fill = () => {
      for (const technician of others.slice(1)) select.add(new Option(technician.name, technician.technician_id));
    };
    select.addEventListener("focus", fill, { once: true });
    select.addEventListener("pointerdown", fill, { once: true });
  }
  if (!others.length) {
    card.querySelector(".assign-label").remove();
    card.querySelector(".assign").remove();
    card.draggable = false;
  } else {
    const button = card.querySelector(".assign");
    button.textContent = assigned.length ? "Reassign" : "Assign";
    button.addEventListener("click", () => moveTo(appointment, select.value));
    card.addEventListener("dragstart", (event) => {
      event.dataTransfer.setData("text/plain", id);
      event.dataTransfer.effectAllowed = "move";
    });
  }
  card.querySelector(".menu").append(...actionsFor(appointment));
  if (onTimeline) placeOnTimeline(card, appointment);
  return card;
}

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

async function act(done, method, path, body) {
  try {
    await api(method, path, body);
    announce(message, done);
  } catch (error) {
    announce(message, error.message, true);
  }
  await feed.refresh();
}

function dropTarget(lane, technicianId) {
  lane.addEventListener("dragover", (event) => {
    event.preventDefault();
    lane.classList.add("drop");
  });
  lane.addEventListener("dragleave", () => lane.classList.remove("drop"));
  lane.addEventListener("drop", (event) => {
    event.preventDefault();
    lane.classList.remove("drop");
    const appointment = feed.appointments.get(event.dataTransfer.getData("text/plain"));
    if (appointment) moveTo(appointment, technicianId);
  });
}

function renderHours() {
  const hours = document.getElementById("hours");
  hours.replaceChildren();
  for (let hour = FIRST_HOUR; hour < LAST_HOUR; hour += 1) {
    const mark = document.createElement("span");
    mark.style.left = `${((hour - FIRST_HOUR) * 60 / SPAN_MINUTES) * 100}%`;
    mark.textContent = `${hour}:00`;
    hours.append(mark);
  }
}

function renderRows(appointments) {
  rows.replaceChildren();
  for (const technician of feed.technicians) {
    const row = document.createElement("section");
    row.className = "row";
    row.dataset.technicianId = technician.technician_id;
    const heading = document.createElement("h3");
    heading.id = `row-${technician.technician_id}`;
    heading.textContent = technician.name;
    for (const alert of technician.alerts ?? []) {
      const badge = document.createElement("span");
      badge.className = `alert alert-${alert}`;
      badge.textContent = label(alert);
      heading.append(" ", badge);
    }
    const lane = document.createElement("ul");
    lane.className = "lane cards";
    lane.setAttribute("aria-labelledby", heading.id);
    for (const shift of technician.shifts ?? []) {
      const block = document.createElement("li");
      block.className = `shift shift-${shift.kind}`;
      block.setAttribute("aria-hidden", "true");
      placeOnTimeline(block, shift);
      lane.append(block);
    }
    for (const appointment of appointments) {
      if (!isCanceled(appointment) && technicianIds(appointment).includes(technician.technician_id)) {
        lane.append(renderCard(appointment, true));
      }
    }
    dropTarget(lane, technician.technician_id);
    row.append(heading, lane);
    rows.append(row);
  }
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
    tray.querySelector(".cards").replaceChildren(...members.map((a) => renderCard(a, false)));
  }
}

/** Re-render, keeping keyboard focus on the same control of the same card. */
function render() {
  const focused = document.activeElement?.closest?.(".card");
  const focusedId = focused?.dataset.appointmentId;
  const focusedClass = document.activeElement?.className;
  const appointments = feed.sorted();
  renderRows(appointments);
  renderTrays(appointments);
  if (focusedId) {
    const card = document.querySelector(`.card[data-appointment-id="${focusedId}"]`);
    const control = focusedClass && card?.querySelector(`.${focusedClass.split(" ")[0]}`);
    (control || card)?.focus();
  }
  document.body.dataset.ready = "true";
  document.dispatchEvent(new CustomEvent("board:render", { detail: feed })); // the map panel (map.js)
}

async function show(date) {
  feed?.stop();
  document.body.dataset.ready = "false";
  feed = new DayFeed(date, render, (error) => announce(message, `Live updates paused: ${error.message}`, true));
  showKpis(date);
  try {
    await feed.load();
  } catch (error) {
    announce(message, error.message, true);
  }
}

dateInput.value = new URLSearchParams(location.search).get("date") || localToday();
dateInput.addEventListener("change", () => {
  if (!dateInput.value) return;
  history.replaceState(null, "", `?date=${dateInput.value}`);
  show(dateInput.value);
});
renderHours();
show(dateInput.value);
