// The board of a day or a week kept current from the change feed (GET /dispatch/board/changes):
// the appointments, and each technician's row of each day (shifts, non-job events, alerts).
import { api } from "./api.js";

const POLL_MS = 2000;
const WEEK_POLL_MS = 5000; // a week reads seven days' feeds each time
const DAY_MS = 86_400_000;

/** The board day of an appointment: the date of its start in its own offset. */
export function boardDay(appointment) {
  return appointment.start.slice(0, 10);
}

/** ``date`` (YYYY-MM-DD) moved by ``days``. */
export function addDays(date, days) {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

export class BoardFeed {
  /** ``view`` is "day" or "week" (seven days from ``date``). ``onChange(feed)`` runs after the first
   * load and after every read that changed something. */
  constructor(view, date, onChange, onError) {
    this.view = view;
    this.date = date;
    this.onChange = onChange;
    this.onError = onError;
    this.days = view === "week" ? [0, 1, 2, 3, 4, 5, 6].map((n) => addDays(date, n)) : [date];
    this.appointments = new Map();
    this.rows = new Map(); // day -> Map(technician id -> row of that day)
    this.technicians = []; // every technician shown, in the server's order: id, name, active
    this.cursors = new Map();
    this.polling = false;
    this.timer = null;
    this.reads = Promise.resolve();
  }

  async load() {
    const boards = this.view === "week" ? await this.loadWeek() : await this.loadDay();
    for (const board of boards) {
      for (const appointment of board.appointments) this.appointments.set(appointment.appointment_id, appointment);
      this.rows.set(board.date, new Map(board.technicians.map((row) => [row.technician_id, row])));
      for (const row of board.technicians) this.noteTechnician(row);
    }
    this.onChange(this);
    this.polling = true;
    this.schedule();
  }

  async loadDay() {
    const board = await api("GET", `/dispatch/board?date=${this.date}`);
    this.cursors.set(this.date, board.cursor);
    return [board];
  }

  async loadWeek() {
    const week = await api("GET", `/dispatch/board/week?start=${this.date}`);
    for (const day of this.days) this.cursors.set(day, week.cursor);
    return week.days;
  }

  noteTechnician(row) {
    const known = this.technicians.find((t) => t.technician_id === row.technician_id);
    const profile = { technician_id: row.technician_id, name: row.name, active: row.active };
    if (known) Object.assign(known, profile);
    else this.technicians.push(profile);
  }

  schedule() {
    this.timer = setTimeout(async () => {
      await this.refresh();
      if (this.polling) this.schedule();
    }, this.view === "week" ? WEEK_POLL_MS : POLL_MS);
  }

  stop() {
    this.polling = false;
    clearTimeout(this.timer);
  }

  /** Read the changes now (after an action of ours, or on the timer); reads run one after another,
   * so a read asked for after an action always starts after it. */
  refresh() {
    this.reads = this.reads.then(() => this.read());
    return this.reads;
  }

  async read() {
    try {
      let changed = false;
      for (const day of this.days) {
        const cursor = encodeURIComponent(this.cursors.get(day));
        const page = await api("GET", `/dispatch/board/changes?date=${day}&cursor=${cursor}`);
        if (!this.polling) return;
        this.cursors.set(day, page.cursor);
        for (const change of page.changes) changed = this.apply(day, change) || changed;
      }
      if (changed) this.onChange(this);
    } catch (error) {
      this.onError(error);
    }
  }

  /** Apply one change of ``day`` when it is newer than what is shown (reads overlap a little). */
  apply(day, change) {
    if (change.kind === "technician") {
      const before = this.rows.get(day)?.get(change.technician.technician_id);
      if (JSON.stringify(before) === JSON.stringify(change.technician)) return false;
      const rows = this.rows.get(day) ?? new Map();
      rows.set(change.technician.technician_id, { ...before, ...change.technician });
      this.rows.set(day, rows);
      this.noteTechnician(change.technician);
      return true;
    }
    const shown = this.appointments.get(change.appointment_id);
    if (change.removed || !change.appointment) {
      // Only the day it left: it may already show on the day it moved to.
      return shown !== undefined && boardDay(shown) === day && this.appointments.delete(change.appointment_id);
    }
    if (shown && shown.job_version > change.appointment.job_version) return false;
    if (shown && JSON.stringify(shown) === JSON.stringify(change.appointment)) return false;
    this.appointments.set(change.appointment_id, change.appointment);
    return true;
  }

  /** The technician's row of ``day`` (shifts, events, alerts), or an empty one. */
  row(day, technicianId) {
    return this.rows.get(day)?.get(technicianId) ?? { shifts: [], events: [], alerts: [] };
  }

  sorted() {
    return [...this.appointments.values()].sort((a, b) => a.start.localeCompare(b.start));
  }
}

export function isCanceled(appointment) {
  return appointment.status === "canceled" || appointment.job_status === "canceled";
}

export function isOnHold(appointment) {
  return appointment.job_status === "on_hold" && !isCanceled(appointment);
}

export function isUnassigned(appointment) {
  return appointment.technicians.length === 0 && !isOnHold(appointment) && !isCanceled(appointment);
}

export function technicianIds(appointment) {
  return appointment.technicians.map((t) => t.technician_id);
}

/** What a technician is doing, from their appointments shown: working, paused, on my way or idle. */
export function technicianState(appointments) {
  const statuses = new Set(appointments.map((a) => a.status));
  if (statuses.has("working")) return "working";
  if (statuses.has("paused")) return "paused";
  if (statuses.has("dispatched")) return "on_my_way";
  return "idle";
}
